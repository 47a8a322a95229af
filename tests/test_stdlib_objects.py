"""Issue 11, item 6: the standard library's objects, audited. Each either travels, on one
CPython and across versions, with the same output as a plain run, or is refused in one
line naming it while the program runs on. A program per type is made from (setup, what
to print) and captured at its second print."""

import pytest

from tests.harness import DUMPED

# what cannot travel, and what the refusal must name
REFUSED = {
    "direntry": "posix.DirEntry",
    "hashlib": "_hashlib.HASH",
    "zlib": "zlib.Compress",
}
# travels, but not whole yet
OPEN = {}

CASES = {
 "struct": ("import struct\nobj = struct.Struct('<iH')", "obj.format, obj.size, obj.pack(1, 2)"),
 "pattern": ("import re\nobj = re.compile(r'a(b+)', re.I)", "obj.pattern, obj.flags, bool(obj.match('ABB'))"),
 "match": ("import re\nobj = re.compile(r'a(b+)').search('xxabbb', 1)", "obj.span(), obj.group(1), obj.pos"),
 "count": ("import itertools\nobj = itertools.count(5, 2)\nnext(obj)", "next(obj)"),
 "cycle": ("import itertools\nobj = itertools.cycle('abc')\nnext(obj)", "next(obj)"),
 "repeat": ("import itertools\nobj = itertools.repeat('x', 9)\nnext(obj)", "next(obj)"),
 "chain": ("import itertools\nobj = itertools.chain([1, 2], [3, 4, 5, 6])\nnext(obj)", "next(obj)"),
 "islice": ("import itertools\nobj = itertools.islice(range(100), 2, 50, 3)\nnext(obj)", "next(obj)"),
 "groupby": ("import itertools\nobj = itertools.groupby('aabbbccd')\nnext(obj)", "[(k, list(g)) for k, g in [next(obj)]]"),
 "accumulate": ("import itertools\nobj = itertools.accumulate([1, 2, 3, 4, 5, 6, 7])\nnext(obj)", "next(obj)"),
 "product": ("import itertools\nobj = itertools.product('ab', range(3))\nnext(obj)", "next(obj)"),
 "permutations": ("import itertools\nobj = itertools.permutations('abcd', 2)\nnext(obj)", "next(obj)"),
 "combinations": ("import itertools\nobj = itertools.combinations('abcde', 2)\nnext(obj)", "next(obj)"),
 "pairwise": ("import itertools\nobj = itertools.pairwise('abcdefg')\nnext(obj)", "next(obj)"),
 "tee": ("import itertools\nobj, other = itertools.tee(iter(range(10)))\nnext(obj)", "(next(obj), next(other))"),
 "map": ("obj = map(str.upper, ['a', 'b', 'c', 'd'])\nnext(obj)", "next(obj)"),
 "filter": ("obj = filter(None, [0, 1, 0, 2, 3, 0, 4])\nnext(obj)", "next(obj)"),
 "zip": ("obj = zip('abcd', range(4))\nnext(obj)", "next(obj)"),
 "enumerate": ("obj = enumerate('abcd', 10)\nnext(obj)", "next(obj)"),
 "reversed": ("obj = reversed([1, 2, 3, 4])\nnext(obj)", "next(obj)"),
 "itemgetter": ("import operator\nobj = operator.itemgetter(1, 0)", "obj('ab')"),
 "attrgetter": ("import operator\nobj = operator.attrgetter('real', 'imag')", "obj(3+4j)"),
 "methodcaller": ("import operator\nobj = operator.methodcaller('split', ',', 1)", "obj('a,b,c')"),
 "lru_cache": ("import functools\n@functools.lru_cache(maxsize=4)\ndef obj(x, k=0):\n    return [x * 2]\nkept = obj(1); obj(2, k=1); obj(1); obj((5,))", "(obj(3), obj(1) is kept, obj.cache_info())"),
 "cache": ("import functools\nclass Settings: pass\n@functools.cache\ndef obj():\n    return Settings()\nkept = obj()", "(obj() is kept, obj.cache_info())"),
 "partialmethod": ("import functools\nclass K:\n    def f(self, a, b):\n        return a + b\n    g = functools.partialmethod(f, 10)\nobj = K()", "obj.g(5)"),
 "singledispatch": ("import functools\n@functools.singledispatch\ndef obj(x):\n    return 'any'\n@obj.register\ndef _(x: int):\n    return 'int'", "(obj(1), obj('s'))"),
 "fraction": ("import fractions\nobj = fractions.Fraction(3, 7)", "obj * 2"),
 "decimal": ("import decimal\nobj = decimal.Decimal('1.25')", "obj * 3"),
 "datetime": ("import datetime\nobj = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)", "obj.isoformat()"),
 "zoneinfo": ("import datetime, zoneinfo\nobj = datetime.datetime(2024, 5, 6, 7, tzinfo=zoneinfo.ZoneInfo('Europe/Paris'))", "obj.isoformat()"),
 "pathlib": ("import pathlib\nobj = pathlib.PurePosixPath('/a/b/c.txt')", "(obj.name, obj.suffix, str(obj.parent))"),
 "uuid": ("import uuid\nobj = uuid.UUID('12345678123456781234567812345678')", "str(obj)"),
 "ipaddress": ("import ipaddress\nobj = ipaddress.ip_network('10.0.0.0/30')", "[str(a) for a in obj]"),
 "array": ("import array\nobj = array.array('d', [1.5, 2.5])", "obj.tolist()"),
 "memoryview": ("data = bytearray(b'hello world')\nobj = memoryview(data)[2:7]\nro = memoryview(b'abcdef')[1:4]", "(bytes(obj), obj.obj is data, bytes(ro), ro.readonly, obj.tolist()[:2])"),
 "chainmap": ("import collections\nobj = collections.ChainMap({'a': 1}, {'a': 2, 'b': 3})", "(obj['a'], obj['b'], len(obj.maps))"),
 "namespace": ("import types\nobj = types.SimpleNamespace(a=1, b=[2])", "obj"),
 "weakvaluedict": ("import weakref\nclass V: pass\nkeep = V()\nobj = weakref.WeakValueDictionary({'k': keep})", "(len(obj), obj['k'] is keep)"),
 "weakset": ("import weakref\nclass V: pass\nkeep = V()\nobj = weakref.WeakSet([keep])", "(len(obj), keep in obj)"),
 "exitstack": ("import contextlib\nobj = contextlib.ExitStack()\nobj.callback(print, 'closed')", "type(obj).__name__"),
 "flag": ("import enum\nclass F(enum.Flag):\n    A = 1\n    B = 2\nobj = F.A | F.B", "(obj, F.A in obj)"),
 "event": ("import threading\nobj = threading.Event()\nobj.set()", "obj.is_set()"),
 "condition": ("import threading\nobj = threading.Condition()", "obj.acquire(blocking=False) and (obj.release() or True)"),
 "semaphore": ("import threading\nobj = threading.BoundedSemaphore(3)\nobj.acquire()", "obj._value"),
 "queue": ("import queue\nobj = queue.Queue()\nobj.put(1); obj.put(2)", "(obj.qsize(), obj.queue[0])"),
 "simplequeue": ("import queue\nobj = queue.SimpleQueue()\nobj.put(1); obj.put(2)", "obj.qsize()"),
 "sqlite": ("import sqlite3\nobj = sqlite3.connect(':memory:')\nobj.execute('create table t(x)')\nobj.execute('insert into t values (7)')\nobj.commit()", "obj.execute('select x from t').fetchall()"),
 "hashlib": ("import hashlib\nobj = hashlib.sha256(b'abc')", "obj.hexdigest()[:8]"),
 "zlib": ("import zlib\nobj = zlib.compressobj()", "type(obj).__name__"),
 "direntry": ("import os\nobj = next(os.scandir('/'))", "type(obj).__name__"),
 "tokeninfo": ("import io, tokenize\nobj = list(tokenize.generate_tokens(io.StringIO('x = 1  # note\\n').readline))", "[(tokenize.tok_name[t.type], t.string) for t in obj if t.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE)]"),
}

