"""Options and plumbing shared by the commands that talk to the fleet."""

from __future__ import annotations

import click

from framemig.bus import connection
from framemig.cli.output import err_console


def redis_option(function):
    """``--redis URL`` (else REDIS_URL, else the default or a private Redis)."""
    return click.option("--redis", "redis_url", metavar="URL", default=None,
                        help="Redis URL (default: $REDIS_URL, else redis://localhost:6379/0).")(
        function)


def json_option(function):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(function)


def connect(redis_url: str | None, quiet: bool = False):
    url, origin = connection.resolve(redis_url)
    if origin == "private" and not quiet:
        err_console().print(f"[dim]using framemig's private Redis at {url}[/]")
    return connection.connect(url)


def ago(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def size(value: float) -> str:
    for unit in ("B", "K", "M", "G"):
        if value < 1024 or unit == "G":
            return f"{value:.0f}{unit}" if unit == "B" else f"{value:.1f}{unit}"
        value /= 1024
    return str(value)

