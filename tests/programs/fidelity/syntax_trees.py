"""Syntax trees travel between versions (pyflakes keeps ast nodes in its scopes): a
node made on 3.11 has no ``type_params``, which 3.12 and later read; 3.13 pickles a node
with one None per field as arguments, which 3.11's constructor refuses."""
import ast
import sys

tree = ast.parse("class A(B):\n    def f(self, x=1):\n        return [y for y in x]\n")
nodes = [n for n in ast.walk(tree) if isinstance(n, (ast.ClassDef, ast.FunctionDef))]
for i in range(4):
    for node in nodes:
        fields = {f: type(getattr(node, f)).__name__ for f in ("name", "body", "decorator_list")}
        print(i, type(node).__name__, node.name, fields, len(node.type_params if sys.version_info >= (3, 12) else []),
              flush=True)  #@capture 2
    args = nodes[1].args
    print(i, [a.arg for a in args.args], [ast.literal_eval(v) for v in args.defaults],
          args.vararg, args.kwonlyargs, flush=True)