PAIRS = [("3.11", "3.13"), ("3.13", "3.11")]


def _program(tmp, name):
    setup, show = CASES[name]
    path = tmp / f"case_{name}.py"
    path.write_text(setup + "\nfor i in range(3):\n    print(i, repr((" + show +
                    ",)), flush=True)  # CAP\n")
    return path


def _cases():
    for name in CASES:
        for source, target in PAIRS:
            marks = [pytest.mark.xfail(strict=False, reason=OPEN[name])] if name in OPEN else []
            yield pytest.param(name, source, target, id=f"{name}-{source}-{target}",
                               marks=marks)


@pytest.mark.parametrize("name,source,target", list(_cases()))
def test_standard_library_object(env, name, source, target):
    program = _program(env.tmp, name)
    want = env.plain(program, version=source)
    assert want.returncode == 0, want
    line = next(n for n, text in enumerate(program.read_text().splitlines(), 1)
                if "# CAP" in text)
    snapshot = env.tmp / "snap.json"
    first = env.framemig(source, "exec", "--dump-at", f"{program}:{line}#2", "--dump-to",
                         snapshot, program)
    if name in REFUSED:
        refusal = first.stderr.decode()
        assert first.returncode == 0 and first.stdout == want.stdout, first
        assert refusal.count("\n") == 1 and REFUSED[name] in refusal, refusal
        return
    assert first.returncode == DUMPED, first
    final = env.framemig(target, "restore", snapshot)
    assert first.stdout + final.stdout == want.stdout, (first, final)
    assert final.returncode == 0, final
