"""``framemig restore``: continue a program from its snapshot."""

from __future__ import annotations

import os
import shutil
import sys
import time

import click

from framemig import keys
from framemig.cli import output
from framemig.cli.exec_cmd import parse_dump_at
from framemig.cli.output import expected_failures
from framemig.errors import FramemigError, PermissionDenied
from framemig.restore import module_text
from framemig.runtime import channel, resume
from framemig.snapshot import format as snapshot_format
from framemig.snapshot import redaction
from framemig.snapshot.redaction import NAME

_DUMP_AT_HELP = "Capture when FILE:LINE is reached (the HIT-th time), e.g. prog.py:12#3."


@click.command("restore")
@click.argument("snapshot", type=click.Path(dir_okay=True), required=False)
@click.option("--emit", metavar="DIR", help="Also write the generated resume module to DIR.")
@click.option("--dump-at", metavar="FILE:LINE[#HIT]", help=_DUMP_AT_HELP)
@click.option("--dump-to", metavar="PATH", help="Where --dump-at writes the snapshot.")
@click.option("--leave-running", is_flag=True, help="With --dump-at: keep running after it.")
@click.option("--program-dir", metavar="DIR", type=click.Path(file_okay=False),
              help="The program's files are in DIR (a copy on this machine): run it from "
                   "there if they are the ones captured.")
@click.option("--trust-unsigned", is_flag=True,
              help="Restore a snapshot that is not signed with the fleet key (one you made "
                   "yourself): restoring runs the code it carries.")
@click.option("--provide", multiple=True, metavar="NAME[=VALUE]",
              help="Give back a value the snapshot was dumped without (dump --redact): "
                   "from the environment variable NAME, or VALUE; repeatable.")
@click.option("--ready-fd", type=int, hidden=True)
@click.option("--go-fd", type=int, hidden=True)
@click.option("--standby-fd", type=int, hidden=True)
@expected_failures
def restore_command(snapshot, emit, dump_at, dump_to, leave_running, program_dir,
                    trust_unsigned, provide, ready_fd, go_fd, standby_fd):
    """Continue the program captured in SNAPSHOT, from exactly where it stopped.

    The program runs from its files where they were at capture if they are still there,
    unchanged (or from --program-dir, if they are there); otherwise from a cache directory
    holding the sources the snapshot carries.

    A supervisor may pass --ready-fd/--go-fd: the program is rebuilt, says so on the
    first, and runs only when 'g' arrives on the second.
    """
    try:
        breakpoint_spec = parse_dump_at(dump_at, dump_to, leave_running)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    provided = _provided(provide)
    registration = None
    if standby_fd is not None:
        snapshot, given = _wait_for_work(standby_fd)
        program_dir = given or program_dir
        # framemig's from now on (framemig.cli.main registers every other restore)
        registration = channel.register_starting("restore")
    elif snapshot is None:
        raise click.UsageError("Missing argument 'SNAPSHOT'.")
    try:
        # a node hands a standby only snapshots it checked against the fleet key itself
        # (Node.trusted_snapshot); the process holds no key
        _restore(snapshot, emit, breakpoint_spec, ready_fd, go_fd, program_dir,
                 trust_unsigned, vouched=standby_fd is not None, provided=provided)
    finally:
        if registration is not None:
            channel.unregister(registration)


def _provided(specs) -> dict[str, str]:
    """``--provide NAME=VALUE`` / ``--provide NAME`` (the environment variable NAME:
    a secret need not be on a command line, where ``ps`` shows it)."""
    values = {}
    for spec in specs:
        name, equals, value = spec.partition("=")
        if not NAME.fullmatch(name):
            raise click.BadParameter(f"{name!r} is not a name", param_hint="--provide")
        if not equals:
            if name not in os.environ:
                raise click.BadParameter(f"{name}: no environment variable {name} to take "
                                         f"its value from (or give NAME=VALUE)",
                                         param_hint="--provide")
            value = os.environ[name]
        values[name] = value
    return values


