"""A comprehension reading a free variable of the function it runs in (uncertainties'
f_with_affine_output: `cls` from the enclosing _wrap), captured inside the comprehension:
3.12+ inline it, 3.11 gives it a frame of its own whose closure must be the enclosing
function's own cell ("cannot access free variable 'cls'" after a 3.13 -> 3.11 restore)."""


def wrap(cls, scale):
    def positions(*args):
        picked = [index * scale for (index, value) in enumerate(args)
                  if isinstance(value, cls)]  # IN-COMP
        return picked
    return positions


find = wrap(float, 10)
for i in range(4):
    print(i, find(1, 2.0, "x", 3.5, i * 0.5), flush=True)
