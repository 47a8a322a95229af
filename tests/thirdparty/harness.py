"""Third-party programs captured at random instants, hop after hop.

A driver (``drv_*.py`` beside this file) is a program nobody on this project wrote the
library of: it runs a pinned PyPI package the way an application would. The property:

1. run it plainly: that is what it must print, and the exit status it must end with;
2. run it under ``framemig exec`` on the chain's first interpreter, wait a seeded random
   delay, ``framemig dump`` it; if the dump took it (exit 0, the program ended with 75),
   ``framemig restore`` the snapshot on the chain's next interpreter, wait, dump again...
   and let the last restore run to the end;
3. the stdout of all the pieces, joined, equals the plain run's byte for byte, and the last
   piece ends with the plain run's exit status.

A dump may refuse (66: no safe point in time, 67: something cannot travel) with one line,
as long as the program runs on unharmed: a refusal is recorded, not a failure, and the next
hop dumps the same process again. Anything else is a failure: a dump that exits otherwise,
a dump that ended the program with a snapshot that then cannot be restored (the worst),
different output or a different exit status.

Run one case by hand (prints every hop, keeps the snapshots)::

    .venv/bin/python -m tests.thirdparty.harness drv_networkx --seed 3 --chain cross
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from framemig import keys
from tests.harness import DUMPED, Env, Run, python

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
DRIVERS = sorted(HERE.glob("drv_*.py"))
REFUSED = (66, 67)  # no safe point in time, cannot travel: the program runs on
ENDED = (64, 65)  # no such process; not framemig's: what dump says of an ended program
ENDED_GRACE = 5.0
CHAINS = {
    "same": ("3.11", "3.11", "3.11", "3.11"),
    "cross": ("3.11", "3.12", "3.13", "3.11"),
}
DUMP_TIMEOUT = 10.0


def same_chain(version: str, hops: int = 3) -> tuple[str, ...]:
    return (version,) * (hops + 1)


@dataclass
class Attempt:
    """One ``framemig dump`` of a running piece."""

    hop: int
    version: str  # the interpreter the piece runs on
    command: str  # exec or restore
    delay: float
    dump_rc: int
    dump_said: str  # its one line (stdout when it worked, stderr when not)
    program_rc: int | None = None  # how the piece ended, when it ended


@dataclass
class Piece:
    version: str
    command: str
    rc: int
    stdout: bytes
    stderr: bytes


@dataclass
class Outcome:
    driver: str
    seed: int
    chain: tuple[str, ...]
    expected: Run
    workdir: Path
    pieces: list[Piece] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def stdout(self) -> bytes:
        return b"".join(p.stdout for p in self.pieces)

    @property
    def final_rc(self) -> int | None:
        return self.pieces[-1].rc if self.pieces else None

    @property
    def refusals(self) -> list[Attempt]:
        return [a for a in self.attempts if a.dump_rc in REFUSED]

    @property
    def hops(self) -> int:
        """Captures that ended a piece and were continued."""
        return sum(1 for a in self.attempts if a.dump_rc == 0)

    @property
    def ok(self) -> bool:
        return not self.failures

    def describe(self) -> str:
        lines = [f"{self.driver} seed {self.seed} chain {' -> '.join(self.chain)} "
                 f"(plain rc {self.expected.returncode}, {len(self.expected.stdout)} bytes); "
                 f"workdir {self.workdir}"]
        for a in self.attempts:
            lines.append(f"  hop {a.hop} {a.command} on {a.version}: dump after {a.delay:.3f} s "
                         f"-> rc {a.dump_rc} {a.dump_said!r}; piece rc {a.program_rc}")
        for n, p in enumerate(self.pieces):
            err = p.stderr.decode(errors="replace").strip().splitlines()
            lines.append(f"  piece {n} {p.command} on {p.version}: rc {p.rc}, "
                         f"{len(p.stdout)} bytes out" + (f", stderr: {err[-1]!r}" if err else ""))
        for f in self.failures:
            lines.append(f"  FAILURE: {f}")
        return "\n".join(lines)

    def record(self) -> dict:
        return {"driver": self.driver, "seed": self.seed, "chain": list(self.chain),
                "ok": self.ok, "hops": self.hops, "failures": self.failures,
                "refusals": [f"{a.version} {a.command}: rc {a.dump_rc} {a.dump_said}"
                             for a in self.refusals],
                "attempts": [a.__dict__ for a in self.attempts]}


def make_env(tmp: Path) -> Env:
    return Env(tmp, extra={"PYTHONHASHSEED": "0"})


def install(driver: Path, tmp: Path) -> Path:
    """The driver in a directory of its own, as a user's script would sit."""
    app = tmp / "app"
    app.mkdir(parents=True, exist_ok=True)
    target = app / driver.name
    shutil.copyfile(driver, target)
    return target


