"""What belongs to the program being captured, and where its code comes from.

The program is the main script and every module loaded from the script's directory that
is not an installed library. Its modules are carried by value (their globals travel);
everything else (the standard library, installed packages) is re-imported by name on the
target. Frames and functions name their code by source location, so the text of each file
they come from travels too.

An installed library is anything under ``sys.prefix`` or ``sys.base_prefix`` (and their
exec variants, unless the program itself lives there), in a ``site-packages`` or
``dist-packages`` directory, or in a virtual environment (a directory holding
``pyvenv.cfg``) -- wherever it sits, even inside the program's directory: a ``.venv``
beside the program is not the program.
"""

from __future__ import annotations

import functools
import linecache
import os
import re
import sys
import warnings
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
        # (module, name) of library globals the program rebound: they travel by value,
        # never by name (a fresh import has the old value, or none)
        self.rebound: set[tuple[str, str]] = set()
        self.library_paths: dict[str, dict[int, str]] = {}  # see definitions
        self._scans: dict[str, dict[int, tuple[str, str]]] = {}
        self.program_module_by_dict = {
            id(module.__dict__): name for name, module in self.program_modules.items()
        }

    # --- modules ---------------------------------------------------------------------

    def is_program_file(self, filename: str) -> bool:
        if filename.startswith("<"):  # "<frozen _collections_abc>", "<string>": no file
            return False
        return _is_program_file(filename, os.getcwd() if not os.path.isabs(filename)
                                else "", self.root, self.main_path)

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

    def library_globals(self, kind: str, wanted) -> dict[int, tuple[str, str]]:
        """``{id: (module, name)}`` of the globals of the modules that are not the
        program's (nor framemig's) for which ``wanted(value)`` holds: what travels by
        name to stay the library's own (its locks, its random generator, its sentinels).
        Looked for once per capture and ``kind``, only when such a value is met."""
        found = self._scans.get(kind)
        if found is not None:
            return found
        found = self._scans[kind] = {}
        for module_name, module in list(sys.modules.items()):
            if module is None or module_name in self.program_modules or \
                    module_name.partition(".")[0] == "framemig":
                continue
            try:
                namespace = vars(module)
            except TypeError:
                continue
            for name, value in list(namespace.items()):
                if type(name) is str and not name.startswith("__") and wanted(value):
                    found.setdefault(id(value), (module_name, name))
        return found

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
            with warnings.catch_warnings():  # the program's own run showed them
                warnings.simplefilter("ignore", SyntaxWarning)
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
        except (SyntaxError, ValueError, UnicodeDecodeError, CannotTravel):
            pass

    def carry_program_modules(self) -> None:
        """Carry the source of the main script and of every program module loaded: they
        are what the restored program's modules are made from. Files of the program's
        directory that it has not imported stay where they are."""
        self.carry_file(self.main_path)
        for module in self.program_modules.values():
            filename = getattr(module, "__file__", None)
            if filename and filename.endswith(".py"):
                self.carry_file(filename)

    def _index_for_key(self, key: codes.CodeKey) -> None:
        """Make sure the source a resume code stands for travels in the snapshot."""
        if key.source in self.used_sources:
            return
        path = key.source[4:] if key.source.startswith("lib:") else os.path.join(
            self.root, key.source)
        self._index(path)


_LIBRARY_DIRS = {"site-packages", "dist-packages"}


@functools.lru_cache(maxsize=1)
def _prefixes() -> tuple[str, ...]:
    found = []
    for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
        for path in (os.path.abspath(prefix), os.path.realpath(prefix)):
            if path not in found and path != os.sep:
                found.append(path)
    return tuple(found)


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


@functools.lru_cache(maxsize=4096)
def _is_venv(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg"))


@functools.lru_cache(maxsize=4096)
def _is_program_file(filename: str, cwd: str, root: str, main_path: str) -> bool:
    """(Asked for every loaded module at every capture: the answer for a file stays.)"""
    path = os.path.abspath(os.path.join(cwd, filename))
    if path == main_path:
        return True
    return (path.startswith(root + os.sep) and not is_framemig_file(path)
            and not is_installed_library(path, root))


@functools.lru_cache(maxsize=16384)
def is_installed_library(path: str, root: str) -> bool:
    """Is the file at ``path`` an installed library (never a module of the program whose
    directory is ``root``)?"""
    path = os.path.abspath(path)
    real = os.path.realpath(path)
    for prefix in _prefixes():
        # a program kept under the interpreter's prefix (in its venv's directory, say) is
        # still a program: that prefix says nothing of the program's own files
        if _inside(root, prefix):
            continue
        if _inside(path, prefix) or _inside(real, prefix):
            return True
    # site-packages below the program's root (a program may itself live under a directory
    # of that name: what is above the root says nothing)
    below = os.path.relpath(path, root) if _inside(path, root) else path
    if _LIBRARY_DIRS & set(below.split(os.sep)[:-1]):
        return True
    # a virtual environment: a directory with pyvenv.cfg between the file and the root
    directory = os.path.dirname(path)
    while _inside(directory, root) and directory != root:
        if _is_venv(directory):
            return True
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return False


@functools.lru_cache(maxsize=1)
def _stdlib_dirs() -> tuple[str, ...]:
    import sysconfig

    found = []
    for key in ("stdlib", "platstdlib"):
        path = sysconfig.get_paths().get(key)
        for variant in (path and os.path.abspath(path), path and os.path.realpath(path)):
            if variant and variant not in found:
                found.append(variant)
    return tuple(found)


@functools.lru_cache(maxsize=4096)
def is_standard_library(filename: str) -> bool:
    """Is ``filename`` a module of this interpreter's standard library (and not an
    installed package under it)? Its code differs from one CPython version to another."""
    if filename.startswith("<frozen "):
        return True
    path = os.path.abspath(filename)
    return any(_inside(path, d) or _inside(os.path.realpath(path), d) for d in _stdlib_dirs()) \
        and not _LIBRARY_DIRS & set(path.split(os.sep))


_STDLIB_SHAPE = re.compile(r"[/\\]lib[/\\]python3\.\d+[/\\]")


def looks_like_standard_library(path: str) -> bool:
    """Does ``path`` (on another machine) look like a CPython standard-library file?"""
    return bool(_STDLIB_SHAPE.search(path)) and not _LIBRARY_DIRS & set(
        re.split(r"[/\\]", path))
