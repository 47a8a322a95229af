# Issue 10: lambdas closing over a comprehension's variable share its cell. 3.12+ keep
# that cell in the function's slot and save the outer one on the stack while the
# comprehension runs; captured inside the comprehension, after it, or in a lambda, the
# restored lambdas must still share one cell (NameError, wrong values on 3.12, a
# segfault on 3.13 before).
def probe(x):
    return x


def closures(rnd):
    n = rnd * 100  # an outer n, saved while the comprehensions run
    late = [lambda x: x + probe(n) for n in range(3)]  # IN-COMP
    adders = [lambda x, n=n: x + n for n in range(3)]
    k = probe(rnd)  # AFTER-COMP
    print("closures", n, [f(10) for f in late], [f(10) for f in adders], k)


for rnd in range(4):
    closures(rnd)
print("done")
