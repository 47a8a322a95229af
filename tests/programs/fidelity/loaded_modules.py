"""What a program has imported is what it has imported: a restore must not load modules
of its own into the program's process (framemig's allow-list once imported numpy,
zoneinfo and fractions into every restored program, which `"numpy" in sys.modules` —
as libraries test to pick a code path — then saw)."""
import collections
import sys

counts = collections.Counter()
for step in range(3):
    counts[step % 2] += 1  #@capture 2
    print(step, sorted(name for name in ("numpy", "zoneinfo", "fractions", "array")
                       if name in sys.modules))
print(dict(counts))
