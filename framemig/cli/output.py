"""How the CLI speaks: one line per expected failure, JSON for machines, rich for people."""

from __future__ import annotations

import functools
import json
import sys

import click

from framemig.errors import BusUnavailable, FramemigError


@functools.lru_cache(maxsize=1)
def err_console():
    """A rich console on stderr, made when first used (restore should not load rich)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def fail(error: FramemigError, as_json: bool = False) -> None:
    say_failure(error, as_json)
    sys.exit(int(error.code))


def say_failure(error: FramemigError, as_json: bool = False) -> None:
    if as_json:
        click.echo(json.dumps({"ok": False, "code": int(error.code), "error": error.message}))
    elif sys.stderr.isatty():
        err_console().print(f"[bold red]framemig:[/] {error.message}", soft_wrap=True)
    else:
        click.echo(f"framemig: {error.message}", err=True)


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
        except Exception as error:
            if type(error).__module__.split(".")[0] != "redis":
                raise
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            fail(BusUnavailable(f"Redis failed: {reason}"), kwargs.get("as_json", False))

    return wrapper
