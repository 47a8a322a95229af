"""Frames of a pure-Python library on the stack: sched runs the program's callbacks."""
import sched
import sys
import time

scheduler = sched.scheduler(time.monotonic, time.sleep)
log = []


def job(name):
    log.append(name)
    print("job", name)  #@capture 2


for n, name in enumerate(["a", "b", "c"]):
    scheduler.enter(float(sys.argv[1] if len(sys.argv) > 1 else 0.3) * n, 1, job, (name,))
scheduler.run()
print("log", log)
