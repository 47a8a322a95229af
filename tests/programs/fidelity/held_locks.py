"""Locks the program holds at the capture are held after the restore, as many times."""
import threading

rlock = threading.RLock()
lock = threading.Lock()


def work(i):
    with rlock:
        with rlock:
            with lock:
                total = i * 2  #@capture 2
                return total


for i in range(4):
    print(i, work(i), rlock._is_owned(), lock.locked(), flush=True)
