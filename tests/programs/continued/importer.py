# Issue 10, defect 5: a dump while the program imports a slow module of its own waits
# for the import to finish. The module's import runs until a file named by the first
# argument exists (the test creates it once the dump is waiting).
import sys

print("importing", flush=True)
import _slow_module  # noqa: E402

print("imported", _slow_module.VALUE, flush=True)
total = 0
for k in range(3):
    total += sum(range(100000 + k))
    print(k, total, flush=True)
