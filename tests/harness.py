"""Run programs plainly and under framemig, and compare what they print.

The rule every corpus test checks: the output of ``framemig exec`` (stopped at a capture)
followed by the output of each ``framemig restore`` equals, byte for byte, the output of
an uninterrupted ``python prog.py``, and the final exit status is the same.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
PROGRAMS = HERE / "programs"
VERSIONS = ("3.11", "3.12", "3.13")
# 3.14 joins the cross-version tests once an interpreter for it is given (issue 14);
# until make test provides one, the default suite is unchanged.
if os.environ.get("FRAMEMIG_PYTHON_3_14"):
    VERSIONS += ("3.14",)
DUMPED = 75


def python(version: str) -> str:
    path = os.environ.get(f"FRAMEMIG_PYTHON_{version.replace('.', '_')}")
    if path:
        return path
    if version == f"{sys.version_info.major}.{sys.version_info.minor}":
        return sys.executable
    raise RuntimeError(f"set FRAMEMIG_PYTHON_{version.replace('.', '_')} (make test does)")


@dataclass
class Run:
    stdout: bytes
    stderr: bytes
    returncode: int

    def __repr__(self):
        return (f"Run(rc={self.returncode}, stdout={self.stdout[-300:]!r}, "
                f"stderr={self.stderr[-1500:]!r})")


@dataclass
class Env:
    """A private run directory and cache, so tests never see each other's programs."""

    tmp: Path
    extra: dict = field(default_factory=dict)

    def vars(self) -> dict:
        env = dict(os.environ)
        env["FRAMEMIG_RUN_DIR"] = str(self.tmp / "run")
        env["FRAMEMIG_CACHE_DIR"] = str(self.tmp / "cache")
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPATH", None)
        env.update(self.extra)
        return env

    def run(self, args, cwd=None, timeout=120, stdin=None) -> Run:
        done = subprocess.run(args, cwd=cwd or self.tmp, env=self.vars(), capture_output=True,
                              timeout=timeout, stdin=stdin if stdin is not None
                              else subprocess.DEVNULL)
        return Run(done.stdout, done.stderr, done.returncode)

    def framemig(self, version: str, *args, **kwargs) -> Run:
        return self.run([python(version), "-m", "framemig", *map(str, args)], **kwargs)

    def plain(self, program: Path, *args, version="3.11", **kwargs) -> Run:
        return self.run([python(version), str(program), *args], **kwargs)

    def popen(self, version: str, *args, **kwargs) -> subprocess.Popen:
        return subprocess.Popen([python(version), "-m", "framemig", *map(str, args)],
                                cwd=self.tmp, env=self.vars(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, **kwargs)


def program_args(program: Path) -> list[str]:
    """Arguments named in a ``#@args a b c`` line of the program."""
    for text in program.read_text().splitlines():
        if text.startswith("#@args"):
            return text.split()[1:]
    return []


def markers(program: Path) -> list[tuple[Path, int, int]]:
    """``(file, line, hit)`` for every ``#@capture`` comment (``#@capture 2,5`` names
    hits) in the program and in the modules it names with ``#@also module.py``."""
    files = [program] + [program.parent / line.split()[1]
                         for line in program.read_text().splitlines()
                         if line.startswith("#@also")]
    found = []
    for path in files:
        for number, text in enumerate(path.read_text().splitlines(), 1):
            match = re.search(r"#@capture(?:\s+([\d,]+))?", text)
            if match:
                hits = [int(h) for h in (match.group(1) or "1").split(",")]
                found += [(path, number, hit) for hit in hits]
    return found


@dataclass
class Hop:
    file: Path
    line: int
    hit: int
    version: str  # interpreter that runs up to this capture


def chain(env: Env, program: Path, hops: list[Hop], final_version: str,
          args: tuple = ()) -> tuple[Run, list[Run]]:
    """exec on hops[0].version up to its capture, restore on each next version up to the
    next capture, and finally restore on ``final_version`` to the end."""
    runs = []
    snapshot = None
    for n, hop in enumerate(hops):
        out = env.tmp / f"hop{n}.json"
        where = f"{hop.file}:{hop.line}#{hop.hit}"
        if snapshot is None:
            run = env.framemig(hop.version, "exec", "--dump-at", where, "--dump-to", out,
                               program, *args)
        else:
            run = env.framemig(hop.version, "restore", snapshot, "--dump-at", where,
                               "--dump-to", out)
        runs.append(run)
        if run.returncode != DUMPED:
            return run, runs  # the program ended before this capture
        snapshot = out
    run = env.framemig(final_version, "restore", snapshot)
    runs.append(run)
    return run, runs


def joined(runs: list[Run]) -> tuple[bytes, bytes]:
    return b"".join(r.stdout for r in runs), b"".join(r.stderr for r in runs)


def dump_after(env: Env, version: str, program: Path, delay: float, out: Path,
               args: tuple = ()) -> tuple[Run, Run]:
    """exec ``program``, ``framemig dump`` it after ``delay`` seconds."""
    process = env.popen(version, "exec", program, *args)
    time.sleep(delay)
    dump = env.framemig(version, "dump", process.pid, "-o", out)
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        stdout, stderr = process.communicate()
    return Run(stdout, stderr, process.returncode), dump


class Live:
    """A program running under ``framemig exec`` whose output the test reads as it comes."""

    def __init__(self, env: Env, version: str, program: Path, *args):
        self.env, self.version = env, version
        self.process = env.popen(version, "exec", program, *args)
        self.lines: list[bytes] = []

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_for(self, text: bytes, timeout: float = 30) -> None:
        """Read output lines until one contains ``text``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError(f"program ended before printing {text!r}: {self.lines}")
            self.lines.append(line)
            if text in line:
                return
        raise AssertionError(f"no {text!r} within {timeout} s")

    def dump(self, out: Path, after: bytes | None = None, lines: int = 0) -> tuple[Run, Run]:
        """``framemig dump --json`` it once it has printed ``after`` (or ``lines`` lines);
        the dump must succeed. Returns the dump and the program's whole run."""
        try:
            if after is not None:
                self.wait_for(after)
            while len(self.lines) < lines:
                self.wait_for(b"")
            dump = self.env.framemig(self.version, "dump", self.pid, "-o", out, "--json")
            assert dump.returncode == 0, dump
            return dump, self.finish()
        finally:
            self.kill()

    def finish(self, timeout: float = 60) -> Run:
        """The rest of the output, to the end. (Not communicate(): it reads the pipe's
        descriptor, and would skip what readline() has read ahead into its buffer.)"""
        errors: list[bytes] = []
        reader = threading.Thread(target=lambda: errors.append(self.process.stderr.read()))
        reader.start()
        stdout = self.process.stdout.read()
        self.process.wait(timeout=timeout)
        reader.join(timeout=timeout)
        return Run(b"".join(self.lines) + stdout, b"".join(errors), self.process.returncode)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()
