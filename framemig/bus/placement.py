"""Choosing a node for a program: for ``run`` and ``migrate`` without a node named, for a
drain, and for a failover.

A node qualifies if it is up (not stopping, not cordoned), carries every label the
program requires (``--require arch=aarch64``), and is not excluded. Among those, the one
with the most free memory wins, then the least busy CPU, then the fewest programs, then
the name: every node computes the same answer from the same records, which is how the
nodes of a failover agree on one survivor before the epoch makes it certain.
"""

from __future__ import annotations


def parse_requirements(pairs) -> dict:
    """``("arch=aarch64", "python=3.12")`` -> a dict; ValueError naming a bad pair."""
    found = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"{pair!r} is not key=value")
        found[name] = value
    return found


def matches(node: dict, require: dict) -> bool:
    """Does ``node`` meet ``require``? Keys are the node's labels, or ``arch``, ``os``,
    ``python`` (a prefix of its version, as ``3.12``) and ``host``."""
    for name, wanted in (require or {}).items():
        if name == "python":
            version = ".".join(str(p) for p in node.get("python_version", []))
            if not (version == wanted or version.startswith(wanted + ".")):
                return False
        elif name in ("arch", "os", "host"):
            if str(node.get(name, "")).lower() != wanted.lower():
                return False
        elif node.get("labels", {}).get(name) != wanted:
            return False
    return True


def candidates(nodes: list[dict], require: dict | None = None, exclude=(),
               among=None, cordoned=()) -> list[dict]:
    """Qualifying nodes, best first."""
    fit = [n for n in nodes if n.get("status", "up") == "up" and n["name"] not in exclude
           and n["name"] not in cordoned and (among is None or n["name"] in among)
           and matches(n, require or {})]
    return sorted(fit, key=_rank)


def _rank(node: dict):
    free = node.get("memory_total", 0) - node.get("memory_used", 0)
    return (-(free // (64 << 20)), round(node.get("cpu_percent", 0) / 10),
            len(node.get("programs", [])), node["name"])


def why_none(nodes: list[dict], require: dict | None, exclude=(), cordoned=()) -> str:
    """One line on why no node qualifies."""
    others = [n for n in nodes if n["name"] not in exclude]
    if not others:
        return "no other live node" if exclude else "no live node"
    up = [n for n in others if n.get("status", "up") == "up" and n["name"] not in cordoned]
    if not up:
        return "every other node is cordoned or stopping"
    wanted = ", ".join(f"{k}={v}" for k, v in (require or {}).items())
    return f"no live node has {wanted}"
