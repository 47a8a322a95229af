"""Spectral norm (after the pyperformance benchmark)."""
import sys
import time


def eval_A(i, j):
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


def eval_times_u(func, u):
    return [func((i, u)) for i in range(len(list(u)))]


def part_A_times_u(i_u):
    i, u = i_u
    partial_sum = 0
    for j, u_j in enumerate(u):
        partial_sum += eval_A(i, j) * u_j
    return partial_sum


def part_At_times_u(i_u):
    i, u = i_u
    partial_sum = 0
    for j, u_j in enumerate(u):
        partial_sum += eval_A(j, i) * u_j
    return partial_sum


def eval_AtA_times_u(u):
    return eval_times_u(part_At_times_u, eval_times_u(part_A_times_u, u))


start = time.perf_counter()
n = int(sys.argv[1]) if len(sys.argv) > 1 else 250
u = [1] * n
for _ in range(10):
    v = eval_AtA_times_u(u)
    u = eval_AtA_times_u(v)
vBv = vv = 0
for ue, ve in zip(u, v):
    vBv += ue * ve
    vv += ve * ve
print(f"norm {(vBv / vv) ** 0.5:.9f}")
print(f"elapsed {time.perf_counter() - start:.6f}")
