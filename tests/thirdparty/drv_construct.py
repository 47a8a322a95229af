"""construct: declarative binary formats, building and parsing records and packets."""

import random

from construct import (
    Array,
    Byte,
    Bytes,
    Checksum,
    Computed,
    Const,
    CString,
    Enum,
    Flag,
    If,
    Int16ub,
    Int32ul,
    PascalString,
    Prefixed,
    RawCopy,
    Struct,
    Switch,
    VarInt,
    this,
)

Kind = Enum(Byte, ping=1, data=2, text=3)
Packet = Struct(
    "magic" / Const(b"FM"),
    "kind" / Kind,
    "seq" / Int32ul,
    "body" / Switch(this.kind, {
        "ping": Struct("stamp" / Int32ul),
        "data": Struct("count" / Byte, "values" / Array(this.count, Int16ub)),
        "text": Struct("text" / PascalString(VarInt, "utf8"), "tag" / CString("ascii")),
    }),
    "flag" / Flag,
    "extra" / If(this.flag, Prefixed(VarInt, Bytes(this.seq % 7))),
    "size" / Computed(lambda ctx: ctx.seq % 100),
)
Framed = Struct("fields" / RawCopy(Packet),
                "sum" / Checksum(Byte, lambda data: sum(data) & 0xFF, this.fields.data))
rng = random.Random(101)
for step in range(70):
    blobs = []
    for seq in range(150):
        kind = rng.choice(["ping", "data", "text"])
        body = {"ping": {"stamp": rng.randint(0, 2 ** 31)},
                "data": {"count": 5, "values": [rng.randint(0, 65535) for _ in range(5)]},
                "text": {"text": f"héllo {seq}", "tag": "t"}}[kind]
        flag = rng.random() < 0.5
        packet = {"kind": kind, "seq": seq, "body": body, "flag": flag,
                  "extra": bytes(range(seq % 7)) if flag else None}
        blobs.append(Framed.build({"fields": {"value": packet}}))
    parsed = [Framed.parse(b) for b in blobs]
    kinds = {}
    for p in parsed:
        kinds[str(p.fields.value.kind)] = kinds.get(str(p.fields.value.kind), 0) + 1
    size = sum(map(len, blobs))
    print(f"step {step}: bytes {size} kinds {sorted(kinds.items())} "
          f"checks {sum(p.sum for p in parsed)} last {blobs[-1].hex()[:24]}", flush=True)
print("done", flush=True)
