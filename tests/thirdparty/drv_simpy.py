"""SimPy: a discrete-event simulation of a bank with tellers, queues and impatient clients."""

import random

import simpy


def customer(env, name, counter, stats, rng):
    arrive = env.now
    with counter.request() as req:
        patience = rng.uniform(1, 6)
        result = yield req | env.timeout(patience)
        waited = env.now - arrive
        if req in result:
            stats["served"] += 1
            stats["wait"] += waited
            yield env.timeout(rng.expovariate(1 / 8))
        else:
            stats["reneged"] += 1


def source(env, number, interval, counter, stats, rng):
    for i in range(number):
        env.process(customer(env, f"c{i}", counter, stats, rng))
        yield env.timeout(rng.expovariate(1 / interval))


def monitor(env, counter, samples):
    while True:
        samples.append(len(counter.queue))
        yield env.timeout(5)


for step in range(20):
    rng = random.Random(step)
    env = simpy.Environment()
    counter = simpy.Resource(env, capacity=1 + step % 3)
    stats = {"served": 0, "reneged": 0, "wait": 0.0}
    samples = []
    env.process(source(env, 1500, 4.0, counter, stats, rng))
    env.process(monitor(env, counter, samples))
    env.run(until=8000)
    print(f"step {step}: tellers {counter.capacity} served {stats['served']} reneged "
          f"{stats['reneged']} wait {stats['wait'] / max(stats['served'], 1):.4f} "
          f"maxq {max(samples)} now {env.now}", flush=True)
print("done", flush=True)
