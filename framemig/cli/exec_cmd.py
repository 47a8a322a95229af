"""``framemig exec``: run a program as ``python prog.py`` would, ready to be captured.

Parsed with argparse, not click: this path runs inside every program framemig hosts, and
should load as little as it can.
"""

from __future__ import annotations

import argparse
import os
import sys

from framemig.errors import FramemigError

USAGE = "framemig exec [--dump-at FILE:LINE[#HIT] --dump-to PATH [--leave-running]] " \
        "PROGRAM [ARGS]..."
DESCRIPTION = ("Run PROGRAM as `python PROGRAM ARGS...` would, ready to be captured. "
               "Nothing is traced while nobody asks for a capture; `framemig dump PID` "
               "stops the program at its next safe point.")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="framemig exec", usage=USAGE,
                                     description=DESCRIPTION)
    parser.add_argument("--dump-at", metavar="FILE:LINE[#HIT]",
                        help="capture when FILE:LINE is reached (the HIT-th time)")
    parser.add_argument("--dump-to", metavar="PATH", help="where --dump-at writes")
    parser.add_argument("--leave-running", action="store_true",
                        help="with --dump-at: keep running after it")
    parser.add_argument("program", help="the Python file to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="its arguments")
    return parser


def parse_dump_at(value, out, leave_running):
    """``FILE:LINE[#HIT]`` -> (path, line, hit, out, leave_running), or None."""
    if value is None:
        return None
    if not out:
        raise ValueError("--dump-at needs --dump-to PATH")
    spec, hit = value, ""
    head, mark, tail = value.rpartition("#")
    if mark and tail.isdigit() and ":" in head:  # a file name may hold '#' and ':' too
        spec, hit = head, tail
    path, _, line = spec.rpartition(":")
    if not path or not line.isdigit() or (hit and not hit.isdigit()):
        raise ValueError(f"--dump-at takes FILE:LINE or FILE:LINE#HIT, not {value!r}")
    return (path, int(line), int(hit or 1), os.path.abspath(out), leave_running)


def main(argv: list[str]) -> None:
    parser = _parser()
    options = parser.parse_args(argv)
    try:
        breakpoint_spec = parse_dump_at(options.dump_at, options.dump_to, options.leave_running)
    except ValueError as exc:
        parser.error(str(exc))
    from framemig.runtime.host import Host
    from framemig.runtime.session import preload_if_asked

    preload_if_asked()
    try:
        status = Host(breakpoint_spec).exec_script(options.program, options.args)
    except FramemigError as error:
        print(f"framemig: {error.message}", file=sys.stderr)
        sys.exit(int(error.code))
    sys.exit(status)
