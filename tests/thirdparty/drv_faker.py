"""Faker: seeded fake people, addresses, companies and texts in several locales."""

import hashlib

from faker import Faker

locales = ["en_US", "de_DE", "fr_FR", "ja_JP", "it_IT"]
fake = Faker(locales)
Faker.seed(1234)
for step in range(150):
    loc = fake[locales[step % len(locales)]]
    people = [(loc.name(), loc.address().replace("\n", ", "), loc.phone_number(), loc.email())
              for _ in range(10)]
    company = loc.company()
    text = loc.text(max_nb_chars=200)
    profile = loc.simple_profile()
    digest = hashlib.md5(repr(people).encode()).hexdigest()[:12]
    print(f"step {step}: {locales[step % len(locales)]} {people[0][0]} | {company} | "
          f"{profile['username']} {profile['sex']} | {len(text)} {digest}", flush=True)
print("done", flush=True)
