from __future__ import annotations

import json
import stat

import pytest

from kiosk.adapters.docstore import DataFolder


def test_write_is_one_atomic_transaction(data_dir):
    data = DataFolder(data_dir)
    with data.write("residents") as db:
        db.table("r").insert({"a": 1})
        db.table("r").insert({"a": 2})
    doc = json.loads(data.path("residents").read_text())
    assert sorted(d["a"] for d in doc["r"].values()) == [1, 2]
    assert stat.S_IMODE(data.path("residents").stat().st_mode) == 0o600


def test_failed_block_changes_nothing(data_dir):
    data = DataFolder(data_dir)
    with data.write("residents") as db:
        db.table("r").insert({"a": 1})
    with pytest.raises(RuntimeError), data.write("residents") as db:
        db.table("r").insert({"a": 2})
        raise RuntimeError("bad row")
    assert [d["a"] for d in data.read("residents").table("r").all()] == [1]


def test_reader_follows_other_writers(data_dir):
    reader = DataFolder(data_dir).read("catalogue")
    assert reader.table("songs").all() == []
    with DataFolder(data_dir).write("catalogue") as db:
        db.table("songs").insert({"title": "Daisy Bell"})
    assert [d["title"] for d in reader.table("songs").all()] == ["Daisy Bell"]
    with pytest.raises(PermissionError):
        reader.table("songs").insert({"title": "x"})
