"""Generators: suspended in variables, running under for, next(), send(), yield from."""


def numbers(n):
    for i in range(n):
        print("numbers yields", i)  #@capture 2
        yield i * i


def echo():
    received = []
    while True:
        value = yield len(received)
        if value is None:
            break
        received.append(value)
        print("echo got", value)  #@capture 2
    return received


def chained():
    yield "start"
    result = yield from numbers(3)
    print("chained got", result)
    yield "end"


squares = numbers(5)
print("first", next(squares))
print("second", next(squares))
gen_expr = (c.upper() for c in "abcdef")
print("genexpr", next(gen_expr), next(gen_expr))
e = echo()
next(e)
print("send", e.send("x"))
print("send", e.send("y"))  #@capture
for value in squares:
    print("rest", value)  #@capture 2
print("genexpr rest", list(gen_expr))
for item in chained():
    print("chained item", item)  #@capture 3
try:
    e.send(None)
except StopIteration as stop:
    print("echo returned", stop.value)
unstarted = numbers(2)
print("unstarted later")  #@capture
print("unstarted", list(unstarted))
