"""pycodestyle: style-check generated source files and tally the error codes."""

import random

import pycodestyle

rng = random.Random(79)
SNIPPETS = [
    "import os, sys\n", "x=1\n", "def f( a ):\n    return a\n", "class  K(object) :\n    pass\n",
    "y = [1,2 ,3]\n", "if x == None :\n    z = lambda: 0\n", "l = 1 # comment\n",
    "def g():\n        return 2\n", "very_long_name = '" + "x" * 90 + "'\n",
    "a = b if c else d\n", "try:\n    pass\nexcept:\n    pass\n", "w = {'a':1}\n", "\n\n",
    "def h(a, b) :\n    return(a+b)\n",
]


class Collect(pycodestyle.BaseReport):
    def __init__(self, options):
        super().__init__(options)
        self.found = []

    def error(self, line_number, offset, text, check):
        code = super().error(line_number, offset, text, check)
        if code:
            self.found.append(code)
        return code


style = pycodestyle.StyleGuide(quiet=True, max_line_length=88, reporter=Collect)
for step in range(16):
    lines = "".join(rng.choice(SNIPPETS) for _ in range(250)).splitlines(True)
    checker = pycodestyle.Checker(f"gen{step}.py", lines=lines, options=style.options,
                                  report=Collect(style.options))
    count = checker.check_all()
    codes = {}
    for code in checker.report.found:
        codes[code] = codes.get(code, 0) + 1
    top = sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    print(f"step {step}: {count} problems, {len(codes)} codes, top {top}", flush=True)
print("done", flush=True)
