"""The ``framemig`` command."""

from __future__ import annotations

import click

from framemig import __version__
from framemig.cli import dump_cmd, fleet_cmds, inspect_cmd, node_cmd, program_cmds

EXIT_CODES = """
Exit codes: 0 ok; exec/restore pass the program's own status through;
64 no such process, 65 not started by framemig, 66 no safe point before the timeout,
67 something cannot travel, 68 snapshot missing, 69 snapshot corrupt, 70 unknown
snapshot format, 71 source hash mismatch, 72 cannot restore on this interpreter,
73 permission denied, 74 busy, 75 the program was dumped and ended, 76 no such program,
78 Redis unreachable, 79 bad Redis URL, 80 no such node, 81 no such program in the fleet,
82 node name taken, 83 a node could not do it, 84 no answer, 85 migration rolled back.
"""


@click.group(epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="framemig")
def main():
    """Live migration of running Python programs.

    Run a program with `framemig exec`, capture it at any line with `framemig dump`,
    and continue it in another process or on another machine with `framemig restore`.
    """


main.add_command(program_cmds.exec_command)
main.add_command(program_cmds.restore_command)
main.add_command(dump_cmd.dump_command)
main.add_command(inspect_cmd.inspect_command)
main.add_command(node_cmd.node_command)
main.add_command(node_cmd.redis_group)
for command in (fleet_cmds.nodes_command, fleet_cmds.ps_command, fleet_cmds.run_command,
                fleet_cmds.pause_command, fleet_cmds.resume_command, fleet_cmds.kill_command,
                fleet_cmds.migrate_command, fleet_cmds.logs_command):
    main.add_command(command)
