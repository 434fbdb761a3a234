"""A damaged store file is set aside, the newest good backup put back, and staff told (attention.json)."""

from __future__ import annotations

import json
import re
import stat

import pytest

from kiosk.adapters import attention
from kiosk.adapters.docstore import BACKUPS_KEPT, DataFolder, backup_paths


def _fill(data: DataFolder, versions: int = 4) -> None:
    for i in range(versions):
        with data.write("residents") as db:
            db.table("residents").insert({"resident_id": f"r{i}", "room": i})


def _ids(db) -> list[str]:
    return sorted(d["resident_id"] for d in db.table("residents").all())


DAMAGE = {
    "truncated": lambda raw: raw[: len(raw) // 2],
    "nul_filled": lambda raw: b"\x00" * len(raw),
    "not_json": lambda raw: b"this is not json at all\n",
    "not_a_dict": lambda raw: b"[1, 2, 3]",
    "tables_not_dicts": lambda raw: b'{"residents": [1, 2]}',
    "empty": lambda raw: b"",
    "bad_utf8": lambda raw: b'{"residents": {"1": {"n": "\xff\xfe"}}}',
}


@pytest.mark.parametrize("path_kind", ["write", "read"])
@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_each_kind_of_damage_is_recovered(data_dir, kind, path_kind):
    data = DataFolder(data_dir)
    _fill(data)
    path = data.path("residents")
    good = path.read_bytes()
    damaged = DAMAGE[kind](good)
    path.write_bytes(damaged)

    if path_kind == "write":
        with data.write("residents") as db:
            assert _ids(db) == ["r0", "r1", "r2", "r3"]  # the newest backup is the last good write
            db.table("residents").insert({"resident_id": "r4"})
        assert _ids(data.read("residents")) == ["r0", "r1", "r2", "r3", "r4"]
    else:
        assert _ids(data.read("residents")) == ["r0", "r1", "r2", "r3"]
        assert path.read_bytes() == good

    aside = list(data_dir.glob("residents.json.damaged-*"))
    assert len(aside) == 1 and re.fullmatch(r"residents\.json\.damaged-\d{8}T\d{6}Z", aside[0].name)
    assert aside[0].read_bytes() == damaged  # the damaged copy is kept as it was
    notes = attention.notes(data_dir)
    assert [n["kind"] for n in notes] == ["store-damaged:residents"]
    assert aside[0].name in notes[0]["message"] and "r0" not in notes[0]["message"]
    assert stat.S_IMODE((data_dir / attention.FILE_NAME).stat().st_mode) == 0o600


def test_a_damaged_newest_backup_is_skipped_for_an_older_good_one(data_dir):
    data = DataFolder(data_dir)
    _fill(data)
    backups = backup_paths(data.path("residents"))
    assert all(b.exists() for b in backups) and len(backups) == BACKUPS_KEPT
    backups[0].write_bytes(b"\x00" * 10)
    data.path("residents").write_bytes(b"{")
    assert _ids(data.read("residents")) == ["r0", "r1", "r2"]  # backup .2: one write older


def test_no_good_backup_starts_empty_and_says_so(data_dir):
    data = DataFolder(data_dir)
    data.path("catalogue").write_bytes(b'{"songs": {"1": {"title": "Daisy')
    assert data.read("catalogue").table("songs").all() == []
    assert list(data_dir.glob("catalogue.json.damaged-*"))
    (note,) = attention.notes(data_dir)
    assert note["kind"] == "store-damaged:catalogue" and "no good backup" in note["message"]


def test_an_empty_file_without_backups_is_just_an_empty_store(data_dir):
    data = DataFolder(data_dir)
    data.path("settings").write_bytes(b"")
    assert data.read("settings").tables() == set()
    assert attention.notes(data_dir) == [] and not list(data_dir.glob("*.damaged-*"))


def test_check_all_repairs_every_store_at_start(data_dir):
    data = DataFolder(data_dir)
    _fill(data)
    with data.write("rollups-2026-06") as db:
        db.table("sessions").insert({"session_id": "s1"})
    data.path("residents").write_bytes(b"garbage")
    data.path("rollups-2026-06").write_bytes(b"\x00\x00")
    messages = DataFolder(data_dir).check_all()
    assert len(messages) == 2
    assert {n["kind"] for n in attention.notes(data_dir)} == {
        "store-damaged:residents",
        "store-damaged:rollups-2026-06",
    }
    assert json.loads(data.path("rollups-2026-06").read_bytes())["sessions"]["1"]["session_id"] == "s1"
    assert DataFolder(data_dir).check_all() == []  # nothing left to repair


def test_backups_rotate_and_stay_few(data_dir):
    data = DataFolder(data_dir)
    _fill(data, versions=6)
    files = sorted(p.name for p in (data_dir / ".backups").iterdir())
    assert files == [f"residents.json.{i}" for i in range(1, BACKUPS_KEPT + 1)]
    newest = json.loads((data_dir / ".backups" / "residents.json.1").read_bytes())
    assert len(newest["residents"]) == 6
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in (data_dir / ".backups").iterdir())


