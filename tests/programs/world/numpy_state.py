"""numpy: arrays of several dtypes, orders and byte orders, views that share memory with
their array (written through one, read through the other), arrays of objects and of
records, a read-only array; the legacy global generator (np.random.seed), print options
and error handling set by the program; a Generator."""
import numpy as np

np.random.seed(42)
np.set_printoptions(precision=3, suppress=True)
np.seterr(divide="ignore")
grid = np.arange(24, dtype=np.float64).reshape(4, 6)
window = grid[1:3, ::2]
transposed = grid.T
fortran = np.asfortranarray(np.arange(6, dtype="<i4").reshape(2, 3))
objects = np.array([{"k": 1}, [1, 2], None], dtype=object)
records = np.zeros(3, dtype=[("x", "<f4"), ("n", "S3")])
frozen = np.arange(5)
frozen.flags.writeable = False
big_endian = np.arange(4, dtype=">i8")
scalar = np.float32(2.5)
rng = np.random.default_rng(7)
empty = np.empty((0, 3))
for i in range(3):
    print(i, np.random.rand(2), rng.integers(0, 100, 3), flush=True)  #@capture 2
    window += 1
    records["x"][i] = i / 3
    print(grid.sum(), np.shares_memory(window, grid), np.shares_memory(transposed, grid),
          transposed[0, 1], fortran.flags.f_contiguous, fortran.strides, flush=True)
    print(objects, records, frozen.flags.writeable, big_endian.dtype, big_endian.sum(),
          scalar * 2, np.array([1.0]) / 0, empty.shape, flush=True)
    print(np.array([1.23456789, 1e-9]), np.geterr()["divide"], flush=True)
