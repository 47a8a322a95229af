"""PLY: a lex/yacc calculator language with assignments, run over generated programs."""

import random

import ply.lex as lex
import ply.yacc as yacc

tokens = ("NAME", "NUMBER", "PLUS", "MINUS", "TIMES", "DIVIDE", "EQUALS", "LPAREN", "RPAREN",
          "SEMI")
t_PLUS, t_MINUS, t_TIMES, t_DIVIDE = r"\+", r"-", r"\*", r"/"
t_EQUALS, t_LPAREN, t_RPAREN, t_SEMI = r"=", r"\(", r"\)", r";"
t_NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
t_ignore = " \t\n"


def t_NUMBER(t):
    r"\d+"
    t.value = int(t.value)
    return t


def t_error(t):
    raise SyntaxError(f"bad character {t.value[0]!r}")


precedence = (("left", "PLUS", "MINUS"), ("left", "TIMES", "DIVIDE"), ("right", "UMINUS"))
names = {}


def p_program(p):
    """program : program statement
               | statement"""
    p[0] = (p[1] + 1) if len(p) == 3 else 1


def p_statement_assign(p):
    "statement : NAME EQUALS expression SEMI"
    names[p[1]] = p[3]


def p_expression_binop(p):
    """expression : expression PLUS expression
                  | expression MINUS expression
                  | expression TIMES expression
                  | expression DIVIDE expression"""
    a, op, b = p[1], p[2], p[3]
    if op == "+":
        p[0] = a + b
    elif op == "-":
        p[0] = a - b
    elif op == "*":
        p[0] = (a * b) % 1000003
    else:
        p[0] = a // b if b else 0


def p_expression_uminus(p):
    "expression : MINUS expression %prec UMINUS"
    p[0] = -p[2]


def p_expression_group(p):
    "expression : LPAREN expression RPAREN"
    p[0] = p[2]


def p_expression_number(p):
    "expression : NUMBER"
    p[0] = p[1]


def p_expression_name(p):
    "expression : NAME"
    p[0] = names.get(p[1], 0)


def p_error(p):
    raise SyntaxError(f"syntax error at {p!r}")


lexer = lex.lex()
parser = yacc.yacc(debug=False, write_tables=False)
rng = random.Random(31)


def gen(depth):
    if depth == 0 or rng.random() < 0.25:
        return str(rng.randint(0, 50)) if rng.random() < 0.6 else f"v{rng.randint(0, 9)}"
    if rng.random() < 0.1:
        return f"-{gen(depth - 1)}"
    return f"({gen(depth - 1)} {rng.choice('+-*/')} {gen(depth - 1)})"


for step in range(70):
    names.clear()
    program = "\n".join(f"v{i % 10} = {gen(5)};" for i in range(120))
    count = parser.parse(program, lexer=lexer)
    print(f"step {step}: statements {count} " +
          " ".join(f"{k}={names[k]}" for k in sorted(names)), flush=True)
print("done", flush=True)
