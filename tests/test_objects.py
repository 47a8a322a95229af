"""Objects through the table and back: identity, cycles, and the standard library's types.
(The program's own functions, classes and frames are covered by the corpus.)"""

import collections
import datetime
import decimal
import enum
import fractions
import io
import math
import random
import re
import threading

import pytest

from framemig.capture.encoder import Encoder
from framemig.capture.world import World
from framemig.errors import CannotTravel
from framemig.restore.program import Restoration
from framemig.snapshot import format as snapshot_format


def roundtrip(value, tmp_path):
    main = tmp_path / "main.py"
    main.write_text("")
    world = World(str(main))
    enc = Encoder(world)
    root = enc.root(value, "value")
    body = {"program": {"root": str(tmp_path), "main": "main.py", "argv": []},
            "sources": {"main.py": {"text": "", "sha256": snapshot_format.source_hash(""),
                                    "role": "program"}, **world.used_sources},
            "modules": [], "stack": [],
            "objects": enc.drain(), "root_value": root}
    body = snapshot_format.decode(snapshot_format.encode(body), trust_unsigned=True)  # through real JSON
    restoration = Restoration(body)
    return restoration.decoder.load(body["root_value"])


VALUES = [
    [1, "two", 3.5, None, True, 2 ** 100, -7],
    {"a": [1, 2], (1, 2): {3}, 4: frozenset({5})},
    (1, (2, (3, ()))),
    b"\x00\xff" * 10, bytearray(b"abc"), 3 - 4j,
    collections.OrderedDict(b=1, a=2), collections.Counter("hello"),
    collections.deque([1, 2, 3], maxlen=4),
    datetime.datetime(2026, 11, 24, 12, 30), datetime.timedelta(days=2),
    decimal.Decimal("1.10"), fractions.Fraction(3, 7), re.compile(r"a+b", re.I),
    range(2, 20, 3), slice(1, None, 2), Ellipsis, NotImplemented, int, dict.fromkeys,
]


class Weekday(enum.Enum):  # not a program class here: imported by name
    MON = 1


Pair = collections.namedtuple("Pair", "x y")
VALUES.append(Pair(1, 2))


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_values_come_back_equal(value, tmp_path):
    back = roundtrip(value, tmp_path)
    assert back == value and type(back) is type(value)


def test_special_floats(tmp_path):
    back = roundtrip([math.inf, -math.inf, math.nan, 0.1, -0.0], tmp_path)
    assert back[:2] == [math.inf, -math.inf] and math.isnan(back[2])
    assert back[3] == 0.1 and math.copysign(1, back[4]) == -1


def test_identity_and_cycles(tmp_path):
    shared = [1]
    cyclic = []
    cyclic.append(cyclic)
    loop = {}
    loop["self"] = loop
    pair = (cyclic, shared)
    back = roundtrip({"a": shared, "b": shared, "c": cyclic, "d": loop, "e": pair}, tmp_path)
    assert back["a"] is back["b"]
    assert back["c"][0] is back["c"]
    assert back["d"]["self"] is back["d"]
    assert back["e"][0] is back["c"] and back["e"][1] is back["a"]


def test_deep_structures_need_no_recursion(tmp_path):
    node = None
    for n in range(50_000):
        node = [n, node]
    back = roundtrip(node, tmp_path)
    depth = 0
    while back is not None:
        back, depth = back[1], depth + 1
    assert depth == 50_000


def test_iterators_keep_their_position_and_their_list(tmp_path):
    items = [1, 2, 3, 4]
    iterator = iter(items)
    next(iterator)
    words = enumerate("abc")
    next(words)
    back = roundtrip({"list": items, "it": iterator, "words": words,
                      "range": iter(range(5)), "zip": zip("ab", "cd")}, tmp_path)
    assert next(back["it"]) == 2 and list(back["words"]) == [(1, "b"), (2, "c")]
    assert list(back["range"]) == [0, 1, 2, 3, 4] and list(back["zip"]) == [("a", "c"), ("b", "d")]


def test_stringio_bytesio_and_random(tmp_path):
    text = io.StringIO()
    text.write("hello")
    data = io.BytesIO(b"0123456789")
    data.seek(3)
    rng = random.Random(5)
    rng.random()
    back = roundtrip([text, data, rng], tmp_path)
    assert back[0].getvalue() == "hello" and back[0].tell() == 5
    assert back[1].read(2) == b"34"
    assert back[2].random() == rng.random()


def test_locks_and_views(tmp_path):
    held = threading.Lock()
    held.acquire()
    table = {"a": 1}
    back = roundtrip([held, threading.Lock(), table, table.keys()], tmp_path)
    assert back[0].locked() and not back[1].locked()
    back[2]["b"] = 2
    assert list(back[3]) == ["a", "b"]  # still a live view of the same dict


def test_exceptions_keep_args_and_cause(tmp_path):
    try:
        try:
            raise KeyError("inner")
        except KeyError as inner:
            raise ValueError("outer", 7) from inner
    except ValueError as outer:
        back = roundtrip(outer, tmp_path)
    assert back.args == ("outer", 7) and isinstance(back.__cause__, KeyError)


def test_library_objects_by_name_keep_identity(tmp_path):
    import dataclasses

    back = roundtrip([dataclasses.MISSING, math.sqrt, Weekday.MON], tmp_path)
    assert back[0] is dataclasses.MISSING and back[1] is math.sqrt
    assert back[2] is Weekday.MON


def test_refused_objects_name_where_they_are(tmp_path):
    import socket

    sock = socket.socket()
    try:
        with pytest.raises(CannotTravel, match=r"value\[1\]\['conn'\] is a socket"):
            roundtrip([1, {"conn": sock}], tmp_path)
    finally:
        sock.close()


def test_the_programs_own_keys_never_look_like_framemig_forms(tmp_path):
    shared = [1]
    tricky = {"ref": 0, "t": {"x": shared}, "l": [shared], "d": {}, "o": 1, "u": 2,
              "float": "nan", "s": {"ref": 5}, "kv": shared}
    back = roundtrip([tricky, shared], tmp_path)
    assert back[0] == tricky and back[0]["t"]["x"] is back[1] and back[0]["l"][0] is back[1]
