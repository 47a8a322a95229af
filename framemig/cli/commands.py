"""The click group of every command, each loaded only when it is run: ``framemig restore``
hosts a program and should not carry the node daemon, Redis or rich along."""

from __future__ import annotations

import importlib
import os

import click

from framemig import __version__, keys

EXIT_CODES = """
Exit codes: 0 ok; exec/restore pass the program's own status through;
64 no such process, 65 not started by framemig, 66 no safe point before the timeout,
67 something cannot travel, 68 snapshot missing, 69 snapshot corrupt, 70 unknown
snapshot format, 71 source hash mismatch, 72 cannot restore on this interpreter,
73 permission denied, 74 busy, 75 the program was dumped and ended, 76 no such program,
78 Redis unreachable, 79 bad Redis URL, 80 no such node, 81 no such program in the fleet,
82 node name taken, 83 a node could not do it, 84 no answer, 85 migration rolled back,
86 no fleet key or a bad key file, 87 unsigned, mis-signed, stale or replayed: refused.
"""

COMMANDS = {
    "exec": "framemig.cli.exec_help:command",
    "dump": "framemig.cli.dump_cmd:dump_command",
    "restore": "framemig.cli.restore_cmd:restore_command",
    "inspect": "framemig.cli.inspect_cmd:inspect_command",
    "node": "framemig.cli.node_cmd:node_command",
    "redis": "framemig.cli.node_cmd:redis_group",
    "nodes": "framemig.cli.fleet_cmds:nodes_command",
    "ps": "framemig.cli.fleet_cmds:ps_command",
    "run": "framemig.cli.fleet_cmds:run_command",
    "pause": "framemig.cli.fleet_cmds:pause_command",
    "resume": "framemig.cli.fleet_cmds:resume_command",
    "kill": "framemig.cli.fleet_cmds:kill_command",
    "migrate": "framemig.cli.fleet_cmds:migrate_command",
    "logs": "framemig.cli.fleet_cmds:logs_command",
    "checkpoint": "framemig.cli.fleet_ops:checkpoint_command",
    "drain": "framemig.cli.fleet_ops:drain_command",
    "uncordon": "framemig.cli.fleet_ops:uncordon_command",
    "rm": "framemig.cli.fleet_ops:rm_command",
    "top": "framemig.cli.top_cmd:top_command",
    "keygen": "framemig.cli.keygen_cmd:keygen_command",
}


class LazyGroup(click.Group):
    """A group that imports a command's module when the command is used."""

    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup, epilog=EXIT_CODES,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="framemig")
@click.option("--key", "key_file", metavar="FILE", default=None,
              help="The fleet key that signs commands and snapshots (default: "
                   "$FRAMEMIG_KEY_FILE, else ~/.config/framemig/fleet.key).")
def cli(key_file):
    """Live migration of running Python programs.

    Run a program with `framemig exec`, capture it at any line with `framemig dump`,
    and continue it in another process or on another machine with `framemig restore`.
    Run node daemons with `framemig node` and move programs between them with
    `framemig run`, `ps`, `migrate`, `logs`; watch and steer them with `framemig top`.
    Programs are checkpointed and resumed elsewhere when their node dies; `framemig
    drain` empties a node for maintenance. Commands are signed with the fleet key
    (`framemig keygen`).
    """
    if key_file:
        os.environ[keys.KEY_ENV] = os.path.abspath(key_file)  # for every command below
