"""The snapshot file: atomic writes, a checked body, readable by people and tools."""

import json
import os

import pytest

from framemig import keys
from framemig.errors import PermissionDenied, SnapshotCorrupt, Untrusted
from framemig.snapshot import format as snapshot_format


def body(text="print(1)\n"):
    return {"sources": {"p.py": {"text": text, "sha256": snapshot_format.source_hash(text),
                                 "role": "program"}},
            "program": {"main": "p.py", "argv": ["p.py"]}, "interpreter": {},
            "modules": [], "stack": [], "objects": [], "value": [1, 2.5, "x"]}


def test_write_is_atomic_and_leaves_no_temporary_files(tmp_path, fleet_key):
    path = tmp_path / "s.json"
    size = snapshot_format.write(str(path), body(), key=fleet_key)
    assert path.stat().st_size == size
    assert os.listdir(tmp_path) == ["s.json"]
    assert snapshot_format.read(str(path), fleet_key)["value"] == [1, 2.5, "x"]


def test_the_header_says_what_the_file_is(tmp_path):
    path = tmp_path / "s.json"
    snapshot_format.write(str(path), body())
    document = json.loads(path.read_text())
    assert document["framemig"] == "snapshot"
    assert document["format"] == snapshot_format.FORMAT_VERSION
    assert document["checksum"].startswith("sha256:")


def test_reindenting_is_harmless_but_editing_is_not(tmp_path, fleet_key):
    path = tmp_path / "s.json"
    snapshot_format.write(str(path), body(), key=fleet_key)
    document = json.loads(path.read_text())
    path.write_text(json.dumps(document, indent=4))
    assert snapshot_format.read(str(path), fleet_key)["value"] == [1, 2.5, "x"]
    document["body"]["value"][0] = 2
    path.write_text(json.dumps(document))
    with pytest.raises(SnapshotCorrupt, match="checksum"):
        snapshot_format.read(str(path), fleet_key)


def test_only_a_snapshot_signed_with_the_key_is_read(tmp_path, fleet_key):
    """Restoring runs what a snapshot carries: unsigned, signed with another key, or
    re-hashed after an edit, it is refused (a person's own file: trust_unsigned)."""
    path = str(tmp_path / "s.json")
    other = keys.generate(str(tmp_path / "other.key"))
    snapshot_format.write(path, body())
    with pytest.raises(Untrusted, match="not signed"):
        snapshot_format.read(path, fleet_key)
    assert snapshot_format.read(path, trust_unsigned=True)["value"] == [1, 2.5, "x"]
    snapshot_format.sign_file(path, fleet_key)
    assert snapshot_format.read(path, fleet_key)["value"] == [1, 2.5, "x"]
    with pytest.raises(Untrusted, match="another key"):
        snapshot_format.read(path, other)
    with pytest.raises(Untrusted, match="no fleet key here"):
        snapshot_format.read(path, None)
    # an edited source with its hash and the checksum recomputed: the signature is not
    document = json.loads(open(path).read())
    evil = "import os; os.system('id')\n"
    document["body"]["sources"]["p.py"] = {"text": evil,
                                           "sha256": snapshot_format.source_hash(evil),
                                           "role": "program"}
    document["checksum"] = snapshot_format.checksum(
        snapshot_format._canonical(document["body"]))
    open(path, "w").write(json.dumps(document))
    with pytest.raises(Untrusted, match="another key, or was altered"):
        snapshot_format.read(path, fleet_key)
    data = snapshot_format.encode(document["body"]).replace(  # laid out as framemig does
        b', "body"', f', "key": "{fleet_key.id}", "signature": "{document["signature"]}", '
        f'"body"'.encode(), 1)
    with pytest.raises(Untrusted, match="another key, or was altered"):
        snapshot_format.verify(data, fleet_key)
    signed = snapshot_format.encode(body(), fleet_key)
    snapshot_format.verify(signed, fleet_key)
    with pytest.raises(SnapshotCorrupt, match="checksum"):
        snapshot_format.sign(signed.replace(b"2.5", b"3.5"), fleet_key)


def test_a_failed_write_leaves_nothing(tmp_path):
    target = tmp_path / "missing-dir" / "s.json"
    with pytest.raises(PermissionDenied):
        snapshot_format.write(str(target), body())
    assert not target.exists()


def test_json_nested_too_deeply_is_refused_in_one_line(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(SnapshotCorrupt, match="nested too deeply"):
        snapshot_format.read(str(path))


def test_text_from_a_snapshot_reaches_a_message_escaped(tmp_path):
    """A source key holding a terminal escape sequence (or a line separator, which the
    fuzzer found splitting a one-line refusal) is shown escaped."""
    document = body()
    document["sources"]["\x1b[2J\x1e.py"] = {"text": 5}
    path = tmp_path / "s.json"
    path.write_bytes(snapshot_format.encode(document))
    with pytest.raises(SnapshotCorrupt) as refusal:
        snapshot_format.read(str(path), trust_unsigned=True)
    message = refusal.value.message
    assert "\\x1b[2J\\x1e.py" in message and message.isprintable(), message
