# Issue 10, defect 3: a restored frame shows the program's names only, and its stack
# shows the program's frames only.
import inspect
import sys
import traceback


class Base:
    def __init__(self):
        self.base = True


class Thing(Base):
    def __init__(self, n, *, label="t"):
        super().__init__()
        total = 0
        for i in range(n):
            total += i  # IN-INIT
        keep = lambda: self  # noqa: E731 (self becomes a cell)
        print("init", sorted(locals()), total, keep() is self)
        names = [s.name for s in traceback.extract_stack()[-3:]]
        print("stack", names)
        self.total = total


def work(n, *rest, flag=None):
    total = 0
    for i in range(n):
        total += i  # IN-WORK
    del flag
    frame = sys._getframe()
    print("work", sorted(locals()), sorted(frame.f_locals), total)
    print("args", inspect.getargvalues(frame).args)
    print("callers", [f.f_code.co_name for f in (frame, frame.f_back)])
    return total


def main():
    for k in range(3):
        work(2000 + k)
        Thing(1000 + k)


main()
print("globals", list(globals()))
