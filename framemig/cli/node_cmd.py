"""``framemig node`` (the daemon) and ``framemig redis`` (a private Redis)."""

from __future__ import annotations

import socket

import click

from framemig import keys, units
from framemig.bus import connection, private
from framemig.cli.output import err_console, expected_failures
from framemig.errors import NoKey
from framemig.node import credentials
from framemig.node.daemon import Node


def _labels(pairs: tuple[str, ...]) -> dict:
    labels = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not key=value", param_hint="--label")
        labels[key] = value
    return labels


@click.command("node")
@click.option("--redis", "redis_url", metavar="URL", default=None,
              help="Redis URL (default: $REDIS_URL, else redis://localhost:6379/0, else a "
                   "private Redis that framemig starts).")
@click.option("--redis-password-file", "password_file", metavar="FILE", default=None,
              help="Read the Redis password from FILE (its first line), so that it is on no "
                   "command line (default: $FRAMEMIG_REDIS_PASSWORD_FILE; or give the whole "
                   "URL in $REDIS_URL).")
@click.option("--name", default=None, help="The node's name (default: the host name).")
@click.option("--label", "labels", multiple=True, metavar="KEY=VALUE",
              help="A label to show in the registry (repeatable).")
@click.option("--workdir", default=None, metavar="DIR", help="Where programs live.")
@click.option("--checkpoint-every", "every", default="30s", show_default=True,
              metavar="DURATION",
              help="How often programs that do not say otherwise are checkpointed for "
                   "failover (stretched so that checkpoints pause a program at most 1% of "
                   "its time; 0: never).")
@click.option("--key", "key_file", metavar="FILE", default=None,
              help="The fleet key (default: $FRAMEMIG_KEY_FILE, else "
                   "~/.config/framemig/fleet.key; `framemig keygen` makes one).")
@click.option("--insecure", is_flag=True,
              help="Run without a fleet key: accept unsigned commands from anyone who can "
                   "write to this Redis (tests, a single-user machine).")
@expected_failures
def node_command(redis_url, password_file, name, labels, workdir, every, key_file, insecure):
    """Run a node daemon: register this device and run programs on the fleet's say-so.

    The first SIGTERM or Ctrl-C drains it (its programs move to other nodes), or, with no
    other node, ends its programs gently; a second one forces."""
    try:
        every = units.seconds(every)
    except ValueError:
        raise click.BadParameter(f"{every!r} is not a duration (30s, 2m, 0)",
                                 param_hint="--checkpoint-every") from None
    key = None if insecure and not key_file else keys.load(key_file)
    if key is None and not insecure:
        raise NoKey(f"no fleet key (looked for {keys.default_path()}): a node without one "
                    f"runs whatever anyone who can write to its Redis sends. Make one with "
                    f"`framemig keygen` and give it to every node and operator, or start "
                    f"with --insecure for a keyless fleet")
    url, origin = connection.resolve(redis_url, password_file)
    if origin == "--redis" and connection.has_password(redis_url):
        err_console().print("[yellow]the Redis password is on the command line, where ps "
                            "shows it: give it in REDIS_URL or with --redis-password-file[/]",
                            soft_wrap=True)
    if origin == "default" and not connection.answers(url):
        url = private.start()
        err_console().print(f"[yellow]no Redis at {connection.DEFAULT_URL}: started a private "
                          f"one at {url}[/] (stop it with `framemig redis stop`)",
                          soft_wrap=True)
    if key is None:
        err_console().print("[yellow]insecure node: no fleet key, every command is "
                            "accepted unchecked[/]", soft_wrap=True)
    credentials.hide_from_programs()
    node = Node(url, name or socket.gethostname(), _labels(labels), workdir,
                checkpoint_every=every, key=key)
    raise SystemExit(node.run())


@click.group("redis")
def redis_group():
    """Manage framemig's private Redis (for machines without one)."""


@redis_group.command("start")
@expected_failures
def redis_start():
    """Start the private Redis (if it is not running) and print its URL."""
    click.echo(private.start())


@redis_group.command("stop")
def redis_stop():
    """Stop the private Redis."""
    click.echo("stopped" if private.stop() else "not running")


@redis_group.command("status")
def redis_status():
    """Print the private Redis's URL, or say it is not running."""
    url = private.url_if_running()
    if url is None:
        raise SystemExit("not running")
    click.echo(url)



