"""Recursion close to the interpreter's limit (1000 frames by default)."""


def down(n, trail):
    if n == 0:
        print("bottom reached")  #@capture
        return len(trail)
    trail.append(n)
    return down(n - 1, trail) + 1


print("result", down(960, []))
