"""``python -m tests.fuzz snapshots|messages --examples N [--seed S]``: one fuzz run, its
outcomes counted; exit 1 (and the shrunk failing example) at the first failure."""

import argparse
import sys

parser = argparse.ArgumentParser(prog="python -m tests.fuzz")
parser.add_argument("what", choices=["snapshots", "slots", "messages"])
parser.add_argument("--examples", type=int, default=1000)
parser.add_argument("--seed", type=int, default=None, help="Hypothesis's seed, to replay")
parser.add_argument("--work", default=None, help="a directory for seeds and cases")
options = parser.parse_args()
if options.what == "snapshots":
    from tests.fuzz.snapshots import fuzz
elif options.what == "slots":
    from tests.fuzz.slots import fuzz
else:
    from tests.fuzz.messages import fuzz
try:
    counts = fuzz(options.examples, options.seed, options.work)
except AssertionError as failure:
    print(f"fuzz {options.what}: FAILED: {failure}", file=sys.stderr)
    sys.exit(1)
print(f"fuzz {options.what}: {sum(counts.values())} examples, none failed: {dict(counts)}")
