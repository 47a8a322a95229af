"""The ``framemig`` command.

``framemig exec`` takes a short path that loads neither click nor rich: a program run by
framemig should carry as little of framemig as possible (principle 1). Every other
command goes through the click group in :mod:`framemig.cli.commands`.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    from framemig import env

    why = env.unsupported_interpreter()
    if why is not None:
        sys.stderr.write(f"framemig: {why}\n")
        raise SystemExit(2)
    registration = None
    if argv and argv[0] in ("exec", "restore") and "--standby-fd" not in argv:
        # framemig's from its first instant: a dump that comes while the program (or its
        # snapshot) is still loading waits for it instead of being told "not framemig"
        from framemig.runtime import channel

        registration = channel.register_starting(argv[0])
    try:
        if argv and argv[0] == "exec":
            from framemig.cli import exec_cmd

            exec_cmd.main(argv[1:])
            return
        from framemig.cli.commands import cli

        cli(argv, prog_name="framemig")
    finally:
        if registration is not None:
            channel.unregister(registration)
