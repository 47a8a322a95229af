"""Programs never hold the node's Redis credentials: each copy of a program gets a Redis
user of its own, allowed its data streams and nothing else.

Why: a program a node runs needs Redis for ``framemig.reader``/``publisher``. Handed the
node's own URL, any program could do on the bus all the node can — write a bundle, a
checkpoint or a migration's state, publish on a node's channel, read every program's
output, create Redis users. So where the node's Redis user may run ``ACL SETUSER``, the
node makes, for each copy of a program it starts (``run``, a migration's target, a
failover), a user ``framemig-prog-<program id>-<node instance>-<n>`` with a random
password, allowed only the stream commands (``STREAM_COMMANDS``) on the stream keys
(``framemig:stream:*`` and ``framemig:stream-publishers:*``; streams are shared by name
between programs, so every program's user may use every stream), no channels; it hands
the program a URL with that user — in its environment (``FRAMEMIG_REDIS_URL``), or,
for a restore, through the pipe that names its snapshot — never on a command line; and
deletes the user when the copy's process ends, whether it exited, was killed, or moved
away (``ACL DELUSER`` also disconnects it). The node instance is in the name so that a
migration's source and target, which both hold a copy for a moment, never share a user.

Where the node's user may not create users (or Redis has no ACL), programs get the
node's URL, and the node says so once in its log. A user that could not be dropped
(Redis away), or whose node died, is dropped by a later sweep — by any node, unless
that user's node instance still owns the program (a frozen node that may go on). A
Redis that restarted empty has forgotten the users: the node makes them again, with
the same passwords, when it notices (with the programs' records).
"""

from __future__ import annotations

import ctypes
import itertools
import secrets
import threading
import time
from urllib.parse import quote, urlsplit

import redis

from framemig.bus import ownership
from framemig.bus.protocol import PREFIX
from framemig.errors import CommandFailed

USER_PREFIX = "framemig-prog-"
STREAM_KEYS = (f"{PREFIX}:stream:*", f"{PREFIX}:stream-publishers:*")
# what framemig.bus.streams sends, and what its publish script calls (a script runs
# with its caller's permissions)
STREAM_COMMANDS = ("ping", "select", "xread", "xrange", "xrevrange", "xadd", "evalsha",
                   "eval", "script|load", "hget", "hset", "hdel", "hlen", "hgetall")
OPTIONAL_COMMANDS = ("client|setinfo",)  # Redis 7.2+: redis-py names itself on connect
PR_SET_DUMPABLE = 4
SWEEP_EVERY = 10.0  # seconds between looks for users whose copy is gone
# what a program's environment must not inherit from the node's
SECRET_ENV = ("REDIS_URL", "FRAMEMIG_REDIS_URL", "FRAMEMIG_REDIS_PASSWORD_FILE")


def hide_from_programs() -> None:
    """Make this (node) process undumpable: its programs run as the same OS user, and
    could otherwise read its environment (``/proc/<pid>/environ``: a ``REDIS_URL`` with
    the node's password) or its memory. Its children are dumpable again once they exec."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux


def with_user(url: str, user: str, password: str) -> str:
    """``url`` with ``user:password@`` in place of its credentials (any query kept: a
    TLS CA file, say)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{quote(user, safe='')}:{quote(password, safe='')}@"
                                 f"{host}").geturl()


def without_secrets(environ: dict) -> dict:
    """A copy of ``environ`` without the node's Redis URL or password file."""
    return {k: v for k, v in environ.items() if k not in SECRET_ENV}


def rules(password: str, commands: tuple[str, ...]) -> list[str]:
    return ["reset", "on", f">{password}", *(f"~{k}" for k in STREAM_KEYS),
            "resetchannels", "-@all", *(f"+{c}" for c in commands)]