def _restore(snapshot, emit, breakpoint_spec, ready_fd, go_fd, program_dir=None,
             trust_unsigned=False, vouched=False, provided=None) -> None:
    started = time.perf_counter()
    if vouched:
        body, signed = snapshot_format.read(snapshot, trust_unsigned=True), True
    else:
        body, signed = snapshot_format.read_checked(snapshot, _key(trust_unsigned),
                                                    trust_unsigned)
    read_ms = (time.perf_counter() - started) * 1000
    redaction.give_back(body, provided or {}, os.path.basename(snapshot))
    path = os.path.abspath(snapshot)
    text = module_text.render(body, path)
    if emit:
        _emit(emit, snapshot, body)
    namespace = {"__name__": "__framemig_resume__"}
    exec(compile(text, "<framemig resume module>", "exec"), namespace)
    try:
        code = namespace["resume"](
            body=body, dump_at=breakpoint_spec, ready_fd=ready_fd, go_fd=go_fd,
            read_ms=read_ms, program_dir=os.path.abspath(program_dir) if program_dir else None,
            signed=signed)
    except resume.NeverRun as refused:  # one line, and out with none of the program run
        output.say_failure(refused.error)
        resume.leave_unrun(int(refused.error.code))
    sys.exit(code)


def _key(trust_unsigned: bool):
    """The fleet key; with --trust-unsigned, one that cannot be read is no error (the
    snapshot is then rebuilt as an unsigned one)."""
    if not trust_unsigned:
        return keys.load()
    try:
        return keys.load()
    except FramemigError:
        return None


def _wait_for_work(fd: int) -> tuple[str, str | None]:
    """Stand by, everything loaded, until a node names the snapshot to restore: a node
    keeps one such process ready so that taking over a program does not wait for an
    interpreter to start and import framemig (most of a small program's restore time).
    The node writes one line: the snapshot's path, or a JSON object that also names the
    directory where it unpacked the program's files (``program_dir``) and the program's
    own Redis URL for its data streams (``redis_url``: node/credentials.py; a standby
    is started with none). Returns the snapshot and the directory."""
    import json

    from framemig.bus import streams  # noqa: F401  (framemig's own API for programs)
    from framemig.runtime import capturing  # noqa: F401  (loaded ahead of need)

    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(fd, 4096)
        if not chunk:
            sys.exit(0)  # the node went away without needing us
        data += chunk
    os.close(fd)
    line = data.decode().strip()
    if line.startswith("{"):
        work = json.loads(line)
        if work.get("redis_url"):  # before the program's process is noted: not a change
            os.environ["FRAMEMIG_REDIS_URL"] = work["redis_url"]  # of its own to carry
        return work["snapshot"], work.get("program_dir")
    return line, None


def _emit(directory: str, snapshot: str, body: dict) -> None:
    """Write the resume module and a copy of the snapshot it reads, all or nothing."""
    name = os.path.splitext(os.path.basename(body["program"]["main"]))[0]
    final = os.path.abspath(directory)
    temp = f"{final}.tmp-{os.getpid()}"
    try:
        os.makedirs(temp, exist_ok=True)
        shutil.copyfile(snapshot, os.path.join(temp, os.path.basename(snapshot)))
        copy = os.path.join(final, os.path.basename(snapshot))
        module = module_text.render(body, copy)
        with open(os.path.join(temp, f"resume_{name}.py"), "w", encoding="utf-8") as handle:
            handle.write(module)
        if os.path.isdir(final):
            for entry in os.listdir(temp):
                os.replace(os.path.join(temp, entry), os.path.join(final, entry))
            os.rmdir(temp)
        else:
            os.replace(temp, final)
    except OSError as exc:
        shutil.rmtree(temp, ignore_errors=True)
        raise PermissionDenied(f"cannot write {directory}: {exc.strerror or exc}") from None
    click.echo(f"framemig: resume module written to {os.path.join(final, f'resume_{name}.py')}",
               err=True)
