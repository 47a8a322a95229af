"""Threads as objects travel: a finished thread, one not started yet (started after the
restore), a cancelled Timer (each was refused: "is a thread")."""
import threading

results = []


def work(n):
    results.append(n * n)


done = threading.Thread(target=work, args=(3,), name="worker-done")
done.start()
done.join()
later = threading.Thread(target=work, args=(5,), name="worker-later", daemon=True)
timer = threading.Timer(60, work, args=(7,))
timer.cancel()
for i in range(3):
    print(i, done.name, done.is_alive(), later.name, later.daemon, later.is_alive(),
          timer.finished.is_set(), timer.interval, results, flush=True)  #@capture 2
    if i == 1:
        later.start()
        later.join()
done.join()
print(results, later.is_alive(), done.ident is not None, flush=True)
