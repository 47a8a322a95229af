"""Object-heavy scheduling simulation: classes, methods, attribute access."""
import sys
import time


class Task:
    __slots__ = ("name", "priority", "work", "done")

    def __init__(self, name, priority, work):
        self.name, self.priority, self.work, self.done = name, priority, work, 0

    def step(self):
        self.done += 1
        return self.done >= self.work


class Scheduler:
    def __init__(self):
        self.queue = []
        self.finished = 0

    def add(self, task):
        self.queue.append(task)

    def run(self):
        while self.queue:
            self.queue.sort(key=lambda t: (t.priority, t.done))
            task = self.queue.pop(0)
            if task.step():
                self.finished += 1
            else:
                task.priority = (task.priority * 7 + 3) % 11
                self.queue.append(task)
        return self.finished


start = time.perf_counter()
count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
scheduler = Scheduler()
for n in range(count):
    scheduler.add(Task(f"t{n}", n % 5, 20 + n % 30))
print("finished", scheduler.run())
print(f"elapsed {time.perf_counter() - start:.6f}")
