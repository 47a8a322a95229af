"""Every value on every captured frame's stack, replaced in turn by values of the wrong
type, through restore: the slots the interpreter reads without checking (a loop's
iterator, the list a comprehension appends to, a constant MATCH_KEYS takes) must be
refused, not crash it. Deterministic, and quick: run on each interpreter, since each
compiles the seeds to other instructions (3.12 inlines comprehensions)."""

from __future__ import annotations

import collections
import json
import os
import tempfile
from pathlib import Path

from tests.fuzz import snapshots

WRONG = (7, "", None, {"l": []}, {"d": {}}, 2.5, {"u": [1]})


def fuzz(examples: int = 0, seed=None, work: Path | None = None,
         echo=print) -> collections.Counter:
    """(``examples`` and ``seed`` are not used: every slot is tried.)"""
    from framemig.snapshot import format as snapshot_format

    work = Path(work or tempfile.mkdtemp(prefix="framemig-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("FRAMEMIG_CACHE_DIR", str(work / "cache"))
    os.environ.setdefault("FRAMEMIG_RUN_DIR", str(work / "run"))
    seeds = [json.loads(data)["body"] for data in snapshots.make_seeds(work)]
    os.chdir(work)
    snapshots._preload()
    counts: collections.Counter = collections.Counter()
    failures = []
    for which, body in enumerate(seeds):
        text = json.dumps(body)
        for k, record in enumerate(body["stack"]):
            for n, item in enumerate(record.get("stack", ())):
                if item.get("k") == "lasti":
                    continue
                for wrong in WRONG:
                    case = json.loads(text)
                    changed = case["stack"][k]["stack"][n]
                    changed["v"] = wrong
                    changed.pop("unbound", None)
                    path = work / "case.json"
                    path.write_bytes(snapshot_format.encode(case))
                    report = work / f"report-{sum(counts.values())}"
                    outcome = snapshots.restore_forked(str(path), str(report))
                    if report.exists():
                        report.unlink()
                    counts[outcome.kind] += 1
                    if not outcome.ok:
                        failures.append(f"seed {snapshots.CAPTURES[which]}, frame {k}, "
                                        f"slot {n} = {wrong!r}: {outcome}")
    assert not failures, "\n".join(failures[:10])
    return counts
