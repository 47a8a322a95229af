"""Lark: JSON and arithmetic grammars with Earley and LALR parsers and transformers."""

import json
import random

from lark import Lark, Transformer, v_args

JSON_GRAMMAR = r"""
    ?value: dict | list | string | SIGNED_NUMBER -> number | "true" -> true
          | "false" -> false | "null" -> null
    list : "[" (value ("," value)*)? "]"
    dict : "{" (pair ("," pair)*)? "}"
    pair : string ":" value
    string : ESCAPED_STRING
    %import common.ESCAPED_STRING
    %import common.SIGNED_NUMBER
    %import common.WS
    %ignore WS
"""

CALC_GRAMMAR = r"""
    ?sum: product | sum "+" product -> add | sum "-" product -> sub
    ?product: atom | product "*" atom -> mul | product "/" atom -> div
    ?atom: NUMBER -> number | "-" atom -> neg | "(" sum ")"
    %import common.NUMBER
    %import common.WS_INLINE
    %ignore WS_INLINE
"""


class ToPython(Transformer):
    def string(self, s):
        return s[0][1:-1]

    def number(self, n):
        return float(n[0])

    list = list

    def pair(self, kv):
        return tuple(kv)

    dict = dict

    def null(self, _):
        return None

    def true(self, _):
        return True

    def false(self, _):
        return False


@v_args(inline=True)
class Calc(Transformer):
    def number(self, n):
        return float(n)

    def add(self, a, b):
        return a + b

    def sub(self, a, b):
        return a - b

    def mul(self, a, b):
        return a * b

    def div(self, a, b):
        return a / b if b else 0.0

    def neg(self, a):
        return -a


json_lalr = Lark(JSON_GRAMMAR, start="value", parser="lalr", transformer=ToPython())
json_earley = Lark(JSON_GRAMMAR, start="value", parser="earley")
calc = Lark(CALC_GRAMMAR, start="sum", parser="earley")
rng = random.Random(37)


def value(depth):
    r = rng.random()
    if depth == 0 or r < 0.3:
        return rng.choice([rng.randint(-99, 99), f"s{rng.randint(0, 9)}", True, None, 1.5])
    if r < 0.65:
        return [value(depth - 1) for _ in range(rng.randint(0, 4))]
    return {f"k{i}": value(depth - 1) for i in range(rng.randint(0, 4))}


def arith(depth):
    if depth == 0 or rng.random() < 0.3:
        return str(rng.randint(1, 9))
    return f"({arith(depth - 1)} {rng.choice('+-*/')} {arith(depth - 1)})"


for step in range(30):
    doc = [value(4) for _ in range(6)]
    text = json.dumps(doc)
    fast = json_lalr.parse(text)
    tree = json_earley.parse(json.dumps(doc[:2]))
    sums = [Calc().transform(calc.parse(arith(4))) for _ in range(6)]
    same = fast == json.loads(text, parse_float=float, parse_int=float)
    print(f"step {step}: {len(text)} chars same {same} earley nodes "
          f"{sum(1 for _ in tree.iter_subtrees())} calc {[round(s, 4) for s in sums]}",
          flush=True)
print("done", flush=True)
