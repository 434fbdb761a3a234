"""A kill between committing residents and moving their photos (issue 14 item 7) costs nothing: the photo
is part of the committed state, completed at the next start or import, or rolled back so that a re-import
writes it; leftover *.new / *.tmp files are swept at start."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.residents import ResidentsStore
from kiosk.wiring import settle_interrupted_writes
from tests.storage.kit import REPO, child_env, kiosk_cli, make_library, write_people


def _import_killed(data_dir: Path, csv: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.storage.import_child", str(data_dir), str(csv)],
        cwd=REPO, env=child_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == -9, done.stdout + done.stderr  # killed at the chosen step


def _colour(path: Path) -> tuple[int, int, int]:
    with Image.open(path) as im:
        return im.convert("RGB").getpixel((60, 80))  # type: ignore[return-value]


def _peggy(data_dir: Path):  # type: ignore[no-untyped-def]
    store = ResidentsStore(DataFolder(data_dir))
    return store, store.by_staff_id("R-001")


def _setup(tmp_path: Path, data_dir: Path) -> Path:
    first = write_people(tmp_path / "v1", colour="red")
    assert kiosk_cli(data_dir, "residents", "import", str(first)).returncode == 0
    store, peggy = _peggy(data_dir)
    assert _colour(store.photo_path(peggy))[0] > 200  # red
    return write_people(tmp_path / "v2", colour="blue")  # new photos, same people


def test_a_kill_before_the_photo_moved_is_completed_at_the_next_start(tmp_path: Path, data_dir: Path) -> None:
    second = _setup(tmp_path, data_dir)
    _import_killed(data_dir, second)
    settle_interrupted_writes(DataFolder(data_dir))  # what build_running_kiosk does at start
    store, peggy = _peggy(data_dir)
    photo = store.photo_path(peggy)
    assert photo is not None and _colour(photo)[2] > 200  # blue: the new photo is in place
    assert hashlib.sha256(photo.read_bytes()).hexdigest() == peggy.extra["photo_stored_sha256"]
    assert "photo_pending" not in peggy.extra
    assert not list((data_dir / "photos").glob(".*"))


def test_a_kill_then_a_lost_staged_photo_makes_the_reimport_write_it(tmp_path: Path, data_dir: Path) -> None:
    second = _setup(tmp_path, data_dir)
    _import_killed(data_dir, second)
    for staged in (data_dir / "photos").glob(".*.jpg.new"):
        staged.unlink()  # lost (a card that dropped the last writes)
    again = kiosk_cli(data_dir, "residents", "import", str(second))
    assert again.returncode == 0, again.stderr
    assert (
        "unchanged (1): R-003" in again.stdout
    )  # Peggy and Bert not "unchanged": their lost photos are written
    store, peggy = _peggy(data_dir)
    photo = store.photo_path(peggy)
    assert photo is not None and _colour(photo)[2] > 200  # the re-import put the new photo in place
    assert hashlib.sha256(photo.read_bytes()).hexdigest() == peggy.extra["photo_stored_sha256"]


def test_leftover_temp_and_staged_files_are_swept_at_start(tmp_path: Path, data_dir: Path) -> None:
    make_library(tmp_path / "music", count=1)
    write_people(tmp_path / "v1")
    assert kiosk_cli(data_dir, "residents", "import", str(tmp_path / "v1" / "residents.csv")).returncode == 0
    dead = 2**22 + 12345  # above pid_max defaults: no such process
    leftovers = [
        data_dir / f".residents.json.{dead}.tmp",
        data_dir / f".catalogue.json.{dead}.tmp",
        data_dir / "photos" / f".someone.jpg.{dead}.tmp",
        data_dir / "photos" / ".someone.jpg.new",
        data_dir / ".backups" / f".residents.json.1.{dead}.tmp",
    ]
    live = data_dir / f".residents.json.{os.getpid()}.tmp"  # a writer still at work: left alone
    for path in [*leftovers, live]:
        path.write_bytes(b"half")
    settle_interrupted_writes(DataFolder(data_dir))
    assert [p.name for p in leftovers if p.exists()] == []
    assert live.exists()
    assert json.loads((data_dir / "residents.json").read_text())  # the real files untouched
