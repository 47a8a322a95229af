"""Draining a node: its programs move to other nodes, a few at a time.

``framemig drain NODE`` does it from the client (a migration per program, with
progress); a node that gets its first SIGTERM does it itself when other nodes can take
its programs, and otherwise ends them gently (``ManagedProgram.terminate``). Either
way the node is cordoned first: no new program comes to it meanwhile.
"""

from __future__ import annotations

import concurrent.futures

from framemig.bus import placement, registry
from framemig.errors import FramemigError

PARALLEL = 4  # migrations in flight at once


def targets_for(nodes: list[dict], program: dict, leaving: str, among=None,
                cordoned=(), index: int = 0) -> str | None:
    """The node a program leaving ``leaving`` goes to: the best qualifying one, taking
    the ``index``-th program to the ``index``-th best so that a drain spreads."""
    fit = placement.candidates(nodes, program.get("require"), exclude={leaving},
                               among=among, cordoned=cordoned)
    return fit[index % len(fit)]["name"] if fit else None


def on_stop(node) -> None:
    """The node was asked to stop: move its programs away if any node can take them."""
    from framemig.node.migrate import migrate_locked

    with node.programs_lock:
        programs = [p for p in node.programs.values() if p.status in ("running", "paused")]
    if not programs:
        return
    try:
        nodes = node.with_redis(registry.nodes, attempts=2)
        cordoned = node.with_redis(registry.cordoned, attempts=2)
    except Exception:  # noqa: BLE001 - Redis away: nothing can be moved; they end
        return
    if not placement.candidates(nodes, None, exclude={node.name}, cordoned=cordoned):
        node.log("no other node can take the programs: they end here")
        return
    node.draining = node.cordoned = True
    node.log(f"draining: moving {len(programs)} program(s) to other nodes")
    try:
        with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
            futures = {}
            for index, program in enumerate(programs):
                target = targets_for(nodes, program.record, node.name, cordoned=cordoned,
                                     index=index)
                if target is None:
                    node.log(f"{program.id}: no node can take it "
                             f"({placement.why_none(nodes, program.record.get('require'))})")
                    continue
                futures[pool.submit(migrate_locked, node, program, target)] = (program,
                                                                               target)
            for future in concurrent.futures.as_completed(futures):
                program, target = futures[future]
                try:
                    future.result()
                    node.log(f"{program.id} moved to {target}")
                except FramemigError as error:
                    node.log(f"{program.id} could not move to {target}: {error.message}")
    finally:
        node.draining = False
