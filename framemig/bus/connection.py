"""Which Redis to use, and connecting to it with errors a person can act on.

The URL comes from ``--redis``, else ``REDIS_URL``, else ``redis://localhost:6379/0``;
``redis://``, ``rediss://`` (TLS), ``unix://`` and ACL ``user:password@`` all work. The
password may instead be in a file (``FRAMEMIG_REDIS_PASSWORD_FILE``, or ``framemig node
--redis-password-file``), so that it is on no command line. When
no URL is given and nothing answers on localhost, framemig can start a private, real
``redis-server`` on a unix socket of its own (see :mod:`framemig.bus.private`), which later
commands then find by themselves.
"""

from __future__ import annotations

import os
from urllib.parse import quote, urlsplit

import redis

from framemig.bus import private
from framemig.errors import BadURL, BusUnavailable

DEFAULT_URL = os.environ.get("FRAMEMIG_DEFAULT_REDIS", "redis://localhost:6379/0")
SCHEMES = ("redis", "rediss", "unix")
PASSWORD_FILE_ENV = "FRAMEMIG_REDIS_PASSWORD_FILE"


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


def has_password(url: str) -> bool:
    return bool(urlsplit(url).password)


def with_password(url: str, password: str) -> str:
    """``url`` with ``password`` (its user, if it names one, kept)."""
    parts = urlsplit(url)
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return parts._replace(netloc=f"{user}:{quote(password, safe='')}@{host}").geturl()


def read_password(path: str) -> str:
    """The password in file ``path`` (its first line)."""
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as handle:
            password = handle.readline().rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise BusUnavailable(f"cannot read the Redis password file {path}: {reason}") \
            from None
    if not password:
        raise BusUnavailable(f"the Redis password file {path} is empty")
    return password


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


def resolve(explicit: str | None, password_file: str | None = None) -> tuple[str, str]:
    """``(url, where it came from)``: the flag, the environment, a private server or the
    default; with the password in ``password_file`` (else ``$FRAMEMIG_REDIS_PASSWORD_FILE``)
    if one is named."""
    password_file = password_file or os.environ.get(PASSWORD_FILE_ENV)
    if explicit:
        url, origin = check_url(explicit), "--redis"
    elif os.environ.get("REDIS_URL"):
        url, origin = check_url(os.environ["REDIS_URL"]), "REDIS_URL"
    else:
        running = None if password_file else private.url_if_running()
        if running and not answers(DEFAULT_URL):
            return running, "private"
        url, origin = DEFAULT_URL, "default"
    if password_file:
        url = with_password(url, read_password(password_file))
    return url, origin
