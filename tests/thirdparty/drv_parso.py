"""parso: parse Python sources (some broken), find errors, walk and round-trip the tree."""

import random

import parso

rng = random.Random(41)
SNIPPETS = [
    "def f{n}(a, b=1, *args, **kw):\n    return [x * a for x in args if x]\n",
    "class K{n}(Base):\n    attr: int = {n}\n    def m(self):\n        yield from range(self.attr)\n",
    "with open('f{n}') as fh, lock:\n    data = fh.read()\n",
    "try:\n    v{n} = d[{n}]\nexcept KeyError as e:\n    v{n} = None\nfinally:\n    pass\n",
    "match p{n}:\n    case [x, *rest]:\n        pass\n    case {{'k': v}}:\n        pass\n",
    "lam{n} = lambda q, r={n}: (q if q > r else r)\n",
    "async def co{n}():\n    async for i in aiter():\n        await i\n",
    "x{n} = (1 +\n",  # broken
    "if y{n} >:\n    pass\n",  # broken
]
grammar = parso.load_grammar(version="3.11")
for step in range(30):
    source = "".join(rng.choice(SNIPPETS).format(n=i) for i in range(60))
    module = grammar.parse(source)
    errors = list(grammar.iter_errors(module))
    names = sorted(module.get_used_names())
    funcs = [f.name.value for f in module.iter_funcdefs()]
    classes = [c.name.value for c in module.iter_classdefs()]
    leaf, n = module.get_first_leaf(), 0
    while leaf is not None:
        n += 1
        leaf = leaf.get_next_leaf()
    print(f"step {step}: errors {len(errors)} first {errors[0].code if errors else None} "
          f"names {len(names)} funcs {len(funcs)} classes {len(classes)} leaves {n} "
          f"roundtrip {module.get_code() == source}", flush=True)
print("done", flush=True)
