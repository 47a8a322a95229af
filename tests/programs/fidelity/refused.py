"""Ticks until the file named by its second argument exists, holding what its first
argument names: something whose description fails, or that cannot travel. A refused dump
must leave it exactly as it was."""
import os
import socket
import sys
import threading
import time


class Loop:
    def __getattr__(self, name):  # recurses for any attribute it lacks
        return getattr(self.inner, name)

    def __reduce__(self):
        return (Loop, (), self.missing)


class Angry:
    def __getstate__(self):
        raise ValueError("not now")

    def __setstate__(self, state):
        pass


class Document:
    """Its __getstate__, written for pickling a finished document, takes the reporter
    away from the live one: calling it would break the program for nothing."""

    def __init__(self):
        self.log = []
        self.reporter = self.log.append

    def __getstate__(self):
        self.reporter = None
        return self.__dict__.copy()


def orphan_lock():
    lock = threading.RLock()
    thread = threading.Thread(target=lock.acquire)  # ends holding it
    thread.start()
    thread.join()
    return lock


mode, stop = sys.argv[1], sys.argv[2]
doc = Document()
if mode == "loop":
    held = Loop()
elif mode == "angry":
    held = Angry()
elif mode == "socket":
    held = socket.socket()
else:
    held = orphan_lock()
for n in range(10**9):
    time.sleep(0.02)
    doc.reporter(n)
    print("tick", n, len(doc.log), flush=True)
    if os.path.exists(stop):
        break
