"""tomlkit: build, parse, edit and round-trip TOML documents, keeping style and comments."""

import random

import tomlkit

rng = random.Random(23)
for step in range(50):
    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"generated config {step}"))
    doc["title"] = f"service {step}"
    for s in range(12):
        table = tomlkit.table()
        table["port"] = 8000 + rng.randint(0, 999)
        table["hosts"] = [f"h{rng.randint(0, 9)}.local" for _ in range(3)]
        table["ratio"] = round(rng.random(), 4)
        table["enabled"] = rng.random() < 0.5
        table.add(tomlkit.comment("tuned"))
        table["limits"] = tomlkit.inline_table()
        table["limits"].update({"cpu": rng.randint(1, 8), "mem": f"{rng.randint(1, 64)}G"})
        doc[f"server{s}"] = table
    text = tomlkit.dumps(doc)
    again = tomlkit.parse(text)
    for key in list(again)[2::3]:
        again[key]["port"] = again[key]["port"] + 1
    again["servers"] = tomlkit.aot()
    for n in range(5):
        again["servers"].append({"n": n, "name": f"s{n}"})
    text2 = again.as_string()
    plain = tomlkit.parse(text2).unwrap()
    ports = sum(plain[k]["port"] for k in plain if k.startswith("server") and k != "servers")
    print(f"step {step}: {len(text)} -> {len(text2)} chars ports {ports} "
          f"same {tomlkit.dumps(tomlkit.parse(text2)) == text2}", flush=True)
print(text2.splitlines()[3], flush=True)
