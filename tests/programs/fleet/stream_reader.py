"""Reads numbers from a data stream and prints each with the node it runs on."""
import os

import framemig

numbers = framemig.reader("numbers", start="0")
seen = 0
while True:
    message = numbers.read()
    n = message.data["n"]
    if n < 0:
        break
    seen += 1
    print("got", n, "seen", seen, "on", os.environ.get("FRAMEMIG_NODE"), flush=True)
print("end", seen, flush=True)