class ProgramUsers:
    """The Redis users of one node's programs."""

    def __init__(self, node_url: str, instance: str, log):
        self.node_url = node_url
        self.instance = instance
        self.log = log
        self.enabled = False  # set by setup(): False, programs share the node's URL
        self.commands = STREAM_COMMANDS
        self.users: dict[str, str] = {}  # user -> password, of copies that live here
        self._count = itertools.count(1)
        self._lock = threading.Lock()
        self._swept = 0.0

    # --- once, at start -----------------------------------------------------------------------

    def setup(self, conn: redis.Redis) -> None:
        """Find out, with a disabled user made and deleted at once, whether the node's
        user may make users, and which of the optional commands this Redis knows."""
        probe = f"{USER_PREFIX}probe-{self.instance}"
        commands = STREAM_COMMANDS + OPTIONAL_COMMANDS
        try:
            try:
                conn.execute_command("ACL", "SETUSER", probe, *rules("x", commands), "off")
            except redis.ResponseError as error:
                if "Unknown command" not in str(error):
                    raise
                commands = STREAM_COMMANDS  # an older Redis
                conn.execute_command("ACL", "SETUSER", probe, *rules("x", commands), "off")
            conn.execute_command("ACL", "DELUSER", probe)
        except redis.ResponseError as error:
            reason = str(error).splitlines()[0]
            self.log(f"programs share the node's Redis credentials: its Redis user cannot "
                     f"create ACL users ({reason})")
            return
        self.enabled, self.commands = True, commands
        self._warn_if_open(conn)

    def _warn_if_open(self, conn: redis.Redis) -> None:
        try:
            default = conn.execute_command("ACL", "GETUSER", "default")
        except redis.ResponseError:
            return
        if not isinstance(default, dict):  # RESP2: a flat list of name, value
            default = dict(zip(default[::2], default[1::2]))
        flags = {_text(f) for f in default.get(b"flags", default.get("flags", []))}
        if {"on", "nopass"} <= flags:
            self.log("note: this Redis lets anyone in without a password (its default "
                     "user is on, nopass): a program could connect without its own user")

    # --- each copy of a program ---------------------------------------------------------------

    def url_for(self, conn: redis.Redis, program_id: str) -> tuple[str, str | None]:
        """A URL for one copy of ``program_id`` to reach its streams with, and the user
        made for it (None: the node's own URL, where it may not make users)."""
        if not self.enabled:
            return self.node_url, None
        user = f"{USER_PREFIX}{program_id}-{self.instance}-{next(self._count)}"
        password = secrets.token_urlsafe(24)
        with self._lock:
            self.users[user] = password  # before it exists: a sweep must not take it
        try:
            conn.execute_command("ACL", "SETUSER", user, *rules(password, self.commands))
        except redis.ResponseError as error:
            with self._lock:
                self.users.pop(user, None)
            # never the node's credentials instead: the program does not start
            raise CommandFailed(f"cannot make a Redis user for {program_id}: "
                                f"{str(error).splitlines()[0]}") from None
        return with_user(self.node_url, user, password), user

    def drop(self, conn: redis.Redis, user: str | None) -> None:
        """Delete the user of a copy that ended (its connections go with it); if Redis
        cannot be asked now, a later sweep does it."""
        if user is None:
            return
        with self._lock:
            self.users.pop(user, None)
        try:
            conn.execute_command("ACL", "DELUSER", user)
        except redis.RedisError:
            pass  # not in self.users any more: the next sweep drops it

    def restore(self, conn: redis.Redis) -> int:
        """Make the users of the copies living here again (Redis restarted empty)."""
        with self._lock:
            users = dict(self.users)
        try:
            for user, password in users.items():
                conn.execute_command("ACL", "SETUSER", user, *rules(password, self.commands))
        except redis.ResponseError as error:  # (the heartbeat that asks goes on)
            self.log(f"the Redis users of this node's programs cannot be made again: "
                     f"{str(error).splitlines()[0]}")
        return len(users)

    def sweep(self, conn: redis.Redis, live_nodes: list[dict], force: bool = False) -> list:
        """Drop the program users no live copy needs: this node's that ended while Redis
        was away, and those of node instances that are gone — unless that instance still
        owns the program (a node frozen past its lease, whose programs may go on).
        Returns the users dropped."""
        if not self.enabled or (not force and time.monotonic() - self._swept < SWEEP_EVERY):
            return []
        self._swept = time.monotonic()
        dropped: list[str] = []
        try:
            self._sweep(conn, {n.get("instance") for n in live_nodes}, dropped)
        except redis.ResponseError as error:  # (the failover scan that asks goes on)
            self.log(f"the Redis users of programs whose node died are left in Redis: "
                     f"{str(error).splitlines()[0]}")
            self._swept = float("inf")  # said once; not asked again
        return dropped

    def _sweep(self, conn: redis.Redis, live: set, dropped: list) -> None:
        for user in (_text(u) for u in conn.execute_command("ACL", "USERS")):
            name, instance = _parse(user)
            if name is None:
                continue
            with self._lock:
                mine = user in self.users
            if mine or (instance in live and instance != self.instance):
                continue
            if instance != self.instance and \
                    ownership.owner(conn, name).get("instance") == instance:
                continue
            conn.execute_command("ACL", "DELUSER", user)
            dropped.append(user)


def _parse(user: str) -> tuple[str | None, str | None]:
    """(program id, node instance) of a program user's name; (None, None) for others."""
    if not user.startswith(USER_PREFIX):
        return None, None
    parts = user[len(USER_PREFIX):].rsplit("-", 2)
    if len(parts) != 3 or not parts[2].isdigit():
        return None, None
    return parts[0], parts[1]


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
