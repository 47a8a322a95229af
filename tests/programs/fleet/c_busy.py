"""Spends its last second in C code, then ends: a migration cannot catch it."""
print("started", flush=True)
print(sum(range(150_000_000)))
