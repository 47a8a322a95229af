"""Parses XML with ElementTree (from a file) and JSON, round after round, until the file
named by its argument exists: a dump may come while the parsers' C code and the standard
library's frames run; it is made once they return, never refused."""
import hashlib
import json
import os
import sys
import xml.etree.ElementTree as ET

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "work")
os.makedirs(here, exist_ok=True)
document = os.path.join(here, "doc.xml")
with open(document, "w") as out:
    out.write("<root>" + "".join(f'<item n="{k}">text {k}</item>' for k in range(3000)) +
              "</root>")
i = 0
while not os.path.exists(sys.argv[1]):
    tree = ET.parse(document)
    total = sum(int(item.get("n")) for item in tree.getroot().iter("item"))
    data = json.loads(json.dumps({"round": i, "items": [{"k": k} for k in range(2000)]}))
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]
    print(i, total, len(data["items"]), digest, flush=True)
    i += 1
