"""For-loop iterators of every built-in kind, while loops, break/continue/else."""

data = {"a": 1, "b": 2, "c": 3}
words = ["alpha", "beta", "gamma", "delta"]
total = 0

for i in range(4):
    for w in words:
        total += len(w) * i  #@capture 1,7
    print("range", i, total)

for key in data:
    print("key", key)  #@capture 2
for key in data.keys():
    print("keys()", key)
for value in data.values():
    print("values()", value)  #@capture 3
for key, value in data.items():
    print("items()", key, value)
for ch in "xyz":
    print("char", ch)  #@capture 2
for n, w in enumerate(words, 10):
    print("enumerate", n, w)  #@capture 3
for a, b in zip(words, reversed(words)):
    print("zip/reversed", a, b)  #@capture 2
for item in (1, "two", 3.0):
    print("tuple item", item)

n = 0
while True:
    n += 1
    if n % 2:
        continue
    if n > 8:
        break
    print("while", n)  #@capture 3
else:
    print("never")

for i in range(3):
    if i == 5:
        break
else:
    print("for-else ran")  #@capture

count = 0
while count < 3:
    count += 1
    print("count", count)
print("total", total)
