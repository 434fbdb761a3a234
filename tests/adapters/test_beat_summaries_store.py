"""The ``beat-summaries`` store, apart from the catalogue's shards: a rescan keeps every grid, the catalogue
serves new grids without a restart, a damaged store never breaks the catalogue, backups carry the grids and
erasure leaves them alone (they are about music, never about a person). Real files, real `kiosk` processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kiosk.adapters.backup import MANIFEST, create_backup
from kiosk.adapters.beat_store import STORE, SideFileGrids, analyse_library, side_path
from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.docstore import DataFolder, backup_paths
from kiosk.adapters.erasures import erase_resident
from kiosk.adapters.library_scan import scan_library
from kiosk.adapters.restore import restore_backup
from kiosk.domain.models import Song
from tests.adapters.test_play_along_adapters import metronome, write_wav

pytest.importorskip("aubio")

REPO = Path(__file__).resolve().parents[2]


def library(music: Path, tempos: tuple[int, ...] = (90, 120)) -> None:
    """Metronome songs at ``tempos`` (one FLAC, the rest WAV) and a drone with no beat."""
    music.mkdir(parents=True, exist_ok=True)
    for i, bpm in enumerate(tempos):
        x, _ = metronome(bpm, seconds=15)
        write_wav(music / f"beat-{bpm}.wav", x)
        if i == 0:
            subprocess.run(
                ["sox", str(music / f"beat-{bpm}.wav"), str(music / f"beat-{bpm}.flac")], check=True
            )
            (music / f"beat-{bpm}.wav").unlink()
    t = np.arange(15 * 22_050) / 22_050
    write_wav(music / "drone.wav", (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32))


def grids(songs: list[Song] | tuple[Song, ...]) -> dict[str, float]:
    return {s.song_id: round(s.beat_tempo_bpm or 0, 3) for s in songs if s.has_beat_grid}


def kiosk(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=180, cwd=str(REPO),
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip


def test_kiosk_scan_again_after_moving_renaming_and_adding_music_keeps_every_grid(tmp_path: Path) -> None:
    music, data_dir = tmp_path / "music", tmp_path / "data"
    library(music)
    first = kiosk(data_dir, "scan", "--music-dir", str(music))
    assert first.returncode == 0, first.stderr
    assert "Beat grids for Play along: 3 songs analysed, 2 with a steady beat" in first.stdout
    before = grids(TinyCatalogue(DataFolder(data_dir)).songs())
    assert sorted(before.values()) == pytest.approx([90, 120], rel=0.005)
    summaries = (data_dir / "beat-summaries.json").read_bytes()

    (music / "old").mkdir()
    (music / "beat-120.wav").rename(music / "old" / "a song renamed.wav")  # moved and renamed
    x, _ = metronome(150, seconds=15)
    write_wav(music / "new-150.wav", x)
    again = kiosk(data_dir, "scan", "--music-dir", str(music), "--no-beats")  # the shards are rewritten
    assert again.returncode == 0, again.stderr
    assert "1 new" in again.stdout and "1 moved or renamed" in again.stdout
    assert (data_dir / "beat-summaries.json").read_bytes() == summaries  # the scan never touches it
    songs = TinyCatalogue(DataFolder(data_dir)).songs()
    assert grids(songs) == before  # every grid kept; the new song has none yet
    assert not any(s.has_beat_grid for s in songs if s.path.endswith("new-150.wav"))

    third = kiosk(data_dir, "scan", "--music-dir", str(music))
    assert "Beat grids for Play along: 1 songs analysed, 1 with a steady beat" in third.stdout  # only the new
    after = grids(TinyCatalogue(DataFolder(data_dir)).songs())
    assert {k: v for k, v in after.items() if k in before} == before and len(after) == 3


def test_the_running_catalogue_serves_grids_analysed_elsewhere_without_a_restart(tmp_path: Path) -> None:
    music, data_dir = tmp_path / "music", tmp_path / "data"
    library(music, (100,))
    scan_library(DataFolder(data_dir), music)
    running = TinyCatalogue(DataFolder(data_dir))  # the kiosk's, read before any analysis
    assert grids(running.songs()) == {}
    report = analyse_library(DataFolder(data_dir), music)  # another thread's (or process's) folder object
    assert (report.analysed, report.usable) == (2, 1)
    served = grids(running.songs())
    assert list(served.values()) == pytest.approx([100], rel=0.005)  # the store's stamp changed: reread
    (song_id,) = served
    assert running.get(song_id) is not None and running.get(song_id).has_beat_grid  # type: ignore[union-attr]


def test_a_damaged_beat_store_never_breaks_the_catalogue_and_is_repaired(tmp_path: Path) -> None:
    music, data_dir = tmp_path / "music", tmp_path / "data"
    library(music)
    data = DataFolder(data_dir)
    scan_library(data, music)
    analyse_library(data, music, batch=1)  # several writes: rotating copies of the store exist
    running = TinyCatalogue(DataFolder(data_dir))
    good = grids(running.songs())
    assert len(good) == 2
    path = data.path(STORE)

    path.write_bytes(b'{"beats": {"1": {"song_id": "x", "usa')  # torn by a power cut mid-way
    assert len(running.songs()) == 3 and grids(running.songs()) == good  # repaired from its copy at once
    assert [p.name for p in data_dir.glob(f"{STORE}.json.damaged-*")]  # the damaged file set aside, kept
    assert json.loads(path.read_bytes())["beats"]

    for copy in backup_paths(path):  # no good copy left: songs are served without grids, nothing breaks
        copy.unlink(missing_ok=True)
    path.write_bytes(b"\0" * 64)
    assert len(running.songs()) == 3 and grids(running.songs()) == {}
    assert len(TinyCatalogue(DataFolder(data_dir)).songs()) == 3
    again = analyse_library(DataFolder(data_dir), music)  # the next analysis puts them back
    assert again.analysed == 3 and grids(running.songs()) == good


def test_backups_carry_the_grids_and_erasing_a_resident_leaves_them_alone(tmp_path: Path) -> None:
    music, data_dir = tmp_path / "music", tmp_path / "data"
    library(music, (110,))
    data = DataFolder(data_dir)
    scan_library(data, music)
    analyse_library(data, music)
    (song_id,) = grids(TinyCatalogue(data).songs())
    side = side_path(data_dir, song_id)
    assert side is not None and side.exists()

    with data.write("residents") as db:  # a resident to erase (fictional)
        db.table("residents").insert({"resident_id": "r-ivy", "staff_id": "I-1", "display_name": "Ivy"})
    store_bytes, side_bytes = data.path(STORE).read_bytes(), side.read_bytes()
    erase_resident(data, "r-ivy")
    assert data.path(STORE).read_bytes() == store_bytes and side.read_bytes() == side_bytes  # music only

    create_backup(data, tmp_path / "bk")
    held = {f["path"] for f in json.loads((tmp_path / "bk" / MANIFEST).read_text())["files"]}
    assert {f"{STORE}.json", f"beats/{song_id}.json"} <= held
    fresh = tmp_path / "fresh"
    restore_backup(DataFolder(fresh), tmp_path / "bk")  # a new SD card
    restored = TinyCatalogue(DataFolder(fresh)).get(song_id)
    assert restored is not None and restored.has_beat_grid
    grid = SideFileGrids(fresh).grid_for(restored)
    original = SideFileGrids(data_dir).grid_for(restored)
    assert grid is not None and original is not None and grid.beats == original.beats
    assert analyse_library(DataFolder(fresh), music).analysed == 0  # nothing to analyse again
