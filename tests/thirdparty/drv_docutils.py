"""docutils: reStructuredText documents published to HTML and to a doctree."""

import hashlib
import random

from docutils.core import publish_doctree, publish_string

rng = random.Random(2)
words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do".split()


def document(n):
    out = [f"Title {n}", "=" * 10, ""]
    for s in range(6):
        out += [f"Section {s}", "-" * 12, ""]
        out.append(" ".join(rng.choice(words) for _ in range(30)) + " *em* ``lit`` `ref`_.")
        out += ["", ".. _ref: http://example.org/", ""]
        out += ["* one", "* two", "", "  nested", ""]
        out += [".. note::", "", "   A note.", ""]
        out += ["=====  =====", "A      B", "=====  =====", f"{s}      {rng.randint(1, 9)}",
                "=====  =====", ""]
    return "\n".join(out)


settings = {"report_level": 5, "halt_level": 5, "embed_stylesheet": False, "stylesheet_path": "",
            "_disable_config": True, "datestamp": None, "generator": None}
for step in range(25):
    source = document(step)
    html = publish_string(source, writer_name="html5", settings_overrides=settings)
    tree = publish_doctree(source, settings_overrides=settings)
    print(f"step {step}: {len(html)} bytes {len(list(tree.findall()))} nodes "
          f"{hashlib.sha1(html).hexdigest()[:12]}", flush=True)
print("done", flush=True)
