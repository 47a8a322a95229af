"""sqlglot: parse, optimise and transpile generated SQL between dialects."""

import random

import sqlglot
from sqlglot import exp
from sqlglot.optimizer import optimize

rng = random.Random(59)
schema = {"users": {"id": "INT", "name": "TEXT", "age": "INT", "city": "TEXT"},
          "orders": {"id": "INT", "user_id": "INT", "total": "DOUBLE", "day": "DATE"}}
dialects = ["duckdb", "postgres", "mysql", "spark", "bigquery", "snowflake", "sqlite", "tsql"]


def query():
    cond = rng.choice(["u.age > 30", "o.total BETWEEN 10 AND 99", "u.city IN ('a', 'b')",
                       "u.name LIKE 'x%'", "COALESCE(o.total, 0) > 5"])
    agg = rng.choice(["SUM(o.total)", "COUNT(DISTINCT o.id)", "AVG(u.age)", "MAX(o.day)"])
    return (f"WITH recent AS (SELECT * FROM orders WHERE day > DATE '2020-01-0{rng.randint(1, 9)}') "
            f"SELECT u.city, {agg} AS v, ROW_NUMBER() OVER (PARTITION BY u.city ORDER BY u.id) "
            f"AS rn FROM users AS u JOIN recent AS o ON o.user_id = u.id WHERE {cond} "
            f"AND 1 = 1 GROUP BY u.city, u.id HAVING {agg} > {rng.randint(0, 9)} "
            f"ORDER BY v DESC LIMIT {rng.randint(1, 50)}")


for step in range(30):
    sql = query()
    tree = sqlglot.parse_one(sql)
    columns = sorted({c.sql() for c in tree.find_all(exp.Column)})
    optimized = optimize(tree, schema=schema).sql(pretty=True)
    target = dialects[step % len(dialects)]
    out = sqlglot.transpile(sql, read="duckdb", write=target)[0]
    print(f"step {step}: {target} cols {len(columns)} opt {len(optimized)} "
          f"out {out[:70]!r}", flush=True)
print("done", flush=True)
