"""textX (on Arpeggio): a small entity DSL, parsed into models and turned into SQL DDL."""

import random

from textx import metamodel_from_str

GRAMMAR = r"""
Model: types*=SimpleType entities+=Entity;
SimpleType: 'type' name=ID;
Entity: 'entity' name=ID ('extends' base=[Entity])? '{' properties+=Property '}';
Property: name=ID ':' type=[Type] (many?='*')? (default=Default)?;
Default: '=' value=Value;
Value: STRICTFLOAT | INT | STRING | BOOL;
Type: SimpleType | Entity;
Comment: /\/\/.*$/;
"""

mm = metamodel_from_str(GRAMMAR)
rng = random.Random(89)
SIMPLE = ["int", "string", "float", "bool", "date"]


def source(n):
    out = [f"type {t}" for t in SIMPLE]
    names = []
    for e in range(n):
        name = f"Entity{e}"
        parent = f" extends {rng.choice(names)}" if names and rng.random() < 0.3 else ""
        props = []
        for p in range(rng.randint(2, 8)):
            ptype = rng.choice(SIMPLE + names[-3:])
            many = "*" if rng.random() < 0.2 else ""
            default = rng.choice(["", " = 1", " = 2.5", ' = "x"', " = true"])
            props.append(f"  p{p}: {ptype}{many}{default} // prop")
        out.append(f"entity {name}{parent} {{\n" + "\n".join(props) + "\n}")
        names.append(name)
    return "\n".join(out)


def ddl(model):
    lines = []
    for entity in model.entities:
        cols = []
        e = entity
        while e is not None:
            for prop in e.properties:
                kind = prop.type.name
                cols.append(f"{prop.name} {kind.upper()}{'[]' if prop.many else ''}"
                            f"{' DEFAULT ' + str(prop.default.value) if prop.default else ''}")
            e = e.base
        lines.append(f"CREATE TABLE {entity.name} ({', '.join(cols)});")
    return lines


for step in range(10):
    model = mm.model_from_str(source(25))
    out = ddl(model)
    widest = max(out, key=len)
    print(f"step {step}: entities {len(model.entities)} ddl {sum(map(len, out))} chars "
          f"widest {widest[:60]!r}", flush=True)
print("done", flush=True)
