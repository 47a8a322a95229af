"""``framemig top``: watch the fleet and steer it from a terminal."""

from __future__ import annotations

import click

from framemig.bus import connection
from framemig.cli.fleet import connect, redis_option
from framemig.cli.output import expected_failures


@click.command("top")
@redis_option
@click.option("--refresh", type=float, default=1.0, show_default=True, metavar="S",
              help="Seconds between refreshes (changes announced by nodes show at once).")
@click.option("--once", is_flag=True, help="Print one frame as plain text and exit.")
@expected_failures
def top_command(redis_url, refresh, once):
    """Live view of the nodes and programs of the fleet; pause, resume, migrate and kill
    programs with keys (press ? inside for help)."""
    url, _ = connection.resolve(redis_url)
    conn = connect(redis_url, quiet=once)
    where = connection.redacted(url)
    if once:
        from framemig.ui.fleetview import FleetView
        from framemig.ui.frame import render

        view = FleetView(conn)
        view.refresh()
        click.echo(render(view, where), nl=False)
        return
    from framemig.ui.app import TopApp

    TopApp(conn, where, refresh=max(0.2, refresh)).run()