def plain(env: Env, program: Path, version: str = "3.11") -> tuple[Run, float]:
    started = time.monotonic()
    run = env.plain(program, version=version, timeout=600)
    return run, time.monotonic() - started


def first_difference(want: bytes, got: bytes) -> str:
    a = want.decode(errors="replace").splitlines()
    b = got.decode(errors="replace").splitlines()
    diff = list(difflib.unified_diff(a, b, "plain", "migrated", n=1, lineterm=""))
    return "\n".join(diff[:12]) if diff else "(differs only in line endings)"


def one_line(run: Run) -> str:
    text = (run.stdout if run.returncode == 0 else run.stderr or run.stdout)
    lines = text.decode(errors="replace").strip().splitlines()
    return lines[-1][:300] if lines else ""


class _Process:
    """A piece of the chain: framemig exec or restore, its output in files."""

    def __init__(self, env: Env, version: str, command: str, args: list, tag: str):
        self.version, self.command = version, command
        self.out_path = env.tmp / f"{tag}.out"
        self.err_path = env.tmp / f"{tag}.err"
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.popen = subprocess.Popen(
                [python(version), "-m", "framemig", command, *map(str, args)],
                cwd=env.tmp, env=env.vars(), stdout=out, stderr=err,
                stdin=subprocess.DEVNULL)

    def wait(self, timeout: float) -> int | None:
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()

    def piece(self) -> Piece:
        return Piece(self.version, self.command, self.popen.returncode,
                     self.out_path.read_bytes(), self.err_path.read_bytes())


def run_chain(env: Env, program: Path, chain: tuple[str, ...], seed: int, expected: Run,
              plain_seconds: float, driver_name: str | None = None) -> Outcome:
    """exec on chain[0], dump at a random instant, restore on the next version, ...; the
    delays are seeded and add up to less than the plain run's duration."""
    name = driver_name or program.stem
    rng = random.Random(f"{name}/{seed}/{'-'.join(chain)}")
    hops = len(chain) - 1
    outcome = Outcome(name, seed, chain, expected, env.tmp)
    deadline_each = max(120.0, 30 * plain_seconds)
    current = _Process(env, chain[0], "exec", [program], "piece0")
    position = 0  # index in chain of the interpreter running the current piece
    for hop in range(1, hops + 1):
        delay = rng.uniform(0.0, plain_seconds * 0.9 / hops)
        if current.wait(delay) is not None:
            break  # the program ended before this capture: fewer hops
        snapshot = env.tmp / f"hop{hop}.json"
        dump = env.framemig(current.version, "dump", current.popen.pid, "-o", snapshot,
                            "--timeout", DUMP_TIMEOUT, timeout=DUMP_TIMEOUT + 120)
        attempt = Attempt(hop, current.version, current.command, delay, dump.returncode,
                          one_line(dump))
        outcome.attempts.append(attempt)
        if dump.returncode == 0:
            attempt.program_rc = current.wait(deadline_each)
            if attempt.program_rc is None:
                current.kill()
                outcome.failures.append(f"hop {hop}: dump succeeded but the program did not end")
                outcome.pieces.append(current.piece())
                return outcome
            outcome.pieces.append(current.piece())
            if attempt.program_rc != DUMPED:
                outcome.failures.append(f"hop {hop}: dump succeeded but the program ended "
                                        f"with {attempt.program_rc}, not {DUMPED}")
                return outcome
            if not snapshot.exists():
                outcome.failures.append(f"hop {hop}: dump succeeded but wrote no snapshot")
                return outcome
            position += 1
            current = _Process(env, chain[position], "restore", [snapshot], f"piece{hop}")
        elif dump.returncode in REFUSED:
            continue  # the same piece runs on; the next hop dumps it again
        elif dump.returncode in ENDED and current.wait(ENDED_GRACE) is not None:
            # it ended on its own while the dump was asked (an ended process that is not
            # reaped yet is reported as "not started by framemig")
            attempt.program_rc = current.popen.returncode
            break
        else:
            outcome.failures.append(f"hop {hop}: dump on {current.version} ({current.command}) "
                                    f"exited {dump.returncode}: {attempt.dump_said}")
    if current.wait(deadline_each) is None:
        current.kill()
        outcome.failures.append(f"the last piece ({current.command} on {current.version}) "
                                f"did not end within {deadline_each:.0f} s")
    outcome.pieces.append(current.piece())
    last = outcome.pieces[-1]
    if last.command == "restore" and last.rc != expected.returncode:
        err = last.stderr.decode(errors="replace").strip().splitlines()
        outcome.failures.append(
            f"restore on {last.version} ended with {last.rc}: {err[-1] if err else ''!r}"
            + (" (the program was ended by a dump and is lost)" if last.rc >= 64 else ""))
    if last.rc == DUMPED:
        outcome.failures.append("the last piece ended with 75 although no dump took it")
    if outcome.stdout != expected.stdout:
        outcome.failures.append("output differs from the plain run:\n"
                                + first_difference(expected.stdout, outcome.stdout))
    if last.rc != expected.returncode:
        outcome.failures.append(f"exit status {last.rc}, plain run {expected.returncode}")
    return outcome


