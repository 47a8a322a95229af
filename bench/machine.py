"""The machine a bench ran on, written beside its figures."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path


def describe() -> dict:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for version in ("3.11", "3.12", "3.13"):
        python = os.environ.get(f"FRAMEMIG_PYTHON_{version.replace('.', '_')}")
        if version == f"{sys.version_info.major}.{sys.version_info.minor}":
            python = sys.executable
        if python:
            versions[version] = subprocess.run([python, "-c", "import platform;"
                                                "print(platform.python_version())"],
                                               capture_output=True, text=True).stdout.strip()
    redis = subprocess.run(["redis-server", "--version"], capture_output=True, text=True)
    return {"cpu": model, "cores": os.cpu_count(), "system": platform.platform(),
            "python": versions, "benchmarks_run_on": platform.python_version(),
            "redis": redis.stdout.split()[2] if redis.returncode == 0 else None,
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")}