def test_attention_notes_replace_by_kind_and_clear(data_dir):
    attention.note(data_dir, "a", "first")
    attention.note(data_dir, "b", "other")
    attention.note(data_dir, "a", "second")
    assert [(n["kind"], n["message"]) for n in attention.notes(data_dir)] == [("b", "other"), ("a", "second")]
    assert attention.clear(data_dir, "a") is True and attention.clear(data_dir, "a") is False
    assert [n["kind"] for n in attention.notes(data_dir)] == ["b"]
    (data_dir / attention.FILE_NAME).write_bytes(b"[{broken")
    assert attention.notes(data_dir) == []
    assert attention.note(data_dir, "c", "after damage") is True
    assert [n["kind"] for n in attention.notes(data_dir)] == ["c"]


def test_a_reader_that_cannot_repair_still_gets_the_backup(data_dir, monkeypatch):
    data = DataFolder(data_dir)
    _fill(data)
    data.path("residents").write_bytes(b"\x00" * 50)

    def read_only(*_args, **_kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(DataFolder, "locked", read_only)
    assert _ids(data.read("residents")) == ["r0", "r1", "r2", "r3"]
    assert data.path("residents").read_bytes() == b"\x00" * 50  # left for a process that can repair it


def test_check_all_leaves_files_that_are_not_stores_alone(data_dir):
    """resume.json (the power-cut resume point) is not a document store: the start-up check must not set it
    aside as damaged (which ended every session a power cut interrupted), nor tell staff to restore a backup."""
    data = DataFolder(data_dir)
    _fill(data)
    resume = b'{"session_id":"s1","song":{"title":"x"},"position_ms":1200}'
    (data_dir / "resume.json").write_bytes(resume)
    (data_dir / "notes-from-it.json").write_bytes(b"[1, 2, 3]")
    assert DataFolder(data_dir).check_all() == []
    assert (data_dir / "resume.json").read_bytes() == resume
    assert (data_dir / "notes-from-it.json").read_bytes() == b"[1, 2, 3]"
    assert not list(data_dir.glob("*.damaged-*")) and attention.notes(data_dir) == []
    assert data.store_names() == ["residents"]


def test_check_all_takes_back_the_false_alarms_of_earlier_versions(data_dir):
    """Before the store registry every power cut set resume.json aside and told staff to restore a backup."""
    (data_dir / "resume.json.damaged-20260601T101010Z").write_bytes(b'{"session_id":"s1"}')
    attention.note(data_dir, "store-damaged:resume", "resume.json was damaged (not a document file). ...")
    attention.note(data_dir, "store-damaged:residents", "residents.json was damaged (empty). ...")
    assert DataFolder(data_dir).check_all() == []
    assert not list(data_dir.glob("*.damaged-*"))
    assert [n["kind"] for n in attention.notes(data_dir)] == ["store-damaged:residents"]  # a real one stays


def test_every_store_in_the_code_is_registered():
    from kiosk.adapters import erasures, library_scan, report_source, residents, rollups
    from kiosk.adapters.docstore import is_store
    from kiosk.adapters.reviews import REVIEWS

    names = [residents.STORE, library_scan.STORE, REVIEWS, erasures.STORE, report_source.STATE_STORE]
    names.append(rollups.store_name("2026-06-01T10:00:00+00:00"))
    assert all(is_store(n) for n in names), [n for n in names if not is_store(n)]
    assert not any(is_store(n) for n in ("resume", "attention", "rollups-2026", "rollups-2026-06-01", "x"))
