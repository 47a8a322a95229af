"""What belongs to the program being captured, and where its code comes from.

The program is the main script and every module loaded from the script's directory. Its
modules are carried by value (their globals travel); everything else (the standard library,
installed packages) is re-imported by name on the target. Frames and functions name their
code by source location, so the text of each file they come from travels too.
"""

from __future__ import annotations

import linecache
import os
import sys
from types import CodeType, ModuleType

from framemig.errors import CannotTravel
from framemig.interp import codes
from framemig.interp.codes import is_framemig_file
from framemig.snapshot.format import source_hash


class World:
    """The program's root, modules and sources, as seen at capture time."""

    def __init__(self, main_path: str, known_sources: dict[str, str] | None = None):
        self.main_path = os.path.abspath(main_path)
        self.root = os.path.dirname(self.main_path)
        self.known_sources = dict(known_sources or {})  # absolute path -> text
        self.used_sources: dict[str, dict] = {}  # snapshot key -> entry
        self._indexes: dict[str, codes.CodeIndex] = {}
        self.program_modules = self._find_program_modules()
        self.program_module_by_dict = {
            id(module.__dict__): name for name, module in self.program_modules.items()
        }

    # --- modules ---------------------------------------------------------------------

    def is_program_file(self, filename: str) -> bool:
        path = os.path.abspath(filename)
        if path == self.main_path:
            return True
        return path.startswith(self.root + os.sep) and not is_framemig_file(path)

    def _find_program_modules(self) -> dict[str, ModuleType]:
        found = {}
        for name, module in list(sys.modules.items()):
            filename = getattr(module, "__file__", None)
            if name == "__main__" or (filename and self.is_program_file(filename)):
                found[name] = module
        return found

    def module_name_of_dict(self, namespace: dict) -> str | None:
        name = self.program_module_by_dict.get(id(namespace))
        if name is not None:
            return name
        return None

    # --- sources ---------------------------------------------------------------------

    def source_key(self, filename: str) -> str:
        path = os.path.abspath(filename)
        if self.is_program_file(path):
            return os.path.relpath(path, self.root)
        return "lib:" + path

    def _text(self, filename: str) -> str:
        path = os.path.abspath(filename)
        if path in self.known_sources:
            return self.known_sources[path]
        lines = linecache.getlines(path)
        if not lines:
            try:
                with open(path, encoding="utf-8") as handle:
                    return handle.read()
            except OSError:
                raise CannotTravel(
                    f"{filename}: the source of running code is not readable") from None
        return "".join(lines)

    def _index(self, filename: str) -> codes.CodeIndex:
        path = os.path.abspath(filename)
        index = self._indexes.get(path)
        if index is None:
            text = self._text(path)
            top = compile(text, filename, "exec", dont_inherit=True)
            index = codes.CodeIndex(top)
            self._indexes[path] = index
            key = self.source_key(path)
            self.used_sources[key] = {
                "sha256": source_hash(text),
                "text": text,
                "origin": path,
                "role": "program" if self.is_program_file(path) else "library",
            }
        return index

    def code_key(self, code: CodeType) -> codes.CodeKey:
        """Name ``code`` by source; resume code objects name the code they stand for."""
        resumed = codes.resume_info(code)
        if resumed is not None:
            self._index_for_key(resumed.key)
            return resumed.key
        filename = code.co_filename
        if filename.startswith("<"):
            raise CannotTravel(f"{code.co_qualname} was compiled from a string ({filename})")
        index = self._index(filename)
        rank = index.rank_of(code)
        if rank is None:
            raise CannotTravel(
                f"{filename}:{code.co_firstlineno} {code.co_qualname}: the file changed on "
                f"disk since the program loaded it"
            )
        return codes.CodeKey(self.source_key(filename), code.co_qualname,
                             code.co_firstlineno, rank)

    def carry_file(self, filename: str) -> None:
        """Carry ``filename`` in the snapshot even if no code of it is on the stack."""
        try:
            self._index(filename)
        except (SyntaxError, ValueError, CannotTravel):
            pass

    def _index_for_key(self, key: codes.CodeKey) -> None:
        """Make sure the source a resume code stands for travels in the snapshot."""
        if key.source in self.used_sources:
            return
        path = key.source[4:] if key.source.startswith("lib:") else os.path.join(
            self.root, key.source)
        self._index(path)
