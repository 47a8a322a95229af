import time


def slow_key(value):
    time.sleep(0.5)
    return -value


print("sorting", flush=True)
print(sorted(range(20), key=slow_key))
