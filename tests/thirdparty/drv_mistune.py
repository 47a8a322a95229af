"""mistune: markdown to HTML and to an AST, with plugins."""

import hashlib
import random

import mistune

rng = random.Random(5)
words = "red green blue cyan magenta yellow black white orange purple".split()


def document(n):
    out = []
    for s in range(25):
        out.append(f"### Part {n}.{s}")
        out.append(" ".join(rng.choice(words) for _ in range(30)) + " ~~gone~~ **bold**")
        out += [f"{i}. step [ref](https://x.org/{i}) _it_" for i in range(1, 4)]
        out += ["", "| x | y |", "|---|---|", f"| {s} | {rng.random():.3f} |", ""]
        out += ["- [ ] todo", "- [x] done", ""]
    return "\n".join(out)


html = mistune.create_markdown(plugins=["strikethrough", "table", "task_lists", "url"])
ast = mistune.create_markdown(renderer=None, plugins=["table"])


def count(nodes):
    return sum(1 + count(n.get("children", [])) for n in nodes if isinstance(n, dict))


for step in range(36):
    doc = document(step)
    out = html(doc)
    tree = ast(doc)
    print(f"step {step}: {len(out)} chars nodes {count(tree)} "
          f"{hashlib.md5(out.encode()).hexdigest()[:12]}", flush=True)
print("done", flush=True)
