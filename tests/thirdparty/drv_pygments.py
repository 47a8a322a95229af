"""Pygments: highlight source files of several languages to HTML, terminal and RTF."""

import hashlib
import json
import random

from pygments import highlight, lex
from pygments.formatters import HtmlFormatter, RtfFormatter, TerminalFormatter
from pygments.lexers import CLexer, JsonLexer, PythonLexer, SqlLexer

rng = random.Random(4)
PY_TEMPLATE = '''class C{i}(Base):
    """Doc {i}."""
    @property
    def value(self, x={i}):
        return [y ** 2 for y in range(x) if y % {m}]  # note
    async def run(self):
        await f"{{self!r}} {{x:>4}}" + b'\\x00' + r"raw\\n"
'''
python_source = "\n".join(PY_TEMPLATE.format(i=i, m=rng.randint(2, 9)) for i in range(80))
c_source = "\n".join(f"int f{i}(int x) {{ return x * {i} + {rng.randint(0, 99)}; }} // c"
                     for i in range(150))
sql_source = "\n".join(f"SELECT a, b FROM t{i} WHERE c > {i} ORDER BY a;" for i in range(150))
json_source = json.dumps({f"k{i}": [i, str(i), {"x": i * 0.5}] for i in range(150)}, indent=2)
jobs = [(python_source, PythonLexer), (c_source, CLexer), (sql_source, SqlLexer),
        (json_source, JsonLexer)]
formatters = [HtmlFormatter(linenos=True), TerminalFormatter(), RtfFormatter()]
for step in range(36):
    source, lexer = jobs[step % len(jobs)]
    formatter = formatters[step % len(formatters)]
    out = highlight(source, lexer(), formatter)
    tokens = sum(1 for _ in lex(source, lexer()))
    print(f"step {step}: {lexer.name} {type(formatter).__name__} {len(out)} chars "
          f"{tokens} tokens {hashlib.md5(out.encode()).hexdigest()[:12]}", flush=True)
print("done", flush=True)
