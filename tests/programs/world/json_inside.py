"""Captured inside json.loads' object_hook: the decoder's C scanner, which the frames of
json hold, travels (it was refused: "is a _json.Scanner object")."""
import json

count = 0


def hook(d):
    global count
    count += 1
    return {k: v * 2 for k, v in d.items()}  #@capture 3


decoder = json.JSONDecoder(object_hook=hook, parse_float=str)
for i in range(3):
    data = decoder.decode("[" + ",".join('{"a": %d.5}' % k for k in range(5)) + "]")
    print(i, count, data, flush=True)
