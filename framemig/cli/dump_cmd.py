"""``framemig dump PID``: ask a program to capture itself, and wait for the snapshot."""

from __future__ import annotations

import click

from framemig import keys
from framemig.cli.output import emit_json, err_console, expected_failures
from framemig.runtime import client
from framemig.snapshot import format as snapshot_format
from framemig.units import size as human_size


@click.command("dump")
@click.argument("pid", type=int)
@click.option("-o", "--output", "out", required=True, metavar="PATH",
              help="Where to write the snapshot.")
@click.option("--leave-running", is_flag=True, help="Keep the program running afterwards.")
@click.option("--timeout", type=float, default=5.0, show_default=True,
              help="Seconds to wait for a safe point (and for a process that is "
                   "starting).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@expected_failures
def dump_command(pid, out, leave_running, timeout, as_json):
    """Capture process PID (started by framemig exec or restore) into a snapshot.

    A process that is still starting (loading its program or snapshot) is waited for,
    within the timeout."""
    mode = "leave" if leave_running else "exit"
    key = keys.load()  # (a bad key file is said before the program is stopped)
    if as_json or not err_console().is_terminal:
        ticket = client.ask(pid, mode, out, timeout)
    else:
        with err_console().status("asking for a safe point...") as status:
            def progress(update):
                if update.get("state") == "starting":
                    status.update(f"waiting for process {pid} to start its program")
                elif update.get("state") == "waiting":
                    status.update(f"waiting for a safe point (program at {update['where']})")
                elif update.get("state") == "capturing":
                    status.update("capturing...")
            ticket = client.ask(pid, mode, out, timeout, progress)
    ticket.close()
    reply = ticket.reply
    if key is not None:  # the program never holds the key: whoever asked signs
        reply["size"] = snapshot_format.sign_file(reply["path"], key)
        reply["signed"] = key.id
    if as_json:
        emit_json({"ok": True, **{k: v for k, v in reply.items() if k != "state"}})
        return
    after = "left running" if leave_running else "ended"
    signed = f"signed with key {key.id}" if key is not None else "UNSIGNED (no fleet key)"
    click.echo(
        f"snapshot {reply['path']} ({human_size(reply['size'])}, {signed}) at "
        f"{reply['where']}; "
        f"safe point {reply['safe_point_ms']:.1f} ms, capture {reply['capture_ms']:.1f} ms, "
        f"write {reply['write_ms']:.1f} ms; program {after}"
    )
