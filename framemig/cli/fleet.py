"""Options and plumbing shared by the commands that talk to the fleet."""

from __future__ import annotations

import getpass
import socket

import click

from framemig import keys
from framemig.bus import connection, protocol
from framemig.cli.output import err_console
from framemig.ui.frame import columns


def redis_option(function):
    """``--redis URL`` (else REDIS_URL, else the default or a private Redis)."""
    return click.option("--redis", "redis_url", metavar="URL", default=None,
                        help="Redis URL (default: $REDIS_URL, else redis://localhost:6379/0).")(
        function)


def json_option(function):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(function)


def connect(redis_url: str | None, quiet: bool = False):
    """A connection to the fleet's Redis, with this process signing as an operator with
    the fleet key, if it has one (a fleet with a key refuses what it did not sign)."""
    protocol.signing.use(keys.load(), f"cli:{getpass.getuser()}@{socket.gethostname()}")
    url, origin = connection.resolve(redis_url)
    if origin == "private" and not quiet:
        err_console().print(f"[dim]using framemig's private Redis at {url}[/]")
    return connection.connect(url)


def print_columns(title: str, headers: tuple, rows: list[tuple]) -> None:
    """Aligned columns, as kubectl and docker print them (a rich Table measures every cell
    of every row, and takes seconds for ten thousand)."""
    lines = columns(headers, rows)
    if click.get_text_stream("stdout").isatty():
        title, lines[0] = click.style(title, bold=True), click.style(lines[0], bold=True)
    click.echo("\n".join([title, *lines]))
