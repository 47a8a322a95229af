"""Python-Markdown: render generated documents with extensions."""

import hashlib
import random

import markdown

rng = random.Random(11)
words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()


def document(n):
    out = [f"# Report {n}", ""]
    for s in range(8):
        out += [f"## Section {s}", ""]
        out.append(" ".join(rng.choice(words) for _ in range(40)) + " *emph* **strong** `code`.")
        out.append("")
        out += [f"- item {i} [link](http://example.com/{i})" for i in range(5)]
        out.append("")
        out += ["| a | b |", "|---|---|"] + [f"| {i} | {rng.randint(1, 99)} |" for i in range(4)]
        out += ["", "```python", "def f(x):", "    return x * 2", "```", ""]
        out += ["> quoted " + rng.choice(words), ""]
    return "\n".join(out)


md = markdown.Markdown(extensions=["tables", "fenced_code", "toc", "footnotes", "attr_list"])
for step in range(60):
    html = md.reset().convert(document(step))
    digest = hashlib.sha256(html.encode()).hexdigest()[:16]
    print(f"step {step}: {len(html)} chars {html.count('<li>')} li {digest}", flush=True)
print("toc", len(md.toc), flush=True)
