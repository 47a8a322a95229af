"""A module of the program: its globals travel with the program."""

calls = 0
history = []


def record(value):
    global calls
    calls += 1
    history.append(value)
    print("helper records", value)  #@capture 2
    return calls
