"""Which interpreters the cross-version tests cover: 3.14 takes part when make test could
get it (issue 14); where it could not, this says why, as a skip — never a silent pass."""

import os
import subprocess

import pytest

from tests.harness import HERE, VERSIONS, python


def test_cpython_3_14_takes_part():
    if not os.environ.get("FRAMEMIG_PYTHON_3_14"):
        why = HERE.parent / ".venv-3.14.unavailable"
        reason = why.read_text().strip() if why.exists() else "FRAMEMIG_PYTHON_3_14 unset"
        pytest.skip(f"CPython 3.14 is not here, its pairs are not tested: {reason}")
    assert "3.14" in VERSIONS
    done = subprocess.run([python("3.14"), "-c", "import sys, framemig; "
                           "print('%d.%d' % sys.version_info[:2])"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "3.14", done
