"""`kiosk backup` / `kiosk restore`: round trip, erasures survive, damaged backups refused, failures undone."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from kiosk.adapters import restore as restore_mod
from kiosk.adapters.backup import MANIFEST, BackupError, create_backup, data_files
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.erasures import apply_erasures, record_erasure
from kiosk.adapters.journal import JsonlJournal, read_events
from kiosk.adapters.restore import restore_backup
from kiosk.adapters.rollups import RollupStore
from kiosk.cli import main
from tests.fakes import FakeClock


def _populate(root: Path) -> DataFolder:
    data = DataFolder(root)
    (root / "photos").mkdir(mode=0o700)
    (root / "photos" / "r1.jpg").write_bytes(b"\xff\xd8 photo of a fictional resident")
    with data.write("residents") as db:
        db.table("residents").insert_multiple(
            [
                {"resident_id": "r1", "name": "Ada Example", "photo": "photos/r1.jpg"},
                {"resident_id": "r2", "name": "Bert Sample"},
            ]
        )
    with data.write("catalogue") as db:
        db.table("songs").insert({"song_id": "s1", "title": "Daisy Bell"})
    RollupStore(data).add({"session_id": "x", "started_at": "2026-06-01T10:00:00Z"})
    journal = JsonlJournal(root / "events", "k1", FakeClock())
    journal.append("session_start", session_id="x", resident_id="r1")
    journal.close()
    return data


def _snapshot(root: Path) -> dict[str, bytes]:
    return {rel: (root / rel).read_bytes() for rel in data_files(root)}


def _residents(data: DataFolder) -> list[str]:
    return sorted(d["resident_id"] for d in data.read("residents").table("residents").all())


def test_backup_then_restore_round_trips(tmp_path):
    root = tmp_path / "data"
    data = _populate(root)
    before = _snapshot(root)
    assert set(before) == {
        "residents.json",
        "catalogue.json",
        "rollups-2026-06.json",
        "events/2026-06-01.jsonl",
        "photos/r1.jpg",
    }
    made = create_backup(data, tmp_path / "bk")
    assert made.files == 5
    manifest = json.loads((tmp_path / "bk" / MANIFEST).read_text())
    assert manifest["format"] == "encore-backup" and manifest["version"] == 1
    assert {f["path"] for f in manifest["files"]} == set(before)
    for folder, _dirs, files in os.walk(tmp_path / "bk"):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
        for name in files:
            assert stat.S_IMODE(os.stat(Path(folder) / name).st_mode) == 0o600
    assert (
        not (tmp_path / "bk" / "data" / ".backups").exists()
        and not (tmp_path / "bk" / "data" / ".lock").exists()
    )

    # life goes on: a change, a new file, a lost photo
    with data.write("residents") as db:
        db.table("residents").insert({"resident_id": "r3"})
    with data.write("settings") as db:
        db.table("s").insert({"volume_pct": 40})
    (root / "photos" / "r1.jpg").unlink()

    result = restore_backup(DataFolder(root), tmp_path / "bk")
    assert (result.files, result.removed, result.erased_again) == (5, 1, 0)
    assert _snapshot(root) == before
    assert not list(root.glob(".restore-*")) and not (root / ".backups").exists()
    # a fresh install restores too
    fresh = tmp_path / "fresh"
    restore_backup(DataFolder(fresh), tmp_path / "bk")
    assert _snapshot(fresh) == before
    assert [e["type"] for e in read_events(fresh / "events")] == ["session_start"]


def test_an_erased_resident_stays_erased_after_restoring_an_older_backup(tmp_path):
    root = tmp_path / "data"
    data = _populate(root)
    create_backup(data, tmp_path / "bk")
    record_erasure(data, "r1")  # staff erase r1 after the backup was taken
    apply_erasures(data)
    assert _residents(data) == ["r2"]

    result = restore_backup(data, tmp_path / "bk")
    assert result.erased_again == 1
    assert _residents(data) == ["r2"]
    assert not (root / "photos" / "r1.jpg").exists()
    assert "Ada Example" not in (root / "residents.json").read_text()
    # the erasure list is never a file a restore could replace: it travels in the manifest (ids and times)
    assert "erasures.json" not in data_files(root)
    create_backup(data, tmp_path / "bk2")
    assert not (tmp_path / "bk2" / "data" / "erasures.json").exists()
    manifest = json.loads((tmp_path / "bk2" / MANIFEST).read_text())
    assert [e["resident_id"] for e in manifest["erasures"]] == ["r1"]
    assert manifest["resident_ids"] == ["r2"]


def test_a_torn_journal_line_stays_out_of_the_backup(tmp_path):
    root = tmp_path / "data"
    data = _populate(root)
    day = root / "events" / "2026-06-01.jsonl"
    complete = day.read_bytes()
    with day.open("ab") as fh:
        fh.write(b'{"v":1,"at":"2026-06-01T10')  # the kiosk is in the middle of writing a line
    create_backup(data, tmp_path / "bk")
    assert (tmp_path / "bk" / "data" / "events" / "2026-06-01.jsonl").read_bytes() == complete


def test_bad_backups_are_refused_and_change_nothing(tmp_path):
    root = tmp_path / "data"
    data = _populate(root)
    create_backup(data, tmp_path / "bk")
    before = _snapshot(root)

    with pytest.raises(BackupError, match="no such folder"):
        restore_backup(data, tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(BackupError, match="not an Encore backup"):
        restore_backup(data, tmp_path / "empty")

    (tmp_path / "bk" / "data" / "catalogue.json").write_bytes(b'{"songs": {}}')
    (tmp_path / "bk" / "data" / "photos" / "r1.jpg").unlink()
    with pytest.raises(BackupError) as info:
        restore_backup(data, tmp_path / "bk")
    text = "\n".join(info.value.problems)
    assert "catalogue.json: damaged" in text and "r1.jpg: missing" in text and "unchanged" in text
    assert _snapshot(root) == before

    (tmp_path / "bk" / MANIFEST).write_text("{not json")
    with pytest.raises(BackupError, match="unreadable"):
        restore_backup(data, tmp_path / "bk")
    (tmp_path / "bk" / MANIFEST).write_text(
        json.dumps(
            {
                "format": "encore-backup",
                "version": 1,
                "files": [{"path": "../etc/x", "size": 1, "sha256": "0" * 64}],
            }
        )
    )
    with pytest.raises(BackupError, match="file entry 1 is not valid"):
        restore_backup(data, tmp_path / "bk")
    assert _snapshot(root) == before
    assert not list(root.glob(".restore-*"))


def test_a_failure_midway_through_the_swap_puts_the_old_data_back(tmp_path, monkeypatch):
    root = tmp_path / "data"
    data = _populate(root)
    create_backup(data, tmp_path / "bk")
    with data.write("residents") as db:
        db.table("residents").insert({"resident_id": "r3"})
    with data.write("settings") as db:
        db.table("s").insert({"volume_pct": 40})
    before = _snapshot(root)
    real = os.replace
    calls = {"n": 0}

    def failing_replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(5, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(restore_mod.os, "replace", failing_replace)
    with pytest.raises(BackupError, match="put back as it was"):
        restore_backup(data, tmp_path / "bk")
    monkeypatch.undo()
    assert calls["n"] > 4  # three files were swapped in, then put back
    assert _snapshot(root) == before
    assert _residents(data) == ["r1", "r2", "r3"]


def test_backup_refuses_a_used_folder_or_one_inside_the_data(tmp_path):
    root = tmp_path / "data"
    data = _populate(root)
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    with pytest.raises(BackupError, match="not an empty folder"):
        create_backup(data, tmp_path / "used")
    with pytest.raises(BackupError, match="inside the data folder"):
        create_backup(data, root / "bk")


def test_cli_backup_and_restore(tmp_path, capsys):
    root = tmp_path / "data"
    _populate(root)
    assert main(["--data-dir", str(root), "backup", str(tmp_path / "bk")]) == 0
    assert "Backed up 5 files" in capsys.readouterr().out
    assert main(["--data-dir", str(root), "restore", str(tmp_path / "bk")]) == 0
    assert "Restored 5 files" in capsys.readouterr().out
    assert main(["--data-dir", str(root), "restore", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert "nowhere: no such folder" in err and "Traceback" not in err
    assert main(["--data-dir", str(tmp_path / "none"), "backup", str(tmp_path / "bk3")]) == 1
    assert "nothing to back up" in capsys.readouterr().err
