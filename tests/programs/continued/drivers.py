# Issue 10, defect 4: gen.send(), gen.throw() and coro.send(None) drive program code like
# next() does: a frame waiting in them is a safe point.
def worker():
    total = 0
    while True:
        try:
            x = yield total
        except ValueError as e:
            x = int(str(e))
        for i in range(x):
            total += i  # IN-WORKER


class Tick:
    def __await__(self):
        yield "tick"


async def leaf(n):
    s = 0
    for i in range(n):
        s += i  # IN-LEAF
    await Tick()
    return s


async def task(n):
    total = 0
    for k in range(n):
        total += await leaf(3000 + k)
    return total


def run_coroutine(coroutine):
    ticks = 0
    while True:
        try:
            coroutine.send(None)
            ticks += 1
        except StopIteration as stop:
            return stop.value, ticks


g = worker()
next(g)
for k in range(4):
    print(k, g.send(3000), g.throw(ValueError("2000")))
print(run_coroutine(task(6)))
