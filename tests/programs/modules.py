"""Globals of several program modules and a package; functions from them; late imports."""
#@also _helper_mod.py
import _helper_mod as helper_mod
import pkg
from _helper_mod import record
from pkg.util import scale

total = 0
for i in range(4):
    total += record(scale(i))
    print("main total", total)  #@capture 3
pkg.util.factor = 10
print("scaled", pkg.scale(2), scale(2), pkg.VERSION)  #@capture
import _late_mod as late_mod  # noqa: E402  (imported only after the capture)

print("late", late_mod.VALUE, helper_mod.calls, helper_mod.history)
print("same module", record.__globals__ is helper_mod.__dict__)
