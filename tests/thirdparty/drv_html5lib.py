"""html5lib: parse messy generated HTML the way browsers do, walk it, serialise it."""

import hashlib
import random

import html5lib
from html5lib import serializer, treewalkers

rng = random.Random(47)
TAGS = ["div", "p", "span", "b", "i", "table", "tr", "td", "ul", "li", "a", "em"]


def messy(n):
    out = ["<!doctype html><title>page</title>"]
    for _ in range(n):
        tag = rng.choice(TAGS)
        r = rng.random()
        if r < 0.4:
            out.append(f"<{tag} class=c{rng.randint(0, 9)} data-x='{rng.randint(0, 99)}'>")
        elif r < 0.6:
            out.append(f"</{tag}>")
        elif r < 0.7:
            out.append("&amp; &lt;tag&gt; &copy; &#x41; &nbsp;")
        else:
            out.append(f"text {rng.randint(0, 999)} ")
    return "".join(out)


walker = treewalkers.getTreeWalker("etree")
ser = serializer.HTMLSerializer(omit_optional_tags=False, quote_attr_values="always")
for step in range(30):
    source = messy(500)
    tree = html5lib.parse(source, treebuilder="etree", namespaceHTMLElements=False)
    counts = {}
    for token in walker(tree):
        counts[token["type"]] = counts.get(token["type"], 0) + 1
    html = ser.render(walker(tree))
    frag = html5lib.parseFragment("<td>cell<td>next", container="tr")
    print(f"step {step}: tokens {sorted(counts.items())} out {len(html)} "
          f"{hashlib.md5(html.encode()).hexdigest()[:12]} frag {len(list(frag))}", flush=True)
print("done", flush=True)
