"""sqlparse: format, split and inspect generated SQL scripts."""

import random

import sqlparse

rng = random.Random(3)
tables = ["users", "orders", "items", "payments", "events"]
cols = ["id", "name", "total", "created", "status", "user_id", "amount"]


def statement():
    kind = rng.choice(["select", "insert", "update", "delete"])
    t = rng.choice(tables)
    if kind == "select":
        c = ", ".join(rng.sample(cols, 3))
        j = rng.choice(tables)
        return (f"select {c}, count(*) as n from {t} join {j} on {t}.id = {j}.user_id "
                f"where {rng.choice(cols)} > {rng.randint(1, 99)} and status in ('a','b') "
                f"group by {c} having count(*) > 2 order by n desc limit 10")
    if kind == "insert":
        return f"insert into {t} (id, name) values ({rng.randint(1, 999)}, 'n{rng.randint(1, 9)}')"
    if kind == "update":
        return f"update {t} set amount = amount * 1.1 where id = {rng.randint(1, 99)}"
    return f"delete from {t} where created < '2020-01-0{rng.randint(1, 9)}'"


for step in range(36):
    script = ";\n".join(statement() for _ in range(12)) + ";"
    parts = sqlparse.split(script)
    formatted = sqlparse.format(script, reindent=True, keyword_case="upper",
                                identifier_case="lower")
    parsed = sqlparse.parse(script)
    kinds = [p.get_type() for p in parsed]
    tokens = sum(1 for p in parsed for _ in p.flatten())
    print(f"step {step}: statements {len(parts)} lines {formatted.count(chr(10))} "
          f"tokens {tokens} kinds {','.join(sorted(set(kinds)))}", flush=True)
print(formatted.splitlines()[-3:], flush=True)
