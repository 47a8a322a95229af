"""A program a node runs: a child process under ``framemig exec`` or ``framemig restore``,
its output pumped into Redis, its figures read with psutil.

Children die with their node (``PR_SET_PDEATHSIG``): a node that is killed cannot leave a
copy of a program running that nobody knows about, which the migration protocol relies on.
Each program leads a process group of its own, so that what it starts ends with it: its
group is ended when it ends, and the node's fence (:mod:`framemig.node.fence`) ends the
groups of a node that was killed.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import queue
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time

import psutil

from framemig.bus import bundle, logs, protocol, registry
from framemig.errors import CommandFailed
from framemig.runtime import channel, client

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class _Spawner(threading.Thread):
    """The one thread that starts children. ``PR_SET_PDEATHSIG`` fires when the *thread*
    that forked a child ends, not the process: a child forked from a pool thread or a
    command's thread was killed when that thread finished. This thread lives as long as
    the node does, so its children die with the node and only then."""

    def __init__(self):
        super().__init__(name="spawner", daemon=True)
        self.requests: queue.SimpleQueue = queue.SimpleQueue()
        self.start()

    def run(self) -> None:
        while True:
            arguments, kwargs, (answer, done) = self.requests.get()
            try:
                answer.append(subprocess.Popen(arguments, **kwargs))
            except BaseException as exc:  # handed back to the caller
                answer.append(exc)
            done.set()

    def popen(self, arguments: list[str], **kwargs) -> subprocess.Popen:
        answer: list = []
        done = threading.Event()
        self.requests.put((arguments, kwargs, (answer, done)))
        done.wait()
        if isinstance(answer[0], BaseException):
            raise answer[0]
        return answer[0]


_spawner: _Spawner | None = None
_spawner_lock = threading.Lock()


def spawn(node, argv: list[str], cwd: str, pass_fds=(),
          redis_url: str | None = None) -> subprocess.Popen:
    """A framemig child of ``node``, its output on pipes, dying with the node;
    ``redis_url``, the program's own (node/credentials.py), in its environment."""
    global _spawner
    with _spawner_lock:
        if _spawner is None:
            _spawner = _Spawner()
    return _spawner.popen(
        [sys.executable, "-m", "framemig", *argv], cwd=cwd, env=node.child_env(redis_url),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=_die_with_parent, pass_fds=pass_fds, process_group=0)


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _catches(pid: int, signum: int) -> bool:
    """Has process ``pid`` a handler of its own for ``signum`` (/proc's SigCgt)?"""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    except OSError:
        pass
    return False


class Standby:
    """A ``framemig restore`` process started before it is needed, interpreter up and
    restore machinery loaded, waiting to be told which snapshot to rebuild."""

    def __init__(self, node, cwd: str):
        self._path_read, self._path_write = os.pipe()
        self._ready_read, ready_write = os.pipe()
        go_read, self.go_write = os.pipe()
        try:
            # --trust-unsigned: the node checked the snapshot's signature itself before
            # it hands it over (Node.trusted_snapshot); the process has no key
            self.process = spawn(node, ["restore", "--trust-unsigned",
                                        "--standby-fd", str(self._path_read),
                                        "--ready-fd", str(ready_write),
                                        "--go-fd", str(go_read)],
                                 cwd, pass_fds=(self._path_read, ready_write, go_read))
        finally:
            for fd in (self._path_read, ready_write, go_read):
                os.close(fd)

    def alive(self) -> bool:
        return self.process.poll() is None

    def start(self, snapshot: str, program_dir: str | None = None,
              redis_url: str | None = None) -> int:
        """Hand it the snapshot, the directory holding this node's copy of the
        program's files if there is one, and the program's own Redis URL (started before
        anyone knew which program it would be, it has none); return the pipe on which it
        will say it is ready."""
        work = json.dumps({"snapshot": snapshot, "program_dir": program_dir,
                           "redis_url": redis_url})
        try:
            os.write(self._path_write, (work + "\n").encode())
        except OSError:
            pass  # it died: the ready pipe reports that, with its last words
        os.close(self._path_write)
        return self._ready_read

    def discard(self) -> None:
        for fd in (self._path_write, self._ready_read, self.go_write):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.alive():
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdout, self.process.stderr):
            pipe.close()


class RestoreRefused(Exception):
    """The target could not rebuild the program (the message says why)."""


