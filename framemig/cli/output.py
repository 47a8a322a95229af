"""How the CLI speaks: one line per expected failure, JSON for machines, rich for people."""

from __future__ import annotations

import functools
import json
import sys

import click
import redis
from rich.console import Console

from framemig.errors import BusUnavailable, FramemigError

err_console = Console(stderr=True, highlight=False)


def fail(error: FramemigError, as_json: bool = False) -> None:
    if as_json:
        click.echo(json.dumps({"ok": False, "code": int(error.code), "error": error.message}))
    else:
        err_console.print(f"[bold red]framemig:[/] {error.message}", soft_wrap=True)
    sys.exit(int(error.code))


def emit_json(data: dict) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def expected_failures(function):
    """Turn FramemigError into a one-line message and its exit code."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except FramemigError as error:
            fail(error, kwargs.get("as_json", False))
        except redis.RedisError as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            fail(BusUnavailable(f"Redis failed: {reason}"), kwargs.get("as_json", False))

    return wrapper


def parse_dump_at(value: str | None, out: str | None, leave_running: bool):
    """``FILE:LINE[#HIT]`` -> the tuple the host takes."""
    if value is None:
        return None
    if not out:
        raise click.UsageError("--dump-at needs --dump-to PATH")
    spec, _, hit = value.partition("#")
    path, _, line = spec.rpartition(":")
    if not path or not line.isdigit() or (hit and not hit.isdigit()):
        raise click.UsageError(f"--dump-at takes FILE:LINE or FILE:LINE#HIT, not {value!r}")
    import os

    return (path, int(line), int(hit or 1), os.path.abspath(out), leave_running)
