"""pathlib's classes live in pathlib._local on 3.13 and in pathlib before: a Path travels
between them."""
from pathlib import Path, PurePosixPath

p = Path("/tmp") / "x.txt"
q = PurePosixPath("a/b")
for i in range(4):
    print(i, p.suffix, p.parent, q.name, type(p).__name__, flush=True)  #@capture 2