class ManagedProgram:
    def __init__(self, node, record: dict):
        self.node = node
        self.record = record  # id, name, args, created, migrations, history, ...
        self.id = record["id"]
        self.process: subprocess.Popen | None = None
        self.status = "starting"
        self.started = time.time()
        self.exit_code = None
        self.moved_away = False
        self.running = False  # a restored copy runs only after go(): until then it is not
        # the program yet, and what it prints (a refusal) is the node's, not the program's
        self.paused: client.Ticket | None = None
        # arrived paused, and held since before its first line (node/migrate.py)
        self.unreleased = False
        self.snapshot: str | None = None  # the snapshot it was restored from
        self.redis_user: str | None = None  # this copy's own (node/credentials.py)
        self.lock = threading.RLock()  # one command at a time per program
        self._ps: psutil.Process | None = None
        self._pumps: list[threading.Thread] = []
        self._pumping = 0  # output read from the pipes and on its way to Redis
        self._pump_lock = threading.Lock()  # (two pumps count it)
        self.last_log_id: str | None = None  # of the output this copy wrote there
        self._go_fd: int | None = None
        self.checkpoint_due = 0.0  # time.monotonic() of the next checkpoint (checkpoints.py)
        self.checkpointed_cpu = None  # the CPU time it had used at its last checkpoint
        self.checkpoint_error: str | None = None

    @property
    def epoch(self) -> int:
        """The fencing epoch under which this copy may run (bus/ownership.py)."""
        return int(self.record.get("epoch", 0))

    # --- starting -------------------------------------------------------------------------

    def _attach(self, process: subprocess.Popen) -> None:
        self.process = process
        self._ps = psutil.Process(process.pid)
        for pipe, stream in ((process.stdout, "out"), (process.stderr, "err")):
            pump = threading.Thread(target=self._pump, args=(pipe, stream), daemon=True,
                                    name=f"pump-{self.id}-{stream}")
            pump.start()
            self._pumps.append(pump)
        threading.Thread(target=self._watch, daemon=True, name=f"watch-{self.id}").start()

    def _redis_url(self) -> str:
        """A Redis URL for this copy's data streams, with a Redis user of its own."""
        url, self.redis_user = self.node.with_redis(
            lambda conn: self.node.program_users.url_for(conn, self.id))
        return url

    def _drop_redis_user(self) -> None:
        user, self.redis_user = self.redis_user, None
        self.node.program_users.drop(self.node.conn, user)

    def start_exec(self, main: str, args: list[str]) -> None:
        self.running = True
        url = self._redis_url()
        try:
            process = spawn(self.node, ["exec", main, *args], os.path.dirname(main),
                            redis_url=url)
        except BaseException:
            self._drop_redis_user()
            raise
        self._attach(process)
        self._wait_registered()
        self.status = "running"

    def start_restore(self, snapshot: str, timeout: float, standby: Standby | None = None,
                      program_dir: str | None = None) -> dict:
        """Rebuild the program from ``snapshot``, held before its first line; return the
        restore report. Raises RestoreRefused if it cannot be rebuilt here. A standby
        process, already started and loaded, saves most of the time; without one a new
        process is started for it. ``program_dir`` holds this node's copy of the program's
        files: the program runs from there if they are the ones it was captured with."""
        self.snapshot = snapshot
        try:
            url = self._redis_url()
        except BaseException:
            if standby is not None:
                standby.discard()
            raise
        if standby is None:
            standby = Standby(self.node, os.path.dirname(snapshot))
        self._attach(standby.process)  # (its end drops the user)
        self._go_fd = standby.go_write
        ready_read = standby.start(snapshot, program_dir, redis_url=url)
        readable, _, _ = select.select([ready_read], [], [], timeout)
        line = os.read(ready_read, 65536) if readable else b""
        os.close(ready_read)
        if not line:
            self.cancel()
            reason = self._stderr_tail() or "it did not become ready in time"
            raise RestoreRefused(reason)
        self.status = "held"
        return json.loads(line)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def go(self) -> None:
        self.unreleased = False
        self.running = True
        os.write(self._go_fd, b"g")
        os.close(self._go_fd)
        self._go_fd = None
        self._wait_registered()
        self.status = "running"

    def cancel(self) -> None:
        """End a restored copy that never ran."""
        if self._go_fd is not None:
            try:
                os.write(self._go_fd, b"x")
                os.close(self._go_fd)
            except OSError:
                pass
            self._go_fd = None
        self.moved_away = True
        if self.process and self.process.poll() is None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def _wait_registered(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if channel.registration(self.process.pid) is not None:
                return
            if self.process.poll() is not None:
                return  # it already ended: the watcher reports it
            time.sleep(0.01)
        raise CommandFailed(f"program {self.id} did not start within {timeout:g} s")

    # --- output and exit ----------------------------------------------------------------

    def _pump(self, pipe, stream: str) -> None:
        fd = pipe.fileno()
        while True:
            data = os.read(fd, 65536)
            if not data:
                return
            self._tail(stream, data)
            self.node.wait_for_lease()
            if not self.running:
                continue  # a copy that never ran, or was superseded: not the program's
            with self._pump_lock:
                self._pumping += 1
            try:
                self.last_log_id = self.node.with_redis(lambda conn, d=data: logs.append(
                    conn, self.id, stream, d, self.node.name))
            finally:
                with self._pump_lock:
                    self._pumping -= 1

    def _tail(self, stream: str, data: bytes) -> None:
        if stream == "err":
            self._stderr = (getattr(self, "_stderr", b"") + data)[-4000:]

    def _stderr_tail(self) -> str:
        for pump in self._pumps:
            pump.join(timeout=2)
        text = getattr(self, "_stderr", b"").decode(errors="replace").strip()
        return text.splitlines()[-1] if text else ""

    def drain(self, timeout: float = 5.0) -> None:
        """Wait until everything the (held) program wrote has reached Redis, so that the
        copy on the target cannot get its lines in first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            waiting = 0
            for pipe in (self.process.stdout, self.process.stderr):
                buffered = fcntl.ioctl(pipe.fileno(), termios.FIONREAD, b"\0\0\0\0")
                waiting += struct.unpack("i", buffered)[0]
            if waiting == 0 and self._pumping == 0:
                return
            time.sleep(0.002)

    def _watch(self) -> None:
        code = self.process.wait()
        _signal_group(self.process.pid, signal.SIGKILL)  # what it started ends with it
        self._drop_redis_user()  # ended, killed or moved away: its Redis user goes
        for pump in self._pumps:
            pump.join(timeout=5)
        if self.status == "migrating":  # held, and the migration decides what it was
            self.exit_code = code
            return
        with self.lock:
            self.exit_code = code
            if self.moved_away or not self.running:
                self.status = "moved"
                return
            self.status = "exited"
        self.node.program_ended(self)

    # --- commands ---------------------------------------------------------------------------

    def terminate(self, grace: float = 5.0, gently: bool = False) -> None:
        """End it with SIGTERM; after ``grace`` seconds, SIGKILL, group and all. ``gently``
        (a node stopping) sends SIGINT instead to a program with no SIGTERM handler of
        its own: Python's KeyboardInterrupt runs its ``finally`` blocks and ``atexit``,
        which SIGTERM's default action would skip."""
        if self.process is None or self.process.poll() is not None:
            return
        pid = self.process.pid
        signum = signal.SIGTERM
        if gently and self.running and not _catches(pid, signal.SIGTERM):
            signum = signal.SIGINT
        self.process.send_signal(signum)
        _signal_group(pid, signal.SIGCONT)  # a fenced (stopped) program must hear it
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """End it now, and everything in its process group (a stopped one too)."""
        if self.process is not None:
            _signal_group(self.process.pid, signal.SIGKILL)
            self.process.kill()

    # --- figures ------------------------------------------------------------------------------

    def figures(self) -> dict:
        info = {"id": self.id, "name": self.record["name"], "status": self.status,
                "recovered": self.record.get("recovered"),
                "checkpoint": self.record.get("checkpoint"),
                "pid": self.process.pid if self.process else None,
                "uptime": round((getattr(self, "ended_at", None) or time.time()) -
                                self.record.get("created", self.started), 1),
                "migrations": self.record.get("migrations", 0), "exit_code": self.exit_code,
                "cpu_percent": 0.0, "rss": 0}
        if self._ps is not None and self.status in ("running", "paused", "migrating", "held"):
            try:
                with self._ps.oneshot():
                    info["cpu_percent"] = self._ps.cpu_percent(None)
                    info["rss"] = self._ps.memory_info().rss
            except psutil.Error:
                pass
        return info

    def save(self) -> None:
        self.record.update(node=self.node.name, status=self.status, exit_code=self.exit_code)
        self.node.with_redis(lambda conn: registry.save_program(conn, self.record))
        key = self.record.get("bundle_key")
        if key and self.status not in ("exited", "moved"):  # it lives as long as its record
            self.node.with_redis(lambda conn: conn.expire(key, bundle.TTL))
        self.node.changed()

    def announce(self, event: str, **data) -> None:
        self.node.with_redis(lambda conn: protocol.announce(
            conn, event, program=self.id, node=self.node.name, **data))
