"""The syntax corpus: programs in tests/syntax/ that use every statement and expression
form of the language reference, captured at every line they reach — and, inside their
``probe`` function, under every call of it — on one CPython and restored on another.

Nothing is marked by hand: ``tests/syntax/_trace.py`` runs each program under a line tracer
on each version and says which lines it reaches, how often, and from which call sites
``probe`` is called. A case is (program, line, hit, A, B): ``framemig exec --dump-at
FILE:LINE#HIT`` on A, then ``framemig restore`` on B; what both print must be what a plain
run prints, byte for byte, and the exit status the same. A capture that is refused (exec
says ``framemig: ...`` and goes on) must leave the output whole; it is reported as a
warning.

By default (``make test``) each line and each immediate call site of ``probe`` is one
case, its (A, B) pair taken in turn from the nine pairs of 3.11/3.12/3.13 (A == B
included), the line's second hit where it has one: about 920 cases, a few minutes on two
cores. With ``FRAMEMIG_SLOW=1`` (``make test-slow``), every line and every distinct stack
under ``probe`` is captured for all nine pairs: 8,717 cases, about 26 minutes;
``FRAMEMIG_SYNTAX_DEFAULT=1`` keeps the default selection then.

``FRAMEMIG_SYNTAX_RESULTS=PATH`` appends one JSON line per case to PATH (what a failure
list is made from).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import signal
import subprocess
import tempfile
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from tests.harness import DUMPED, HERE, VERSIONS, Run, python

SYNTAX = HERE / "syntax"
TRACER = SYNTAX / "_trace.py"
PROGRAMS = sorted(p for p in SYNTAX.glob("*.py") if not p.name.startswith("_"))
PAIRS = [(a, b) for a in VERSIONS for b in VERSIONS]
SLOW = os.environ.get("FRAMEMIG_SLOW", "") not in ("", "0")
# FRAMEMIG_SYNTAX_DEFAULT=1 keeps the one-pair-per-line selection under FRAMEMIG_SLOW too
FULL = SLOW and os.environ.get("FRAMEMIG_SYNTAX_DEFAULT", "") in ("", "0")
TIMEOUT = 60  # seconds for one exec or restore; the programs run in well under one


class CaptureRefused(UserWarning):
    """A capture the engine refused: the program ran on, uncaptured."""


# --- what a program reaches --------------------------------------------------------------


def _fingerprint(path: str) -> str:
    real = os.path.realpath(path)
    stat = os.stat(real)
    return f"{real}:{stat.st_size}:{stat.st_mtime_ns}"


@functools.cache
def trace(program: Path, version: str) -> dict:
    """``_trace.py``'s report of a plain run of ``program`` on ``version``, cached under
    the temporary directory (keyed by the program, the tracer and the interpreter)."""
    interpreter = python(version)
    key = hashlib.sha256(b"\0".join([
        program.read_bytes(), TRACER.read_bytes(), _fingerprint(interpreter).encode(),
    ])).hexdigest()[:24]
    cache = Path(tempfile.gettempdir()) / "framemig-syntax-traces" / f"{key}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    done = subprocess.run([interpreter, str(TRACER), str(program)], capture_output=True,
                          text=True, timeout=120, cwd=tempfile.gettempdir(),
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    if done.returncode != 0:
        raise RuntimeError(f"tracing {program.name} on {version} failed:\n{done.stderr}")
    report = json.loads(done.stdout)
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(report))
    os.replace(partial, cache)
    return report


@dataclass(frozen=True)
class Case:
    program: str  # file name in tests/syntax/
    line: int
    hit: int
    source: str  # version that runs up to the capture
    target: str  # version that restores
    site: str = ""  # for probe's line: the stack of call positions it waits under

    def __str__(self):
        where = f"{Path(self.program).stem}:{self.line}#{self.hit}"
        if self.site:
            where += "@" + self.site.split(" < ")[0]
        return f"{where}-{self.source}-{self.target}"


def _items(program: Path) -> list[tuple]:
    """What to capture in ``program``, the same on every version: ("line", line) for
    each line some version reaches (probe's body aside), then ("site", key) for each
    probe call site (each immediate call position by default, each stack when slow)."""
    reports = {v: trace(program, v) for v in VERSIONS}
    probe_lines = {r["probe"]["line"] for r in reports.values()}
    lines = sorted({line for r in reports.values() for line, _ in r["lines"]} - probe_lines)
    items = [("line", line) for line in lines]
    seen = set()
    for version in VERSIONS:
        for key, _, _ in reports[version]["probe"]["sites"]:
            short = key if FULL else key.split(" < ")[0]
            if short not in seen:
                seen.add(short)
                items.append(("site", short))
    return items


def _case(program: Path, item: tuple, source: str, target: str) -> Case | None:
    """The case capturing ``item`` on ``source``, or None if a run there never gets to it."""
    report = trace(program, source)
    kind, what = item
    if kind == "line":
        hits = dict(report["lines"]).get(what)
        if hits is None:
            return None
        return Case(program.name, what, min(hits, 2), source, target)
    for key, first_hit, _ in report["probe"]["sites"]:
        if key == what or key.split(" < ")[0] == what:
            return Case(program.name, report["probe"]["line"], first_hit, source, target, key)
    return None


def all_cases() -> list[Case]:
    cases = []
    turn = 0
    for program in PROGRAMS:
        for item in _items(program):
            if FULL:
                cases += [c for a, b in PAIRS if (c := _case(program, item, a, b))]
                continue
            for step in range(len(PAIRS)):  # the next pair whose source reaches the item
                case = _case(program, item, *PAIRS[(turn + step) % len(PAIRS)])
                if case is not None:
                    cases.append(case)
                    break
            turn += 1
    return cases


CASES = all_cases()


# --- running -----------------------------------------------------------------------------


@functools.cache
def plain(program: str, version: str = "3.11") -> Run:
    done = subprocess.run([python(version), str(SYNTAX / program)], capture_output=True,
                          timeout=TIMEOUT, cwd=tempfile.gettempdir(),
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    return Run(done.stdout, done.stderr, done.returncode)


def _compiler_warnings(program: str, version: str) -> bytes:
    """What ``version``'s compiler warns of as a plain run starts (3.14: a return in a
    finally block): an exec on that version shows it, a restore never again."""
    if version == "3.11":
        return b""
    err = plain(program, version).stderr
    lines = err.splitlines(True)
    kept = []
    for n, line in enumerate(lines):
        if b"SyntaxWarning: " in line:
            kept += lines[n:n + 2]  # the warning and the source line it shows
    return b"".join(kept)


def _refusals(stderr: bytes) -> list[str]:
    return [line for line in stderr.decode(errors="replace").splitlines()
            if line.startswith("framemig: ")]


def _first_difference(got: bytes, want: bytes) -> str:
    got_lines, want_lines = got.splitlines(), want.splitlines()
    for n, (g, w) in enumerate(zip(got_lines, want_lines), 1):
        if g != w:
            return f"output line {n}: got {g[:200]!r}, want {w[:200]!r}"
    if len(got_lines) < len(want_lines):
        return (f"output stops after line {len(got_lines)}; next wanted "
                f"{want_lines[len(got_lines)][:200]!r}")
    if len(got_lines) > len(want_lines):
        return (f"output goes on after line {len(want_lines)}: "
                f"{got_lines[len(want_lines)][:200]!r}")
    return "output differs in line endings"


def _last_line(stderr: bytes) -> str:
    """The line that says what went wrong: framemig's own, else the exception's (not a
    warning printed after it), else the last one."""
    lines = [x for x in stderr.decode(errors="replace").splitlines() if x.strip()]
    for line in lines:
        if line.startswith("framemig: "):
            return line[:300]
    for line in reversed(lines):
        if re.match(r"[\w.]+(Error|Exception|Exit|Interrupt|Group)\b", line):
            return line[:300]
    return lines[-1][:300] if lines else ""


def _what_went_wrong(run: Run, err: bytes) -> str:
    if run.returncode < 0:
        try:
            name = signal.Signals(-run.returncode).name
        except ValueError:
            name = f"signal {-run.returncode}"
        return f"killed by {name}" + (f"; {_last_line(err)}" if _last_line(err) else "")
    return _last_line(err)


def _source_line(case: Case) -> str:
    return (SYNTAX / case.program).read_text().splitlines()[case.line - 1].strip()


def _record(case: Case, **outcome) -> None:
    path = os.environ.get("FRAMEMIG_SYNTAX_RESULTS")
    if path:
        entry = {**asdict(case), "id": str(case), "code": _source_line(case), **outcome}
        with open(path, "a") as out:
            out.write(json.dumps(entry) + "\n")


# The harness keeps Python from writing bytecode (no __pycache__ among the programs);
# here it goes to a private prefix instead, so that framemig is not compiled again for each
# of the many processes (a third of their CPU time).
PYCACHE = {"PYTHONDONTWRITEBYTECODE": "",
           "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "framemig-syntax-pycache")}


def _run(env, version, *args) -> Run:
    env.extra.update(PYCACHE)
    try:
        return env.framemig(version, *args, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as timeout:
        return Run(timeout.stdout or b"", (timeout.stderr or b"") +
                   f"\n(timed out after {TIMEOUT} s)".encode(), -9)


# Cases that still fail, each with its reason; they run, and pass the day they are fixed.
# (Asked for in a @dataclass class body, a capture used to be made inside 3.13's
# dataclasses, whose source 3.11 cannot compile: the standard library's lines are no safe
# points now.)
KNOWN_FAILURES: dict[str, str] = {
    # found when 3.14 joined the rotation of pairs (it failed before, on other pairs it
    # was not given): 3.11 runs an async dict comprehension awaiting inside in a frame of
    # its own, 3.13 inlines it, and the awaited coroutine's frame finds no frame to run
    # in (restore refuses in one line, exit 72: "frame 3 of the snapshot runs inside
    # another one here"); for the asyncio issue
    "async_forms:66#2-3.11-3.13": "an awaited call inside an async comprehension, from "
                                  "3.11 (own frame) to 3.13 (inlined): refused",
}


def _marked(case: Case):
    reason = KNOWN_FAILURES.get(str(case))
    if reason is None:
        return case
    return pytest.param(case, marks=pytest.mark.xfail(reason=reason, strict=False))


@pytest.mark.parametrize("case", [_marked(c) for c in CASES], ids=str)
def test_capture_and_restore(env, case):
    want = plain(case.program)
    program = SYNTAX / case.program
    snapshot = env.tmp / "snap.json"
    first = _run(env, case.source, "exec", "--dump-at", f"{program}:{case.line}#{case.hit}",
                 "--dump-to", snapshot, program)
    where = f"{case} `{_source_line(case)}`"
    if first.returncode != DUMPED:
        refused = _refusals(first.stderr)
        stderr = b"".join(line + b"\n" for line in first.stderr.splitlines()
                          if not line.startswith(b"framemig: "))
        warned = _compiler_warnings(case.program, case.source)
        if warned and stderr.startswith(warned):
            stderr = stderr[len(warned):]
        whole = (first.stdout == want.stdout and first.returncode == want.returncode
                 and stderr == want.stderr)
        _record(case, outcome="refused" if refused and whole else "failed",
                exec_rc=first.returncode, restore_rc=None, error="; ".join(refused)
                or _last_line(first.stderr) or "capture not reached",
                difference=None if first.stdout == want.stdout
                else _first_difference(first.stdout, want.stdout))
        assert refused, f"{where}: the capture was never made (exec exit " \
                        f"{first.returncode}): {first!r}"
        warnings.warn(CaptureRefused(f"{where}: {refused[0]}"), stacklevel=1)
        assert first.stdout == want.stdout, \
            f"{where}: refused, and the output differs: " \
            f"{_first_difference(first.stdout, want.stdout)}"
        assert first.returncode == want.returncode and stderr == want.stderr, \
            f"{where}: refused, and the run ended otherwise: {first!r}"
        return
    final = _run(env, case.target, "restore", snapshot)
    out = first.stdout + final.stdout
    err = first.stderr + final.stderr
    warned = _compiler_warnings(case.program, case.source)
    if warned and err.startswith(warned):
        err = err[len(warned):]
    ok = out == want.stdout and final.returncode == want.returncode and err == want.stderr
    _record(case, outcome="passed" if ok else "failed", exec_rc=first.returncode,
            restore_rc=final.returncode, error=_what_went_wrong(final, err),
            difference=None if out == want.stdout else _first_difference(out, want.stdout))
    assert out == want.stdout, \
        f"{where}: restore exit {final.returncode}, " \
        f"{_first_difference(out, want.stdout)}; {_what_went_wrong(final, err)}"
    assert final.returncode == want.returncode, \
        f"{where}: exit status {final.returncode}, not {want.returncode}: {final!r}"
    assert err == want.stderr, f"{where}: error output differs: {final!r}"


# --- the corpus itself -------------------------------------------------------------------


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_plain_runs_agree(program):
    """Every version prints the same: a difference after a restore is framemig's."""
    runs = {v: plain(program.name, v) for v in VERSIONS}
    for version, run in runs.items():
        warned = _compiler_warnings(program.name, version)
        if warned and run.stderr.startswith(warned):
            run = Run(run.stdout, run.stderr[len(warned):], run.returncode)
        assert (run.stdout, run.stderr, run.returncode) == \
            (runs["3.11"].stdout, runs["3.11"].stderr, runs["3.11"].returncode), version
    assert runs["3.11"].stdout.count(b"\n") > 10


def _code_lines(code) -> set[int]:
    lines = {line for _, _, line in code.co_lines() if line}
    for const in code.co_consts:
        if hasattr(const, "co_lines"):
            lines |= _code_lines(const)
    return lines


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_every_line_is_reached(program):
    """Every line that has code is reached, so every line is captured; probe is called
    from many places."""
    source = program.read_text()
    code = compile(source, str(program), "exec", dont_inherit=True)
    report = trace(program, "3.11")
    reached = {line for line, _ in report["lines"]}
    # a def's, a class's or a decorator's line can own code (defaults, the build) that
    # traces as another line; what matters is that no statement is left out
    statements = {n for n in _code_lines(code)
                  if source.splitlines()[n - 1].strip() and
                  not source.splitlines()[n - 1].strip().startswith(("#", '"""', "'''"))}
    missed = sorted(statements - reached)
    assert not missed, [f"{n}: {source.splitlines()[n - 1].strip()}" for n in missed]
    assert len(report["probe"]["sites"]) >= 5
