"""``framemig dump PID``: ask a program to capture itself, and wait for the snapshot."""

from __future__ import annotations

import click

from framemig import keys
from framemig.cli.output import emit_json, err_console, expected_failures
from framemig.runtime import client
from framemig.snapshot import format as snapshot_format
from framemig.snapshot.redaction import NAME
from framemig.units import size as human_size


def _names(_ctx, _param, values) -> list[str]:
    """``--redact A --redact B,C`` -> ``[A, B, C]``, each a name."""
    names: list[str] = []
    for value in values:
        for name in value.split(","):
            name = name.strip()
            if not NAME.fullmatch(name):
                raise click.BadParameter(f"{name!r} is not a variable or environment "
                                         f"variable name")
            if name not in names:
                names.append(name)
    return names


@click.command("dump")
@click.argument("pid", type=int)
@click.option("-o", "--output", "out", required=True, metavar="PATH",
              help="Where to write the snapshot.")
@click.option("--leave-running", is_flag=True, help="Keep the program running afterwards.")
@click.option("--timeout", type=float, default=5.0, show_default=True,
              help="Seconds to wait for a safe point (and for a process that is "
                   "starting).")
@click.option("--redact", "redact", multiple=True, metavar="NAME[,NAME...]",
              callback=_names,
              help="Keep the value of this variable (a global, a local of any frame, a "
                   "closure's variable) or environment variable out of the snapshot; "
                   "repeatable. restore then needs it back: --provide NAME.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@expected_failures
def dump_command(pid, out, leave_running, timeout, redact, as_json):
    """Capture process PID (started by framemig exec or restore) into a snapshot.

    A process that is still starting (loading its program or snapshot) is waited for,
    within the timeout. Values named by --redact are kept out by the program itself, as
    it captures: they are written nowhere. A name that matches nothing, a value that is
    not str or bytes, or a copy of a secret left elsewhere refuses the dump (the program
    goes on)."""
    mode = "leave" if leave_running else "exit"
    key = keys.load()  # (a bad key file is said before the program is stopped)
    if as_json or not err_console().is_terminal:
        ticket = client.ask(pid, mode, out, timeout, redact=redact)
    else:
        with err_console().status("asking for a safe point...") as status:
            def progress(update):
                if update.get("state") == "starting":
                    status.update(f"waiting for process {pid} to start its program")
                elif update.get("state") == "waiting":
                    status.update(f"waiting for a safe point (program at {update['where']})")
                elif update.get("state") == "capturing":
                    status.update("capturing...")
            ticket = client.ask(pid, mode, out, timeout, progress, redact=redact)
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
    for name, places in sorted((reply.get("redacted") or {}).items()):
        click.echo(f"redacted {name}: {'; '.join(places)} (restore needs --provide {name})")

