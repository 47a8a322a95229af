"""A restore in progress: the program's modules, its objects, its frames.

Order matters: the program's modules are created empty first (functions need their
globals dicts to exist), then the object table is decoded into them, then the frames
are turned into resume functions. Nothing of the program runs before the resume
functions are called, except the ``framemig.on_restore`` callbacks it registered.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import os
import sys
import types

from framemig import env
from framemig.errors import RestoreFailed
from framemig.restore.decoder import Decoder
from framemig.restore.frames import FrameBuilder
from framemig.restore.refs import refs_in
from framemig.restore.sources import Sources

# Library modules that moved between CPython versions: where their classes are found on an
# interpreter that lacks the module a snapshot names (3.13 made pathlib a package).
MOVED_MODULES = {
    "pathlib._local": "pathlib",
}


class Restoration:
    def __init__(self, body: dict, program_dir: str | None = None, signed: bool = False):
        self.body = body
        # signed with the fleet key (or vouched for by a node that checked it): library
        # constructors and dill payloads may be called (framemig/restore/allowed.py)
        self.signed = signed
        self.sources = Sources(body, program_dir)
        self.modules: dict[str, types.ModuleType] = {}
        self.decoder = Decoder(body["objects"], self)
        self.frames = FrameBuilder(self)
        self.handled_exception = None
        self.runtime: dict = {}
        self._program_names = {m["name"] for m in body["modules"]}

    # --- steps ------------------------------------------------------------------------

    def create_modules(self) -> None:
        """Empty program modules, registered in sys.modules under their names."""
        for entry in self.body["modules"]:
            name = entry["name"]
            path = self.sources.path(entry["source"])
            if name == "__main__":
                module = env.new_main_module(path)
            else:
                locations = [os.path.dirname(path)] if entry.get("package") else None
                spec = importlib.util.spec_from_file_location(
                    name, path, submodule_search_locations=locations)
                module = importlib.util.module_from_spec(spec)
                module.__builtins__ = vars(builtins)
            self.modules[name] = module
            sys.modules[name] = module

    def set_program_context(self) -> None:
        program = self.body["program"]
        sys.argv[:] = list(program["argv"])
        root = self.sources.root
        if sys.path and sys.path[0] != root:
            sys.path[0] = root
        elif not sys.path:
            sys.path.append(root)

    def load_state(self) -> None:
        """Decode the program's globals, framemig's runtime state and the stack's values."""
        for entry in self.body["modules"]:
            self.decoder.load(entry["dict"])
        self.runtime = {key: self.decoder.load(value)
                        for key, value in self.body.get("runtime", {}).items()}
        self.handled_exception = self.decoder.load(self.body.get("handled_exception"))
        for record in self.body["stack"]:
            for ref in _record_refs(record):
                self.decoder.complete(ref)
        self.decoder.hold_locks()

    # --- what the decoder asks -----------------------------------------------------------

    def is_program_module(self, name) -> bool:
        return name in self._program_names

    def module_uses_name(self, name: str, global_name: str) -> bool:
        """Does the top-level code of program module ``name``, compiled here, use the
        global ``global_name``?"""
        for entry in self.body["modules"]:
            if entry["name"] == name:
                return global_name in self.sources.index(entry["source"]).top.co_names
        return False

    def module(self, name: str, program: bool) -> types.ModuleType:
        if program:
            try:
                return self.modules[name]
            except KeyError:
                raise RestoreFailed(f"the snapshot lacks program module {name}") from None
        try:
            return importlib.import_module(name)
        except Exception as exc:
            raise RestoreFailed(f"module {name} cannot be imported here: {exc}") from None

    def find_code(self, key_json: dict):
        return self.sources.find_code(key_json)[1]

    def submodule(self, name: str, sub: str) -> None:
        """Import ``name.sub`` as the captured program had (``import email.mime.text``);
        one this interpreter lacks is left out (the program did not ask for it here)."""
        try:
            importlib.import_module(f"{name}.{sub}")
        except Exception:
            pass

    def import_global(self, module_name: str, qualname: str):
        program = self.is_program_module(module_name)
        try:
            obj = self.module(module_name, program)
        except RestoreFailed:
            moved = MOVED_MODULES.get(module_name)
            if moved is None:
                raise
            obj, module_name = self.module(moved, False), moved
        path = module_name
        for part in qualname.split("."):
            try:
                obj = getattr(obj, part)
            except AttributeError:
                obj = self._submodule_attribute(obj, f"{path}.{part}", program)
                if obj is None:
                    raise RestoreFailed(
                        f"{module_name}.{qualname} does not exist here") from None
            path = f"{path}.{part}"
        return obj

    @staticmethod
    def _submodule_attribute(parent, dotted: str, program: bool):
        """``a.b`` where ``b`` is a submodule not imported yet: import it."""
        if program or not isinstance(parent, types.ModuleType):
            return None
        try:
            return importlib.import_module(dotted)
        except Exception:
            return None

    def generator_needs(self, entry: dict):
        state = entry["state"]
        if state == "running":
            first = entry["frame"]
            for k, record in enumerate(self.body["stack"][first:]):
                yield from _record_refs(record, include_generator=k > 0)
        elif state in ("created", "suspended"):
            yield from _record_refs(entry["frame"])

    def make_generator(self, entry: dict):
        state = entry["state"]
        if state == "running":
            generator = self.frames.stack_function(entry["frame"])()
        elif state == "created":
            generator = self.frames.created_generator(entry["frame"])()
        elif state == "suspended":
            generator = self.frames.suspended_generator(entry["frame"])()
            generator.send(None)  # runs the prologue up to the yield it was waiting at
        else:
            generator = _finished_coroutine() if entry.get("coroutine") else _finished()
        generator.__name__ = entry["name"]
        generator.__qualname__ = entry["qualname"]
        return generator


def _finished():
    def finished():
        yield

    generator = finished()
    generator.close()
    return generator


def _finished_coroutine():
    async def finished():
        pass

    coroutine = finished()
    coroutine.close()
    return coroutine


def _record_refs(record: dict, include_generator: bool = True):
    yield from refs_in(record.get("globals"))
    for value in record.get("locals", {}).values():
        yield from refs_in(value)
    for value in record.get("cells", {}).values():
        yield from refs_in(value)
    for item in record.get("stack", []):
        yield from refs_in(item.get("v"))
    link = record.get("link") or {}
    yield from refs_in(link.get("self"))
    yield from refs_in(link.get("args"))
    if include_generator:
        yield from refs_in(record.get("generator"))