def log(outcome: Outcome) -> None:
    """Append the outcome to $FRAMEMIG_THIRDPARTY_LOG (JSON lines), when it is set."""
    path = os.environ.get("FRAMEMIG_THIRDPARTY_LOG")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(outcome.record()) + "\n")


def check_driver(tmp: Path, driver: Path, chain: tuple[str, ...], seed: int) -> Outcome:
    env = make_env(tmp)
    program = install(driver, tmp)
    expected, seconds = plain(env, program, chain[0])
    assert expected.returncode in (0, 1), f"{driver.name} fails plainly: {expected!r}"
    outcome = run_chain(env, program, chain, seed, expected, seconds, driver.stem)
    log(outcome)
    return outcome


def _default_interpreters() -> None:
    for version in ("3.11", "3.12", "3.13"):
        key = f"FRAMEMIG_PYTHON_{version.replace('.', '_')}"
        venv = ROOT / (".venv" if version == "3.11" else f".venv-{version}") / "bin" / "python"
        if key not in os.environ and venv.exists():
            os.environ[key] = str(venv)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("drivers", nargs="*", help="drv_NAME (default: all)")
    parser.add_argument("--seed", type=int, action="append", help="repeatable (default 1)")
    parser.add_argument("--chain", choices=[*CHAINS, "both"], default="both")
    parser.add_argument("--keep", type=Path, help="directory for the runs (kept)")
    args = parser.parse_args(argv)
    _default_interpreters()
    names = args.drivers or [d.stem for d in DRIVERS]
    chains = list(CHAINS) if args.chain == "both" else [args.chain]
    base = args.keep or Path(tempfile.mkdtemp(prefix="thirdparty-"))
    if not os.environ.get(keys.KEY_ENV):  # dump signs, restore checks: a key of its own
        os.environ[keys.KEY_ENV] = keys.generate(str(base / "fleet.key"), force=True).path
    bad = 0
    for name in names:
        driver = HERE / f"{name.removesuffix('.py')}.py"
        for chain in chains:
            for seed in args.seed or [1]:
                tmp = base / f"{driver.stem}-{chain}-{seed}"
                tmp.mkdir(parents=True, exist_ok=True)
                outcome = check_driver(tmp, driver, CHAINS[chain], seed)
                bad += not outcome.ok
                status = "ok" if outcome.ok else "FAIL"
                print(f"{status} {outcome.hops} hops, {len(outcome.refusals)} refusals: "
                      + outcome.describe(), flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
