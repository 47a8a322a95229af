"""How ``framemig exec`` shows in ``framemig --help``; the command itself runs lean, from
:mod:`framemig.cli.exec_cmd`, without click."""

import click

from framemig.cli import exec_cmd


@click.command("exec", help=exec_cmd.DESCRIPTION, context_settings={
    "ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []})
@click.pass_context
def command(ctx):
    exec_cmd.main(ctx.args)
