# Issue 10: a function of more than 16 locals continued on 3.13. The resume code numbers
# its locals in another order, and a LOAD_FAST_LOAD_FAST naming local 16 read the wrong
# ones: the values printed were silently wrong.
def probe(x):
    return x


def many(rnd):
    a = b = c = probe(rnd) + 1
    d, e, f, g = 4, 5, 6, 7
    h, i, j, k = 8, 9, 10, 11
    l, m, n, o = 12, 13, 14, 15
    p, q, r, s = 16, 17, 18, 19
    t = probe(rnd)  # CAPTURE
    print(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t)
    print(a + b, c + d, e + f, g + h, i + j, k + l, m + n, o + p, q + r, s + t)
    return a * s + t


total = 0
for rnd in range(4):
    total += many(rnd)
print("done", total)
