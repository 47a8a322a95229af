"""transitions: state machines for orders, with conditions, callbacks and nested states."""

import random

from transitions import Machine
from transitions.extensions import HierarchicalMachine


class Order:
    def __init__(self, n, rng):
        self.n = n
        self.rng = rng
        self.log = []
        self.paid = 0

    def is_valid(self, event=None):
        return self.rng.random() < 0.9

    def record(self, event):
        self.log.append(event.event.name)

    def on_enter_shipped(self, event=None):
        self.paid += 1


STATES = ["new", "checked", "paid", "shipped", "delivered", "cancelled", "refunded"]
TRANSITIONS = [
    {"trigger": "check", "source": "new", "dest": "checked", "conditions": "is_valid"},
    {"trigger": "pay", "source": "checked", "dest": "paid"},
    {"trigger": "ship", "source": "paid", "dest": "shipped"},
    {"trigger": "deliver", "source": "shipped", "dest": "delivered"},
    {"trigger": "cancel", "source": ["new", "checked", "paid"], "dest": "cancelled"},
    {"trigger": "refund", "source": ["cancelled", "delivered"], "dest": "refunded",
     "unless": "is_valid"},
]
NESTED = ["idle", {"name": "busy", "children": ["fetch", "work", "store"], "initial": "fetch"}]
rng = random.Random(97)
for step in range(30):
    finals = {}
    events = 0
    for n in range(60):
        order = Order(n, rng)
        Machine(model=order, states=STATES, transitions=TRANSITIONS, initial="new",
                after_state_change="record", send_event=True, ignore_invalid_triggers=True)
        for _ in range(8):
            getattr(order, rng.choice(["check", "pay", "ship", "deliver", "cancel", "refund"]))()
            events += 1
        finals[order.state] = finals.get(order.state, 0) + 1
    worker = HierarchicalMachine(states=NESTED, initial="idle", auto_transitions=False,
                                 transitions=[["start", "idle", "busy"],
                                              ["next", "busy_fetch", "busy_work"],
                                              ["next", "busy_work", "busy_store"],
                                              ["done", "busy", "idle"]])
    path = []
    for trigger in ["start", "next", "next", "done", "start", "next"]:
        worker.trigger(trigger)
        path.append(worker.state)
    print(f"step {step}: events {events} finals {sorted(finals.items())} path {path}",
          flush=True)
print("done", flush=True)
