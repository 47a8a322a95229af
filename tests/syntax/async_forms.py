# ruff: noqa
"""async def, await, async with, async for, async generators and async comprehensions,
driven by the program's own loop (coroutine.send), without asyncio."""


def probe(x):
    return x


class Tick:
    """An awaitable that suspends once and then gives its value."""

    def __init__(self, value):
        self.value = value

    def __await__(self):
        yield probe("tick")
        return self.value


class Resource:
    def __init__(self, name):
        self.name = name

    async def __aenter__(self):
        await Tick(None)
        print("acquire", self.name)
        return probe(self)

    async def __aexit__(self, *exc):
        print("release", self.name)
        return False


class Numbers:
    def __init__(self, n):
        self.n = n
        self.i = 0

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.i >= self.n:
            raise StopAsyncIteration
        self.i += 1
        return await Tick(probe(self.i))


async def agen(n):
    for i in range(n):
        await Tick(i)
        yield probe(i * 10)


async def work(rnd):
    value = await Tick(probe(rnd))
    async with Resource("a") as a, Resource(probe("b")) as b:
        print("inside", a.name, b.name, value)
    got = []
    async for n in Numbers(probe(3)):
        got.append(n)
    else:
        print("async for done", got)
    tens = [x async for x in agen(probe(3)) if x != 10]
    pairs = {x: await Tick(x * 2) for x in range(probe(2))}
    print("async comprehensions", tens, pairs)
    return value + sum(got)


def run(coroutine):
    """Send None until the coroutine finishes; count the suspensions."""
    ticks = 0
    while True:
        try:
            signal = coroutine.send(None)
        except StopIteration as stop:
            return stop.value, ticks
        ticks += signal == probe("tick")


for rnd in range(3):
    print("round", rnd)
    print("result", run(work(rnd)))
print("done")
