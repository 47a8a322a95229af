"""Event style: framemig timers keep the process alive after the main script ends."""
import framemig

ticks = []


def tick(name):
    ticks.append(name)
    print("tick", name, len(ticks))  #@capture 2,5
    if len(ticks) == 6:
        framemig.clear(repeater)


def once(message):
    print("once", message)  #@capture


repeater = framemig.set_interval(tick, 0.02, "interval")
framemig.set_timeout(once, 0.05, "hello")
framemig.set_timeout(once, 0.01, "first")
cancelled = framemig.set_timeout(once, 0.03, "never")
framemig.clear(cancelled)
print("main script done")  #@capture
