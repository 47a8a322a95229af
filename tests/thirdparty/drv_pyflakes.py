"""pyflakes: lint generated modules as a CI job would; exits 1 when anything was reported."""

import io
import random
import sys

from pyflakes import api, reporter

rng = random.Random(73)
SNIPPETS = [
    "import os\nimport sys as system\n",
    "from collections import *\n",
    "def f{n}(a, b):\n    c = a + b\n    return undefined_{n}\n",
    "def g{n}(x):\n    y = [i for i in range(x)]\n    return y\n",
    "class K{n}:\n    def m(self):\n        return self.m\n    def m(self):\n        return 1\n",
    "try:\n    import json\nexcept ImportError:\n    json = None\n",
    "x{n} = {{'a': 1, 'a': 2}}\n",
    "assert (x{n}, 'message')\n",
    "if x{n} is 1:\n    print(f'{{x{n}}}')\n",
    "lam{n} = lambda: unused\n",
    "def h{n}():\n    global z\n    z = 1\n    with open('p') as fh:\n        return fh\n",
]
total = 0
for step in range(150):
    source = "".join(rng.choice(SNIPPETS).format(n=i) for i in range(60))
    out, err = io.StringIO(), io.StringIO()
    warnings = api.check(source, f"module_{step}.py", reporter.Reporter(out, err))
    lines = out.getvalue().splitlines()
    kinds = sorted({line.split(" ", 1)[1].split("'")[0].strip() for line in lines})
    total += warnings
    print(f"step {step}: {warnings} warnings, kinds {len(kinds)}; first {lines[0]!r}",
          flush=True)
print("total", total, flush=True)
sys.exit(1 if total else 0)
