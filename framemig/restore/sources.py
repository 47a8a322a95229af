"""Put the carried sources where this machine can run them, and find code in them.

If the program's files are already here, unchanged, they are used in place: in the
program directory the restore is given (a node's own copy of the program's files, unpacked
from the bundle it was run with), else at the path they had at capture (the same machine,
or a shared disk), where tracebacks show the same paths. A program used in place finds the
modules it has not imported yet beside it. Otherwise the carried files are written to a
cache directory named after their hashes, and the program runs from there. Library files whose frames were on the stack are compiled
from the carried copy, so the frame continues in the code it was running.
"""

from __future__ import annotations

import builtins
import hashlib
import linecache
import os
import warnings
from types import CodeType

from framemig.errors import RestoreFailed
from framemig.interp import codes
from framemig.snapshot.format import source_hash


def cache_root() -> str:
    base = os.environ.get("FRAMEMIG_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "framemig")
    return base


def _same_file(path: str, digest: str) -> bool:
    try:
        with open(path, encoding="utf-8") as handle:
            return source_hash(handle.read()) == digest
    except (OSError, UnicodeDecodeError):
        return False


def _inside(root: str, key: str) -> str:
    """``root``/``key``, refused if it leads out of ``root`` (the keys were checked when
    the snapshot was read; a symbolic link inside the directory is caught here)."""
    path = os.path.join(root, key)
    real_root = os.path.realpath(root)
    if not os.path.realpath(path).startswith(real_root + os.sep):
        raise RestoreFailed(f"source {key!r} would be written outside {root}")
    return path


def _write_atomic(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temp = f"{path}.tmp-{os.getpid()}"
    with open(temp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temp, path)


class Sources:
    def __init__(self, body: dict, program_dir: str | None = None):
        self.entries: dict[str, dict] = body["sources"]
        self.original_root: str = body["program"]["root"]
        self.program_dir = os.path.abspath(program_dir) if program_dir else None
        self.paths: dict[str, str] = {}
        self._indexes: dict[str, codes.CodeIndex] = {}
        self.root = self._place()

    def _place(self) -> str:
        program = {k: v for k, v in self.entries.items() if v.get("role") == "program"}
        given = [self.program_dir] if self.program_dir and os.path.isdir(self.program_dir) else []
        for root in (*given, self.original_root):
            if all(_same_file(os.path.join(root, key), entry["sha256"])
                   for key, entry in program.items()):
                break  # the program's own files are here: it runs in place
        else:
            digest = hashlib.sha256("".join(
                f"{k}\0{v['sha256']}\0" for k, v in sorted(program.items())).encode()).hexdigest()
            root = os.path.join(cache_root(), "programs", digest[:16])
            for key, entry in program.items():
                path = _inside(root, key)
                if not _same_file(path, entry["sha256"]):
                    _write_atomic(path, entry["text"])
        for key, entry in self.entries.items():
            if entry.get("role") == "program":
                self.paths[key] = os.path.join(root, key)
            else:
                self.paths[key] = self._place_library(key, entry)
        return root

    def _place_library(self, key: str, entry: dict) -> str:
        origin = entry.get("origin") or key[4:]
        if _same_file(origin, entry["sha256"]):
            return origin
        path = os.path.join(cache_root(), "library", entry["sha256"][7:23],
                            os.path.basename(origin))
        if not _same_file(path, entry["sha256"]):
            _write_atomic(path, entry["text"])
        return path

    def path(self, key: str) -> str:
        try:
            return self.paths[key]
        except KeyError:
            raise RestoreFailed(f"the snapshot refers to {key}, which it does not carry") from None

    def index(self, key: str) -> codes.CodeIndex:
        index = self._indexes.get(key)
        if index is None:
            path = self.path(key)
            text = self.entries[key]["text"]
            linecache.cache[path] = (len(text), None, text.splitlines(True), path)
            try:
                with warnings.catch_warnings():
                    # the compiler's warnings (3.14: a return in a finally block) were
                    # the original run's to show, when its interpreter compiled the
                    # program; a continued run shows none again
                    warnings.simplefilter("ignore", SyntaxWarning)
                    top = compile(text, path, "exec", dont_inherit=True)
            except SyntaxError as exc:
                raise RestoreFailed(f"{key} does not compile on this interpreter: "
                                    f"{exc.msg} (line {exc.lineno})") from None
            index = self._indexes[key] = codes.CodeIndex(top)
        return index

    def find_code(self, key_json: dict) -> tuple[codes.CodeKey, CodeType]:
        key = codes.CodeKey.from_json(key_json)
        code = self.index(key.source).find(key.qualname, key.line, key.rank)
        if code is None:
            raise RestoreFailed(f"{key.source}:{key.line}: no code for {key.qualname} on this "
                                f"interpreter")
        return key, code

    def check_names(self, key: codes.CodeKey, code: CodeType, namespace: dict,
                    label: str) -> None:
        """A library frame continues in the code it was running, with this interpreter's
        module around it. When that module is another version's (the standard library
        across CPython versions), every global the code uses must exist here: refused
        now, in one line, rather than a NameError in the middle of the program."""
        entry = self.entries.get(key.source)
        filename = namespace.get("__file__") if type(namespace) is dict else None
        if entry is None or entry.get("role") == "program" or not filename or \
                _same_file(filename, entry["sha256"]):
            return
        missing = sorted(name for name in codes.global_names(code)
                         if name not in namespace and not hasattr(builtins, name))
        if missing:
            module = namespace.get("__name__", "?")
            raise RestoreFailed(
                f"{label}: was running another version of {module}, which uses "
                f"{', '.join(missing)}; {module} here has no such name")
