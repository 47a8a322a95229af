"""sympy: symbolic algebra an application might do: expand, factor, integrate, solve."""

from sympy import (
    Matrix,
    Rational,
    cos,
    diff,
    exp,
    expand,
    factor,
    integrate,
    limit,
    oo,
    series,
    simplify,
    sin,
    solve,
    symbols,
)

x, y = symbols("x y")
for step in range(3):
    k = step + 1
    expr = (x + k * y) ** (step % 4 + 2) - (x - y) ** 2
    e = expand(expr)
    f = factor(x ** (2 * k) - y ** (2 * k))
    i = integrate(x ** (step % 3 + 1) * exp(-x) * sin(x), x)
    d = simplify(diff(i, x))
    roots = solve(x ** 3 - k * x ** 2 + Rational(k, 2) * x - 1, x)
    lim = limit((1 + Rational(1, k) / x) ** x, x, oo)
    s = series(cos(x) * exp(k * x), x, 0, 5).removeO()
    m = Matrix(3, 3, lambda i, j, k=k: (i + 1) * (j + k) % 5 + i).det()
    print(f"step {step}: terms {len(e.args)} factors {len(f.args)} check "
          f"{simplify(d - x ** (step % 3 + 1) * exp(-x) * sin(x)) == 0} roots {len(roots)} "
          f"lim {lim} series {s} det {m}", flush=True)
print("done", flush=True)
