"""``framemig keygen``: make the fleet key that signs commands, replies and snapshots."""

from __future__ import annotations

import click

from framemig import keys
from framemig.cli.output import expected_failures


@click.command("keygen")
@click.argument("path", required=False, metavar="[FILE]")
@click.option("--force", is_flag=True, help="Replace an existing key file.")
@expected_failures
def keygen_command(path, force):
    """Write a new fleet key (256 bits, mode 0600) to FILE (default:
    $FRAMEMIG_KEY_FILE, else ~/.config/framemig/fleet.key).

    Copy it to every node and every operator's machine: whoever holds it commands the
    fleet, and a restore trusts the snapshots it signed."""
    import os

    key = keys.generate(path or os.environ.get(keys.KEY_ENV) or None, force=force)
    click.echo(f"fleet key {key.id} written to {key.path}")
