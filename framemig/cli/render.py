"""The views of ``framemig inspect``: a JSON-friendly summary, and its rich rendering."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.tree import Tree

from framemig.snapshot import describe, sensitive


def _link_text(body: dict, record: dict) -> str:
    link = record.get("link")
    at = record.get("at") or {}
    span = describe.source_span(body, record)
    if link is None:
        return f"stopped at line {at.get('line')}, col {at.get('col')}"
    kind = link["kind"]
    if kind == "sleep":
        return f"in {span or 'time.sleep'}, {link['remaining']:.3f} s left"
    if kind == "gen":
        return f"driving a generator ({link.get('via')})"
    if kind == "class":
        return f"creating an object: {span}" if span else "creating an object"
    return f"waiting for {span}" if span else f"calling (col {at.get('col')})"


def summary(body: dict) -> dict:
    objects = body["objects"]
    interpreter = body["interpreter"]
    stack = []
    for record in body["stack"]:
        stack.append({
            "function": record["code"]["qualname"],
            "file": record["code"]["source"],
            "line": record.get("line"),
            "doing": _link_text(body, record),
            "locals": {name: describe.value(v, objects)
                       for name, v in (record.get("locals") or {}).items()},
            "cells": {name: describe.value(v, objects)
                      for name, v in (record.get("cells") or {}).items()},
            "stack_values": len(record.get("stack", [])),
        })
    modules = []
    for module in body["modules"]:
        namespace = describe.resolve(module["dict"], objects)
        names = {name: describe.value(v, objects)
                 for name, v in namespace.get("s", {}).items() if not name.startswith("__")}
        modules.append({"name": module["name"], "source": module["source"], "globals": names})
    functions = [d for d in describe.descriptions(body) if d.get("t") == "function"]
    cell_owners: dict[int, list[str]] = {}
    for function in functions:
        for cell in function.get("closure", []):
            if isinstance(cell, dict) and "ref" in cell:
                cell_owners.setdefault(cell["ref"], []).append(function["qualname"])
    closures = []
    for function in functions:
        if not function.get("closure"):
            continue
        variables = []
        for cell in function["closure"]:
            shared = [q for q in cell_owners.get(cell.get("ref"), [])
                      if q != function["qualname"]] if "ref" in cell else []
            variables.append({"value": describe.value(cell, objects), "shared_with": shared})
        closures.append({"function": function["qualname"], "cells": variables})
    runtime = body.get("runtime", {})
    timers = []
    for timer in describe.plain(runtime.get("timers", []), objects) or []:
        handle, callback, _args, remaining, interval = timer
        timers.append({"handle": handle, "callback": describe.value(callback, objects),
                       "remaining": remaining, "interval": interval})
    return {
        "program": body["program"],
        "captured": body["created"],
        "interpreter": {
            "implementation": interpreter["implementation"],
            "version": interpreter["version_string"],
            "system": interpreter["system"],
            "machine": interpreter["machine"],
        },
        "framemig": body.get("framemig"),
        "hops": body.get("hops", 1),
        "root": body.get("root"),
        "stack": stack,
        "modules": modules,
        "closures": closures,
        "timers": timers,
        "sources": {key: {"role": entry.get("role"), "sha256": entry["sha256"],
                          "lines": entry["text"].count("\n")}
                    for key, entry in body["sources"].items()},
        "objects": len(objects),
        "libraries": {module: sorted(values)
                      for module, values in _library_globals(runtime, objects).items()},
        "left_behind": body.get("left_behind", []),
        "sensitive": sensitive.report(body),
    }


def _library_globals(runtime: dict, objects: list) -> dict:
    """``{module: description of its carried globals}`` (runtime/libstate.py)."""
    carried = describe.resolve(runtime.get("libraries") or {}, objects)
    found = {}
    for module, values in (carried.get("d") or {}).items():
        found[module] = describe.resolve(values, objects).get("d", {})
    return found


def show(data: dict, console: Console | None = None) -> None:
    console = console or Console()
    interpreter = data["interpreter"]
    program = data["program"]
    header = Table.grid(padding=(0, 2))
    header.add_row("[b]program[/]", f"{program['main']}  argv={program['argv']!r}")
    header.add_row("[b]captured[/]", f"{data['captured']}  (hop {data['hops']})")
    header.add_row("[b]interpreter[/]", f"{interpreter['implementation']} "
                   f"{interpreter['version']} on {interpreter['system']} {interpreter['machine']}")
    header.add_row("[b]objects[/]", f"{data['objects']} in the table; "
                   f"{len(data['sources'])} source file(s) carried")
    for module, names in data.get("libraries", {}).items():
        header.add_row("[b]library state[/]", f"{module}: {', '.join(names)}")
    for line in data.get("left_behind", []):
        header.add_row("[b]left behind[/]", line)
    console.print(Panel(header, title="framemig snapshot", border_style="cyan"))

    stack = Table(title="Stack (outermost first)", title_justify="left", expand=True)
    stack.add_column("#", justify="right", style="dim")
    stack.add_column("function", style="bold")
    stack.add_column("where")
    stack.add_column("doing")
    stack.add_column("locals", overflow="fold")
    for number, frame in enumerate(data["stack"], 1):
        local_text = ", ".join(f"{k}={v}" for k, v in frame["locals"].items())
        if frame["cells"]:
            local_text += ("; " if local_text else "") + ", ".join(
                f"{k}={v}" for k, v in frame["cells"].items())
        stack.add_row(str(number), frame["function"], f"{frame['file']}:{frame['line']}",
                      frame["doing"], local_text or "-")
    if not data["stack"]:
        stack.add_row("", "(no frames: waiting for the next timer)", "", "", "")
    console.print(stack)

    tree = Tree("[b]Scopes[/]")
    for module in data["modules"]:
        branch = tree.add(f"module [cyan]{module['name']}[/] ({module['source']})")
        for name, value in module["globals"].items():
            branch.add(f"{name} = {value}")
    if data["closures"]:
        branch = tree.add("closures")
        for closure in data["closures"]:
            cells = ", ".join(
                c["value"] + (f" (shared with {', '.join(c['shared_with'])})"
                              if c["shared_with"] else "")
                for c in closure["cells"])
            branch.add(f"{closure['function']}: {cells}")
    console.print(tree)

    _show_sensitive(data.get("sensitive"), console)

    if data["timers"]:
        timers = Table(title="Timers", title_justify="left")
        for column in ("handle", "callback", "remaining (s)", "interval (s)"):
            timers.add_column(column)
        for timer in data["timers"]:
            timers.add_row(str(timer["handle"]), timer["callback"], f"{timer['remaining']:.3f}",
                           "-" if timer["interval"] is None else f"{timer['interval']:g}")
        console.print(timers)
    console.print(Group())


def _show_sensitive(data: dict | None, console: Console) -> None:
    """The "could be sensitive" panel: names, lengths and paths, never values."""
    if not data:
        return
    grid = Table.grid(padding=(0, 2))
    environment = data["environment"]
    if environment["set"]:
        grid.add_row("[b]environment set[/]", ", ".join(
            f"{e['name']}=<{e['length']} chars>" for e in environment["set"]))
    if environment["unset"]:
        grid.add_row("[b]environment unset[/]", ", ".join(environment["unset"]))
    for entry in data["redacted"]:
        grid.add_row("[b]redacted[/]", f"{entry['name']} ({entry['kind']}): "
                     f"{'; '.join(entry['where'])} - restore needs --provide {entry['name']}")
    for entry in data["secret_names"]:
        grid.add_row("[b]secret-like name[/]", f"{entry['name']}: {entry['where']} "
                     f"(its value is in the snapshot)")
    for option in data["arguments"]:
        grid.add_row("[b]secret-like option[/]", option)
    paths = data["paths"]
    for label, key in (("program folder", "root"), ("working dir", "cwd")):
        if paths.get(key):
            grid.add_row(f"[b]{label}[/]", str(paths[key]))
    for label, key in (("sys.path added", "sys_path_added"), ("open file", "open_files"),
                       ("database", "databases"), ("source", "sources")):
        for path in paths.get(key) or ():
            grid.add_row(f"[b]{label}[/]", str(path))
    console.print(Panel(grid, title="Could be sensitive (names and paths; no values shown)",
                        title_align="left", border_style="yellow"))
