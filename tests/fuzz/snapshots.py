"""Mutated snapshots through ``framemig restore --trust-unsigned``, as a person restores a
file someone handed them: refused in one line with a documented exit code, or rebuilt
and run — never a crash, a traceback or a hang.

Seeds are real captures of tests/fuzz/programs at several instants. Each example mutates
one (1–3 edits, see mutate.py), recomputes its checksums as a forger would (plain SHA-256,
no key: it stays unsigned), and restores it in a child forked from this process, which
has framemig loaded already: about 10 ms an example instead of an interpreter's start.

What counts as what: a child killed by a signal crashed; one that ends before it says it
has rebuilt the program (FRAMEMIG_REPORT) must have printed exactly one line
``framemig: ...``, no traceback, with one of REFUSALS; once the program is rebuilt, what
the mutated program then does (its own exceptions, running on) is its own business, short
of crashing the interpreter.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROGRAMS = Path(__file__).parent / "programs"
# exit codes of a refused snapshot (framemig/errors.py): corrupt, format version, source
# hash, cannot continue, cannot travel (a value restore cannot make), untrusted
REFUSALS = frozenset({67, 69, 70, 71, 72, 87})
REBUILD_TIMEOUT = 20.0  # seconds to refuse or rebuild (a loaded 2-core machine)
RUN_GRACE = 1.0  # seconds the rebuilt program may run before it is stopped

# (program, the line to capture at, which time it is reached)
CAPTURES = [
    ("shapes.py", "        queue.append(total)", 3),
    ("shapes.py", "        count += by", 5),
    ("shapes.py", "print(work(40), len(counts)", 1),
    ("flow.py", "        if received:", 3),
    ("flow.py", "                    results.append(-1)", 1),
    ("flow.py", "    log.append(f\"enter {name}\")", 2),
    ("flow.py", "    return [[cell * 2 for cell in row if cell % 2] for row in rows]", 4),
    ("flow.py", "    first = next(pending)", 1),
]


def make_seeds(directory: Path, python: str = sys.executable) -> list[bytes]:
    """Capture each of CAPTURES with ``framemig exec --dump-at``; the snapshots' bytes."""
    seeds = []
    for n, (name, text, hit) in enumerate(CAPTURES):
        program = directory / name
        if not program.exists():
            program.write_text((PROGRAMS / name).read_text())
        lines = program.read_text().splitlines()
        line = next(i for i, t in enumerate(lines, 1) if t.startswith(text))
        out = directory / f"seed{n}.json"
        done = subprocess.run(
            [python, "-m", "framemig", "exec", "--dump-at", f"{name}:{line}#{hit}",
             "--dump-to", str(out), name], cwd=directory, capture_output=True, timeout=120)
        if done.returncode != 75 or not out.exists():
            raise RuntimeError(f"no seed from {name}:{line}#{hit}: {done}")
        seeds.append(out.read_bytes())
    return seeds


@dataclasses.dataclass
class Outcome:
    kind: str  # refused, ran, crash, traceback, not-one-line, unknown-code, hang
    code: int | None = None
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.kind in ("refused", "ran")

    def __str__(self):
        return f"{self.kind} (exit {self.code}): {self.stderr[-800:]!r}"


