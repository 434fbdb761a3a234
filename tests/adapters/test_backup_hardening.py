"""Backups during use and hostile backup folders: kiosk-only state left out, a file vanishing mid-copy, links
refused on restore, the backup log, and rewriting old backups without erased residents."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kiosk.adapters import backup as backup_mod
from kiosk.adapters import backup_log
from kiosk.adapters.backup import MANIFEST, BackupError, create_backup, data_files
from kiosk.adapters.backup_scrub import scrub_backups
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.erasures import erasures_at, record_erasure
from kiosk.adapters.restore import restore_backup
from kiosk.adapters.resume import ResumeFile
from kiosk.cli import main


def _populate(root: Path) -> DataFolder:
    data = DataFolder(root)
    (root / "photos").mkdir(mode=0o700)
    (root / "photos" / "r1.jpg").write_bytes(b"\xff\xd8 photo of Ada Example")
    (root / "photos" / "r2.jpg").write_bytes(b"\xff\xd8 photo of Bert Sample")
    with data.write("residents") as db:
        db.table("residents").insert_multiple(
            [
                {"resident_id": "r1", "name": "Ada Example", "photo": "photos/r1.jpg"},
                {"resident_id": "r2", "name": "Bert Sample", "photo": "photos/r2.jpg"},
            ]
        )
    return data


def test_kiosk_only_state_is_left_out_of_backups(tmp_path):
    root = tmp_path / "data"
    data = _populate(root)
    ResumeFile(root).save({"session_id": "s1", "position_ms": 1000})
    for name in ("pin-lockout.json", "backup-log.jsonl"):
        (root / name).write_text("{}")
    (root / "report-cache").mkdir()
    (root / "report-cache" / "csv-rollups-2026-06.json").write_text("{}")
    (root / "dashboard" / "run-1").mkdir(parents=True)
    (root / "dashboard" / "run-1" / "today-home-minutes.png").write_bytes(b"png")
    assert data_files(root) == ["photos/r1.jpg", "photos/r2.jpg", "residents.json"]
    create_backup(data, tmp_path / "bk")
    listed = {f["path"] for f in json.loads((tmp_path / "bk" / MANIFEST).read_text())["files"]}
    assert listed == {"photos/r1.jpg", "photos/r2.jpg", "residents.json"}
    # and a restore neither replaces nor removes them
    restore_backup(data, tmp_path / "bk")
    assert (root / "resume.json").exists() and (root / "pin-lockout.json").exists()


def test_a_photo_vanishing_mid_copy_is_skipped_and_named_but_a_store_failing_is_an_error(
    tmp_path, monkeypatch
):
    root = tmp_path / "data"
    data = _populate(root)
    real_copy = backup_mod._copy

    def racing_copy(src: Path, dst: Path, **kw):  # an import replaces r2's photo during the backup
        if src.name == "r2.jpg":
            src.unlink()
        return real_copy(src, dst, **kw)

    monkeypatch.setattr(backup_mod, "_copy", racing_copy)
    made = create_backup(data, tmp_path / "bk")
    assert made.skipped == ["photos/r2.jpg"] and made.files == 2

    def failing_copy(src: Path, dst: Path, **kw):
        if src.name == "residents.json":
            raise PermissionError(13, "Permission denied")
        return real_copy(src, dst, **kw)

    monkeypatch.setattr(backup_mod, "_copy", failing_copy)
    with pytest.raises(BackupError) as info:
        create_backup(data, tmp_path / "bk2")
    assert f"could not copy {root.resolve() / 'residents.json'}: Permission denied" in str(info.value)


def test_cli_backup_names_what_it_skipped(tmp_path, monkeypatch, capsys):
    root = tmp_path / "data"
    _populate(root)
    real_copy = backup_mod._copy

    def racing_copy(src: Path, dst: Path, **kw):
        if src.name == "r1.jpg":
            src.unlink()
        return real_copy(src, dst, **kw)

    monkeypatch.setattr(backup_mod, "_copy", racing_copy)
    assert main(["--data-dir", str(root), "backup", str(tmp_path / "bk")]) == 0
    err = capsys.readouterr().err
    assert f"skipped {root / 'photos' / 'r1.jpg'}: it vanished during the copy" in err


@pytest.mark.parametrize("how", ["file link", "folder link", "fifo", "manifest link"])
def test_restore_refuses_links_and_odd_files_inside_a_backup(tmp_path, how):
    root = tmp_path / "data"
    data = _populate(root)
    create_backup(data, tmp_path / "bk")
    secret = tmp_path / "outside.txt"
    secret.write_bytes(b"\xff\xd8 photo of Ada Example")  # same size and checksum as the backed-up photo
    photo = tmp_path / "bk" / "data" / "photos" / "r1.jpg"
    if how == "file link":
        photo.unlink()
        photo.symlink_to(secret)
    elif how == "folder link":
        elsewhere = tmp_path / "elsewhere"
        (tmp_path / "bk" / "data" / "photos").rename(elsewhere)
        (tmp_path / "bk" / "data" / "photos").symlink_to(elsewhere)
    elif how == "fifo":
        photo.unlink()
        os.mkfifo(photo)
    else:
        real = tmp_path / "manifest-elsewhere.json"
        (tmp_path / "bk" / MANIFEST).rename(real)
        (tmp_path / "bk" / MANIFEST).symlink_to(real)
    before = {rel: (root / rel).read_bytes() for rel in data_files(root)}
    with pytest.raises(BackupError) as info:
        restore_backup(data, tmp_path / "bk")
    assert "refused" in str(info.value)
    assert {rel: (root / rel).read_bytes() for rel in data_files(root)} == before


def test_backup_log_lines_and_backup_record(tmp_path, capsys):
    root = tmp_path / "data"
    _populate(root)
    assert main(["--data-dir", str(root), "backup", str(tmp_path / "by-hand")]) == 0
    assert main(["--data-dir", str(root), "backup", "--no-log", str(tmp_path / "nightly")]) == 0
    stick_copy = "/media/kiosk-backup/encore-backups/nightly.tar.gpg"
    manifest = str(tmp_path / "nightly" / MANIFEST)
    assert (
        main(["--data-dir", str(root), "backup-record", stick_copy, "--where", "usb", "--manifest", manifest])
        == 0
    )
    lines = [json.loads(x) for x in (root / backup_log.LOG_NAME).read_text().splitlines()]
    assert [(x["name"], x["where"], x["path"]) for x in lines] == [
        ("by-hand", "other", str(tmp_path / "by-hand")),
        ("nightly", "usb", stick_copy),
    ]
    for line in lines:
        assert set(line) == {"name", "made_at", "where", "path", "resident_ids"}
        assert line["resident_ids"] == ["r1", "r2"] and line["made_at"].endswith("Z")
    assert oct((root / backup_log.LOG_NAME).stat().st_mode & 0o777) == "0o600"
    capsys.readouterr()
    assert main(["--data-dir", str(root), "backup-record", "x", "--where", "usb", "--manifest", "/nope"]) == 1
    assert "not a backup manifest" in capsys.readouterr().err


def test_scrub_rewrites_old_backups_without_erased_residents_and_they_still_restore(tmp_path):
    root = tmp_path / "data"
    data = _populate(root)
    local = tmp_path / "local"
    local.mkdir()
    create_backup(data, local / "encore-a")
    record_erasure(data, "r1")
    done = scrub_backups(local, erasures_at(root))
    assert done.rewritten == [local / "encore-a"]
    raw = b"".join(p.read_bytes() for p in (local / "encore-a").rglob("*") if p.is_file())
    assert b"Ada Example" not in raw and b"photo of Ada" not in raw
    manifest = json.loads((local / "encore-a" / MANIFEST).read_text())
    assert manifest["resident_ids"] == ["r2"] and [e["resident_id"] for e in manifest["erasures"]] == ["r1"]
    assert not [p for p in local.iterdir() if p.name.startswith(".")]
    fresh = DataFolder(tmp_path / "fresh")
    restore_backup(fresh, local / "encore-a")  # checksums still right
    assert "r1" in erasures_at(fresh.root)
    assert scrub_backups(local, erasures_at(root)).unchanged == 1  # nothing left to do


def test_scrub_deletes_a_damaged_backup_naming_an_erased_resident_and_finishes_an_interrupted_swap(tmp_path):
    root = tmp_path / "data"
    data = _populate(root)
    local = tmp_path / "local"
    local.mkdir()
    create_backup(data, local / "encore-a")
    create_backup(data, local / "encore-b")
    (local / "encore-a" / MANIFEST).write_text("{damaged")
    (local / "encore-b").rename(local / ".encore-b.scrub")  # killed between the two renames of a swap
    record_erasure(data, "r1")
    done = scrub_backups(local, erasures_at(root))
    assert done.deleted == [local / "encore-a"] and done.rewritten == [local / "encore-b"]
    assert sorted(p.name for p in local.iterdir()) == ["encore-b"]
