"""A library's module globals the program changed travel (ply's lex.lexer, yapf's global
style): the target imports the library afresh, and must not go on with its import-time
values. The library's lazily made socket stays behind and is made again. Its sentinel,
its token types made on first use and a class attribute it sets lazily keep their
identity (sqlparse's PROCESS_AS_KEYWORD; pygments' and sqlparse's tokens and _tokens).
A class attribute's dict and a global list the library filled in place keep what it
put in them (docutils' Body.patterns)."""
import re

import fakelib

fakelib.build(10)
fakelib.set_style("google")
fakelib.connection()
word = re.compile(r"(\w+)(?=;)")
text = "alpha; beta; gamma;"
match = word.search(text, 3)
dml = fakelib.Token.Keyword.DML
missing = fakelib.MISSING
lexer = fakelib.Lexer()
document = fakelib.Document("alpha beta")
first = document.parts[0]
newer = getattr(fakelib, "NEWER", object())  # on 3.11 the target has no such sentinel
state = fakelib.State()
for i in range(3):
    print(i, fakelib.step(), fakelib.connection().family.name, flush=True)  #@capture 2
    print(i, match.group(1), match.span(), match.pos, match.lastindex, flush=True)
    print(i, dml is fakelib.Token.Keyword.DML, lexer.kind("select") is dml,
          lexer.kind("x") is fakelib.Token.Name, missing is fakelib.MISSING,
          fakelib.lookup({"a": 1}, "b"), type(newer).__name__, flush=True)
    first.word += "!"
    print(i, document.parts[0].word, first is document.parts[0], flush=True)
    print(i, state.kinds(), fakelib.State.patterns is state.patterns, flush=True)
    match = word.search(text, match.end())
