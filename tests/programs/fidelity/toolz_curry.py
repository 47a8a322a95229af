"""toolz's @curry (its __reduce__ names the function "__main__:scale") and boltons' LRI
(a dict subclass with an RLock)."""
from boltons.cacheutils import LRI
from toolz import curry


@curry
def scale(factor, x):
    return x * factor


double = scale(2)
cache = LRI(max_size=3)
for i in range(6):
    cache[i] = double(i)  #@capture 2
    print(i, double(i), scale(3, i), sorted(cache.items()), flush=True)
