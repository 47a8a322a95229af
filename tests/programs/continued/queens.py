# Issue 10, defect 4: program code driven by C code (list() consuming a generator); the
# capture completes at the first safe point after the C call returns.
import sys


def perms(items):
    pool = tuple(items); n = len(pool)
    idx = list(range(n)); cyc = list(range(1, n + 1))[::-1]
    yield tuple(pool[i] for i in idx)
    while n:
        for i in reversed(range(n)):
            cyc[i] -= 1
            if cyc[i] == 0:
                idx[i:] = idx[i + 1:] + idx[i:i + 1]; cyc[i] = n - i
            else:
                j = cyc[i]; idx[i], idx[-j] = idx[-j], idx[i]
                yield tuple(pool[i] for i in idx)
                break
        else:
            return


def queens(n):
    cols = range(n)
    for vec in perms(cols):
        if n == len(set(vec[i] + i for i in cols)) == len(set(vec[i] - i for i in cols)):
            yield vec


def solve(n):
    return list(queens(n))


rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 12
for k in range(rounds):
    print(k, len(solve(7)), flush=True)
