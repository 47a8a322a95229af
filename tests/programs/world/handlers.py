"""atexit and signal handlers of the program travel: after a restore the exit handler
runs at the end, and the SIGUSR2 handler answers (they were lost)."""
import atexit
import os
import signal

seen = []


def goodbye(name, punctuation="!"):
    print(f"goodbye {name}{punctuation} {seen}", flush=True)


def on_usr2(number, frame):
    seen.append(signal.Signals(number).name)


atexit.register(goodbye, "world", punctuation=".")
atexit.register(print, "never", flush=True)
atexit.unregister(print)
signal.signal(signal.SIGUSR2, on_usr2)
for i in range(3):
    print(i, flush=True)  #@capture 2
    os.kill(os.getpid(), signal.SIGUSR2)
print("end", seen, flush=True)
