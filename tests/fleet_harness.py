"""Real Redis servers and real node daemons, started and stopped by the tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis

from tests.harness import Env, Run, python


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A private redis-server on a unix socket (or a TCP port), emptied by being new."""

    def __init__(self, directory: Path, tcp: bool = False, password: str | None = None):
        self.directory = directory
        self.socket = directory / "redis.sock"
        self.port = free_port() if tcp else 0
        self.password = password
        self.process = None
        self.start()

    def start(self) -> None:
        argv = ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no",
                "--dir", str(self.directory)]
        if not self.port:
            argv += ["--unixsocket", str(self.socket), "--unixsocketperm", "700"]
        if self.password:
            argv += ["--requirepass", self.password]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.client().ping()
                return
            except (redis.RedisError, OSError):
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    @property
    def url(self) -> str:
        if self.port:
            auth = f":{self.password}@" if self.password else ""
            return f"redis://{auth}127.0.0.1:{self.port}/0"
        return f"unix://{self.socket}"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Fleet:
    """Node daemons as separate processes, each on the interpreter a test asks for."""

    def __init__(self, env: Env, server: RedisServer):
        env.extra.setdefault("COLUMNS", "200")
        if server.password:  # a password goes on no command line: REDIS_URL, not --redis
            env.extra["REDIS_URL"] = server.url
        self.env = env
        self.server = server
        self.nodes: dict[str, subprocess.Popen] = {}
        self.started: list[subprocess.Popen] = []  # all, also those that share a name
        self.logs: dict[str, Path] = {}

    def start_node(self, name: str, version: str = "3.11", *extra, wait=True):
        log = self.env.tmp / f"node-{name}.log"
        self.logs[name] = log
        process = subprocess.Popen(
            [python(version), "-m", "framemig", "node", *self._redis_args(),
             "--name", name, "--workdir", str(self.workdir(name)), *extra],
            stdout=log.open("wb"), stderr=subprocess.STDOUT, env=self.env.vars())
        self.nodes[name] = process
        self.started.append(process)
        if wait:
            self.wait_for(lambda: name in self.names(), f"node {name} to register")
        return process

    def _redis_args(self) -> list[str]:
        return [] if self.server.password else ["--redis", self.server.url]

    def workdir(self, name: str) -> Path:
        """Node ``name``'s directory; its programs' request files are in ``run`` there."""
        return self.env.tmp / f"work-{name}"

    def names(self) -> set[str]:
        return {n["name"] for n in self.node_records()}

    def node_records(self) -> list[dict]:
        run = self.cli("nodes", "--json")
        return json.loads(run.stdout)["nodes"] if run.returncode == 0 else []

    def programs(self) -> list[dict]:
        return json.loads(self.cli("ps", "--json").stdout)["programs"]

    def program(self, program_id: str) -> dict | None:
        return next((p for p in self.programs() if p["id"] == program_id), None)

    def cli(self, *args, version="3.11", timeout=180) -> Run:
        """A framemig command against this fleet's Redis (--redis goes before any --)."""
        args = [str(a) for a in args]
        cut = args.index("--") if "--" in args else len(args)
        return self.env.framemig(version, *args[:cut], *self._redis_args(), *args[cut:],
                                 timeout=timeout)

    def run(self, program: Path, node: str, *args) -> str:
        run = self.cli("run", program, "--on", node, "--json", *(["--", *args] if args else []))
        assert run.returncode == 0, run
        program_id = json.loads(run.stdout)["id"]
        self.wait_for(lambda: (self.program(program_id) or {}).get("status") == "running",
                      f"{program_id} to run")
        return program_id

    def run_with(self, program: Path, node: str, stop: Path, *options) -> str:
        """``run`` with options (``--checkpoint-every 1s``) and a stop file argument."""
        run = self.cli("run", program, "--on", node, "--json", *options, "--", stop)
        assert run.returncode == 0, run
        program_id = json.loads(run.stdout)["id"]
        self.wait_for(lambda: (self.program(program_id) or {}).get("status") == "running",
                      f"{program_id} to run")
        return program_id

    def output(self, program_id: str) -> bytes:
        """What the program has printed so far, wherever it ran."""
        return self.cli("logs", program_id).stdout

    def wait_lines(self, program_id: str, count: int, timeout: float = 60.0) -> int:
        """Wait until the program has printed ``count`` lines (at least one); return how
        many it has printed."""
        def printed() -> int:
            lines = len(self.output(program_id).splitlines())
            return lines if lines >= count else 0
        return self.wait_for(printed, f"{program_id} to print {count} lines", timeout)

    def wait_for(self, condition, what: str, timeout: float = 60.0):
        return wait_until(condition, what, timeout, lambda: f"logs: {self.node_logs()}")

    def node_logs(self) -> str:
        return "\n".join(f"--- {n}\n{p.read_text()[-2000:]}" for n, p in self.logs.items()
                         if p.exists())

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until(condition, what: str, timeout: float = 30.0, details=lambda: ""):
    """Poll ``condition`` until it is true (and return its value), or fail saying what
    never happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; {details()}")


def blocked_in_xread(server: RedisServer) -> bool:
    """Whether a client of ``server`` waits in XREAD BLOCK: a reader waiting for an entry
    that is not there yet."""
    return any(client.get("cmd") == "xread" and "b" in client.get("flags", "")
               for client in server.client().client_list())


def wait_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().split()[2] == "Z":
                    return True
        except OSError:
            return True
        time.sleep(0.05)
    return False
