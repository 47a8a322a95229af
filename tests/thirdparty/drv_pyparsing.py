"""pyparsing: a small expression language with variables, parsed and evaluated."""

import random

import pyparsing as pp

pp.ParserElement.enable_packrat()

ident = pp.Word(pp.alphas, pp.alphanums + "_")
number = pp.pyparsing_common.number
operand = number | ident
expr = pp.infix_notation(operand, [
    (pp.one_of("- +"), 1, pp.OpAssoc.RIGHT),
    ("^", 2, pp.OpAssoc.RIGHT),
    (pp.one_of("* / %"), 2, pp.OpAssoc.LEFT),
    (pp.one_of("+ -"), 2, pp.OpAssoc.LEFT),
])
assignment = ident + pp.Suppress("=") + expr


def evaluate(node, env):
    if isinstance(node, (int, float)):
        return node
    if isinstance(node, str):
        return env[node]
    items = list(node)
    if len(items) == 2:
        sign, operand = items
        value = evaluate(operand, env)
        return -value if sign == "-" else value
    value = evaluate(items[0], env)
    for op, rhs in zip(items[1::2], items[2::2]):
        other = evaluate(rhs, env)
        if op == "+":
            value += other
        elif op == "-":
            value -= other
        elif op == "*":
            value *= other
        elif op == "/":
            value = value / other if other else 0
        elif op == "%":
            value = value % other if other else 0
        else:
            value = value ** (int(abs(other)) % 4) if abs(value) < 1e6 else value
    return value


def random_expr(rng, names, depth):
    if depth == 0 or rng.random() < 0.3:
        return str(rng.randint(1, 9)) if rng.random() < 0.6 or not names else rng.choice(names)
    op = rng.choice("+-*/%^")
    left, right = random_expr(rng, names, depth - 1), random_expr(rng, names, depth - 1)
    return f"({left} {op} {right})" if rng.random() < 0.5 else f"{left} {op} {right}"


rng = random.Random(7)
STEPS = 120
for step in range(STEPS):
    env = {}
    for n in range(12):
        line = f"v{n} = {random_expr(rng, sorted(env), 4)}"
        target, tree = assignment.parse_string(line, parse_all=True)
        value = evaluate(tree, env)
        env[target] = value if abs(value) < 1e12 else 1
    print(f"step {step}: " + " ".join(f"{k}={env[k]:.4g}" for k in sorted(env)[:6]),
          flush=True)
print("done", flush=True)
