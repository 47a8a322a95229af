"""The snapshot file: atomic writes, a checked body, readable by people and tools."""

import json
import os

import pytest

from framemig.errors import PermissionDenied, SnapshotCorrupt
from framemig.snapshot import format as snapshot_format


def body(text="print(1)\n"):
    return {"sources": {"p.py": {"text": text, "sha256": snapshot_format.source_hash(text)}},
            "objects": [], "value": [1, 2.5, "x"]}


def test_write_is_atomic_and_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "s.json"
    size = snapshot_format.write(str(path), body())
    assert path.stat().st_size == size
    assert os.listdir(tmp_path) == ["s.json"]
    assert snapshot_format.read(str(path))["value"] == [1, 2.5, "x"]


def test_the_header_says_what_the_file_is(tmp_path):
    path = tmp_path / "s.json"
    snapshot_format.write(str(path), body())
    document = json.loads(path.read_text())
    assert document["framemig"] == "snapshot"
    assert document["format"] == snapshot_format.FORMAT_VERSION
    assert document["checksum"].startswith("sha256:")


def test_reindenting_is_harmless_but_editing_is_not(tmp_path):
    path = tmp_path / "s.json"
    snapshot_format.write(str(path), body())
    document = json.loads(path.read_text())
    path.write_text(json.dumps(document, indent=4))
    assert snapshot_format.read(str(path))["value"] == [1, 2.5, "x"]
    document["body"]["value"][0] = 2
    path.write_text(json.dumps(document))
    with pytest.raises(SnapshotCorrupt, match="checksum"):
        snapshot_format.read(str(path))


def test_a_failed_write_leaves_nothing(tmp_path):
    target = tmp_path / "missing-dir" / "s.json"
    with pytest.raises(PermissionDenied):
        snapshot_format.write(str(target), body())
    assert not target.exists()