def restore_forked(path: str, report: str) -> Outcome:
    """Restore ``path`` in a forked child; what became of it."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: restore, as `framemig restore --trust-unsigned` would
        code = 1
        try:
            os.close(read_end)
            null = os.open(os.devnull, os.O_RDWR)
            os.dup2(null, 0)
            os.dup2(null, 1)
            os.dup2(write_end, 2)
            os.environ["FRAMEMIG_REPORT"] = report
            from framemig.cli import main

            main(["restore", "--trust-unsigned", path])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            try:
                sys.stderr.flush()
            finally:
                os._exit(code)
    os.close(write_end)
    stderr = bytearray()
    started = time.monotonic()
    status = None
    killed = False
    rebuilt_at = None
    while status is None:
        ready, _, _ = select.select([read_end], [], [], 0.01)
        if ready:
            chunk = os.read(read_end, 65536)
            if len(stderr) < 1 << 16:
                stderr += chunk
        done, got = os.waitpid(pid, os.WNOHANG)
        if done:
            status = got
            break
        now = time.monotonic()
        if rebuilt_at is None and os.path.exists(report):
            rebuilt_at = now
        if (now - rebuilt_at > RUN_GRACE) if rebuilt_at is not None else \
                (now - started > REBUILD_TIMEOUT):
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            killed = True
    while True:
        ready, _, _ = select.select([read_end], [], [], 0)
        if not ready:
            break
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        stderr += chunk
    os.close(read_end)
    rebuilt = os.path.exists(report)
    text = stderr.decode("utf-8", "replace")
    if killed:
        return Outcome("ran" if rebuilt else "hang", None, text)
    if os.WIFSIGNALED(status):
        return Outcome("crash", -os.WTERMSIG(status), text)
    code = os.WEXITSTATUS(status)
    if rebuilt:
        return Outcome("ran", code, text)
    lines = text.splitlines()
    if "Traceback" in text:
        return Outcome("traceback", code, text)
    if len(lines) != 1 or not lines[0].startswith("framemig: "):
        return Outcome("not-one-line", code, text)
    if code not in REFUSALS:
        return Outcome("unknown-code", code, text)
    return Outcome("refused", code, text)


def _preload() -> None:
    """What every child needs, imported once here (the fork shares it): all of framemig
    but its terminal UI, and what the seeds import."""
    import importlib
    import pkgutil

    import framemig

    for module in ("contextlib", "dataclasses", "datetime", "decimal", "enum", "fractions"):
        importlib.import_module(module)
    for info in pkgutil.walk_packages(framemig.__path__, "framemig."):
        if not info.name.startswith(("framemig.ui", "framemig.__main__")):
            importlib.import_module(info.name)


def fuzz(examples: int, seed: int | None = None, work: Path | None = None,
         echo=None) -> collections.Counter:
    """Run ``examples`` mutated snapshots; the outcomes counted. Raises (Hypothesis's
    falsifying example, shrunk) at the first that is not refused or run."""
    from hypothesis import strategies as st

    from framemig.snapshot import format as snapshot_format
    from tests.fuzz import mutate

    echo = echo or functools.partial(print, flush=True)
    work = Path(work or tempfile.mkdtemp(prefix="framemig-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("FRAMEMIG_CACHE_DIR", str(work / "cache"))
    os.environ.setdefault("FRAMEMIG_RUN_DIR", str(work / "run"))
    seeds = [json.loads(data)["body"] for data in make_seeds(work)]
    texts = [json.dumps(body) for body in seeds]
    os.chdir(work)
    _preload()
    counts: collections.Counter = collections.Counter()
    number = [0]

    @mutate.examples(examples, seed)
    def one(data):
        which = data.draw(st.integers(0, len(seeds) - 1), label="seed")
        body = json.loads(texts[which])
        objects = body.get("objects")
        edits = [mutate.edit(body, data, len(objects) if type(objects) is list else 0)
                 for _ in range(data.draw(st.integers(1, 3), label="edits"))]
        sources = body.get("sources")
        for entry in sources.values() if type(sources) is dict else ():  # as a forger would
            if type(entry) is dict and type(entry.get("text")) is str:
                entry["sha256"] = snapshot_format.source_hash(entry["text"])
        number[0] += 1
        path = work / "case.json"
        try:
            path.write_bytes(snapshot_format.encode(body))
        except (TypeError, ValueError):  # not JSON any more (a key that is no string)
            counts["unwritable"] += 1
            return
        report = work / f"report-{number[0]}"
        outcome = restore_forked(str(path), str(report))
        if report.exists():
            report.unlink()
        counts[outcome.kind if outcome.kind != "refused" else f"refused {outcome.code}"] += 1
        if number[0] % 1000 == 0:
            echo(f"snapshots: {number[0]} … {dict(counts)}")
        assert outcome.ok, f"seed {CAPTURES[which]}, edits {edits}: {outcome}"

    one()
    return counts
