"""Which python runs each CPython version in the demos: this one for its own version,
``FRAMEMIG_PYTHON_3_12`` and so on for the others (make sets them to the venvs)."""

from __future__ import annotations

import os
import sys


def python(version: str) -> str:
    if version == f"{sys.version_info.major}.{sys.version_info.minor}":
        return sys.executable
    path = os.environ.get(f"FRAMEMIG_PYTHON_{version.replace('.', '_')}")
    if not path:
        sys.exit(f"set FRAMEMIG_PYTHON_{version.replace('.', '_')} to a python{version} with "
                 f"framemig installed (make demo does)")
    return path
