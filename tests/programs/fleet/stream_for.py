"""The same, written as a for loop over the reader."""
import os

import framemig

seen = 0
for message in framemig.reader("numbers", start="0"):
    n = message.data["n"]
    if n < 0:
        break
    seen += 1
    print("got", n, "seen", seen, "on", os.environ.get("FRAMEMIG_NODE"), flush=True)
print("end", seen, flush=True)
