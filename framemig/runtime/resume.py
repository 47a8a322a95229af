"""The entry point a resume module calls."""

from __future__ import annotations

from framemig.runtime.host import Host
from framemig.snapshot import format as snapshot_format


def main(snapshot_path: str, body: dict | None = None, dump_at: tuple | None = None,
         ready_fd: int | None = None, go_fd: int | None = None) -> int:
    if body is None:
        body = snapshot_format.read(snapshot_path)
    return Host(dump_at).resume(body, ready_fd, go_fd)
