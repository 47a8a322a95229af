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



def print_columns(title: str, headers: tuple, rows: list[tuple]) -> None:
    """Aligned columns as kubectl and docker print them: fast for ten thousand rows
    (a rich Table measures every cell of every row, and takes seconds)."""
    widths = [len(h) for h in headers]
    for row in rows:
        for n, cell in enumerate(row):
            widths[n] = max(widths[n], len(cell))
    style = click.get_text_stream("stdout").isatty()
    lines = [click.style(title, bold=True) if style else title]
    header = "  ".join(h.upper().ljust(w) for h, w in zip(headers, widths)).rstrip()
    lines.append(click.style(header, bold=True) if style else header)
    lines.extend("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows)
    click.echo("\n".join(lines))
