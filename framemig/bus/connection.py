"""Which Redis to use, and connecting to it with errors a person can act on.

The URL comes from ``--redis``, else ``REDIS_URL``, else ``redis://localhost:6379/0``;
``redis://``, ``rediss://`` (TLS), ``unix://`` and ACL ``user:password@`` all work. When
no URL is given and nothing answers on localhost, framemig can start a private, real
``redis-server`` on a unix socket of its own (see :mod:`framemig.bus.private`), which later
commands then find by themselves.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import redis

from framemig.bus import private
from framemig.errors import BadURL, BusUnavailable

DEFAULT_URL = os.environ.get("FRAMEMIG_DEFAULT_REDIS", "redis://localhost:6379/0")
SCHEMES = ("redis", "rediss", "unix")


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise BadURL(f"{url!r} is not a Redis URL (use redis://, rediss:// or unix://)")
    if parts.scheme == "unix" and not parts.path:
        raise BadURL(f"{url!r} names no socket path")
    if parts.scheme != "unix" and not parts.hostname:
        raise BadURL(f"{url!r} names no host")
    try:
        _ = parts.port
    except ValueError:
        raise BadURL(f"{url!r} has an invalid port") from None
    return url


def redacted(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def connect(url: str, check: bool = True) -> redis.Redis:
    """A client for ``url``; with ``check``, one PING proves Redis answers."""
    check_url(url)
    try:
        # socket_timeout=None: blocking reads (BLPOP, XREAD) wait as long as they ask to.
        conn = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=None,
                                    health_check_interval=30)
    except ValueError as exc:
        raise BadURL(f"{redacted(url)}: {exc}") from None
    if check:
        try:
            # a frozen Redis accepts the connection and never answers: the check has a
            # timeout of its own (the client's blocking reads must not)
            probe = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=5)
            try:
                probe.ping()
            finally:
                probe.close()
        except redis.AuthenticationError:
            raise BusUnavailable(f"Redis at {redacted(url)} refused the credentials") from None
        except redis.ResponseError as exc:
            raise BusUnavailable(f"Redis at {redacted(url)}: {exc}") from None
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            reason = str(exc).split("\n")[0] or type(exc).__name__
            raise BusUnavailable(f"cannot reach Redis at {redacted(url)} ({reason})") from None
    return conn


def answers(url: str) -> bool:
    try:
        connect(url)
    except (BusUnavailable, BadURL):
        return False
    return True


def resolve(explicit: str | None) -> tuple[str, str]:
    """``(url, where it came from)``: the flag, the environment, a private server or the
    default."""
    if explicit:
        return check_url(explicit), "--redis"
    if os.environ.get("REDIS_URL"):
        return check_url(os.environ["REDIS_URL"]), "REDIS_URL"
    running = private.url_if_running()
    if running and not answers(DEFAULT_URL):
        return running, "private"
    return DEFAULT_URL, "default"
