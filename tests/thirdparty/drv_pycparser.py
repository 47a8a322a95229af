"""pycparser: parse generated C translation units, walk the AST, regenerate C."""

import hashlib
import random

from pycparser import c_ast, c_generator, c_parser

rng = random.Random(29)


def expr(depth):
    if depth == 0 or rng.random() < 0.3:
        return rng.choice(["a", "b", "n", str(rng.randint(0, 99)), "arr[i]", "p->x"])
    return f"({expr(depth - 1)} {rng.choice('+-*/%<>&|')} {expr(depth - 1)})"


def function(k):
    body = []
    for _ in range(8):
        body.append(rng.choice([
            f"a = {expr(3)};",
            f"if ({expr(2)}) {{ b += {expr(2)}; }} else {{ b -= 1; }}",
            f"for (i = 0; i < n; i++) {{ arr[i] = {expr(2)}; }}",
            f"while ({expr(1)} > 0) {{ n--; break; }}",
            f"switch (a) {{ case 1: b = 2; break; default: b = {expr(1)}; }}",
        ]))
    return (f"int f{k}(int n, struct pt *p) {{ int a = 1, b = 2, i; int arr[16]; "
            + " ".join(body) + " return a + b; }")


class Counter(c_ast.NodeVisitor):
    def __init__(self):
        self.counts = {}

    def generic_visit(self, node):
        name = type(node).__name__
        self.counts[name] = self.counts.get(name, 0) + 1
        for _, child in node.children():
            self.visit(child)


parser = c_parser.CParser()
generator = c_generator.CGenerator()
for step in range(12):
    source = "struct pt { int x; int y; };\n" + "\n".join(function(k) for k in range(12))
    ast = parser.parse(source, filename="<gen>")
    counter = Counter()
    counter.visit(ast)
    text = generator.visit(ast)
    again = generator.visit(parser.parse(text))
    top = sorted(counter.counts.items(), key=lambda kv: (-kv[1], kv[0]))[:4]
    print(f"step {step}: nodes {sum(counter.counts.values())} top {top} stable {text == again} "
          f"{hashlib.md5(text.encode()).hexdigest()[:10]}", flush=True)
print("done", flush=True)
