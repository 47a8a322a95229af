"""A fleet on one machine: a private ``redis-server`` on a unix socket and node daemons
as child processes, each on the interpreter asked for. The demo and the benchmarks stand
their devices up with it; everything it starts, it stops (also when interrupted).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from framemig import keys
from framemig.bus import connection, private, protocol, registry


class LocalFleet:
    def __init__(self, workdir: str, url: str | None = None, env: dict | None = None):
        self.workdir = workdir
        self.env = dict(os.environ if env is None else env)
        if not self.env.get(keys.KEY_ENV):  # a private fleet gets a key of its own
            self.env[keys.KEY_ENV] = keys.generate(os.path.join(workdir, "fleet.key")).path
        # this process commands the fleet too (the demo, the bench): it signs as they do
        protocol.signing.use(keys.read(self.env[keys.KEY_ENV]), "localfleet")
        self.processes: list[subprocess.Popen] = []
        self.nodes: dict[str, subprocess.Popen] = {}
        if url is None:
            socket = os.path.join(workdir, "redis.sock")
            self.processes.append(private.launch(workdir, socket))
            url = private.wait_until_up(socket, workdir)
        self.url = url
        self.conn = connection.connect(url)

    @staticmethod
    def _wait(condition, what: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {what}")
            time.sleep(0.05)

    def start_node(self, name: str, python: str = sys.executable, wait: bool = True):
        log = open(os.path.join(self.workdir, f"node-{name}.log"), "wb")
        argv = [python, "-m", "framemig", "node", "--name", name,
                "--workdir", os.path.join(self.workdir, f"node-{name}")]
        env = dict(self.env)
        if connection.has_password(self.url):
            env["REDIS_URL"] = self.url  # a password goes on no command line
        else:
            argv += ["--redis", self.url]
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
        log.close()
        self.processes.append(process)
        self.nodes[name] = process
        if wait:
            self.wait_for_node(name)
        return process

    def wait_for_node(self, name: str) -> None:
        process = self.nodes[name]

        def up() -> bool:
            if process.poll() is not None:
                log = os.path.join(self.workdir, f"node-{name}.log")
                with open(log, errors="replace") as handle:
                    raise RuntimeError(f"node {name} ended: {handle.read()[-500:]}")
            return registry.node(self.conn, name) is not None
        self._wait(up, f"node {name} to register")

    def stop(self) -> None:
        """Nodes first (they end their programs), then the Redis server."""
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
