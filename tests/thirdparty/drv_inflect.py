"""inflect: plurals, articles, ordinals and numbers in words for generated sentences."""

import random

import inflect

p = inflect.engine()
rng = random.Random(61)
nouns = ["cat", "mouse", "child", "wolf", "cactus", "octopus", "person", "sheep", "box", "leaf",
         "analysis", "index", "hero", "potato", "bus", "ox", "criterion", "goose", "city"]
verbs = ["is", "was", "has", "goes", "runs", "flies"]
for step in range(20):
    parts = []
    for _ in range(12):
        noun = rng.choice(nouns)
        n = rng.randint(0, 12345)
        parts.append(f"{p.number_to_words(n, andword='')} {p.plural(noun, n)} "
                     f"{p.plural_verb(rng.choice(verbs), n)}")
    words = [p.a(rng.choice(nouns)) for _ in range(5)]
    ords = [p.ordinal(rng.randint(1, 200)) for _ in range(4)]
    joined = p.join([p.plural(n) for n in rng.sample(nouns, 4)])
    singular = p.singular_noun(p.plural(nouns[step % len(nouns)]))
    print(f"step {step}: {parts[0]}; {parts[-1]} | {' '.join(words)} | {' '.join(ords)} | "
          f"{joined} | {singular} | {p.compare('index', 'indices')}", flush=True)
print("done", flush=True)
