"""``framemig inspect SNAPSHOT``: what a snapshot holds, for people and for machines."""

from __future__ import annotations

import click

from framemig.cli import render
from framemig.cli.output import emit_json, expected_failures
from framemig.snapshot import format as snapshot_format


@click.command("inspect")
@click.argument("snapshot", type=click.Path(dir_okay=True))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
@expected_failures
def inspect_command(snapshot, as_json):
    """Show the program, interpreter, stack, scopes and timers in SNAPSHOT."""
    body = snapshot_format.read(snapshot, trust_unsigned=True)  # (inspect runs nothing)
    summary = render.summary(body)
    if as_json:
        emit_json(summary)
    else:
        render.show(summary)
