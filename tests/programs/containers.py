"""Built-in and collections containers, odd numbers, identity and cycles, StringIO, random."""
import collections
import io
import random

random.seed(7)
shared = [1, 2]
data = {
    "list": [1, 2, [3, 4]],
    "tuple": (1, (2, 3)),
    "set": {1, 2, 3},
    "frozen": frozenset({"a"}),
    "bytes": b"\x00\xffdata",
    "bytearray": bytearray(b"abc"),
    "complex": 3 + 4j,
    "floats": [float("inf"), float("-inf"), 1e-300, 0.1],
    "big": 2 ** 200,
    "neg": -17,
    "none": None,
    "bools": [True, False],
    "shared_a": shared,
    "shared_b": shared,
    "nested": {"x": {"y": {"z": [None, {}]}}},
    (1, 2): "tuple key",
    42: "int key",
}
cycle = [1]
cycle.append(cycle)
self_dict = {}
self_dict["me"] = self_dict
dq = collections.deque([1, 2, 3], maxlen=5)
od = collections.OrderedDict([("b", 1), ("a", 2)])
dd = collections.defaultdict(list)
dd["k"].append(1)
counter = collections.Counter("mississippi")
Pair = collections.namedtuple("Pair", "left right")
pair = Pair(1, right=2)
buffer = io.StringIO()
buffer.write("hello ")
binary = io.BytesIO(b"0123456789")
binary.seek(4)
rng = random.Random(42)
keys = data.keys()
print("start", rng.random() < 1)  #@capture
for step in range(3):
    shared.append(step)
    dq.append(step)
    od.move_to_end("b")
    dd["k"].append(step)
    counter["z"] += step
    buffer.write(f"s{step} ")
    gauss = random.gauss(0, 1) if step == 1 else None  # the next one waits in the state
    print("step", step, random.randint(0, 1000), rng.randint(0, 1000), binary.read(2))  #@capture 1,3
print("identity", data["shared_a"] is data["shared_b"], data["shared_a"])
print("cycle", cycle[1] is cycle, self_dict["me"] is self_dict)
print("deque", dq, dq.maxlen, "od", list(od.items()), "dd", dict(dd), dd["new"])
print("counter", counter.most_common(3), "pair", pair, pair.left, pair._asdict())
print("buffer", buffer.getvalue(), "keys view", sorted(map(str, keys)))
data["added"] = 1
print("view is live", "added" in keys)
print("values", data["bytes"], data["bytearray"], data["complex"], data["floats"], data["big"] % 1000)
print("odd", data[(1, 2)], data[42], data["set"], data["frozen"], data["nested"])
print("random", random.random(), rng.random(), random.gauss(0, 1))
