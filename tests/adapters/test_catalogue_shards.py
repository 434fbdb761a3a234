"""The catalogue in shards: a scan rewrites only what changed; the old single file migrates, even through kills
and after an older backup is restored."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kiosk.adapters import atomic
from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.catalogue_store import FOLDER, CatalogueFiles, shard_of
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.library_scan import scan_library
from kiosk.cli import main
from tests.audiofiles import make_audio
from tests.killing import child_seconds, run_and_kill


def _inodes(data_dir: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in (data_dir / FOLDER).glob("shard-*.json")}


def _legacy_docs(n: int) -> list[dict[str, object]]:
    """Song documents as the single-file catalogue stored them (with the scan's keys)."""
    return [
        {
            "song_id": f"s{i:05d}",
            "content_id": f"s{i:05d}",
            "path": f"/srv/music/Album {i // 12}/{i:02d} Song {i}.mp3",
            "rel": f"Album {i // 12}/{i:02d} Song {i}.mp3",
            "title": f"Song {i}",
            "artist": f"Artist {i % 7}",
            "year": 1930 + i % 50,
            "size": 1000 + i,
            "mtime_ns": 10**18 + i,
            "context": "c0ffee",
            "themes": [],
            "suspect": "failed to play" if i == 3 else None,
            "tags": {"title": f"Song {i}", "artist": f"Artist {i % 7}", "format": "mp3", "duration_s": 1.0},
        }
        for i in range(n)
    ]


def _write_legacy(data_dir: Path, docs: list[dict[str, object]]) -> None:
    with DataFolder(data_dir).write("catalogue") as db:
        db.table("songs").insert_multiple(docs)
        db.table("scan").insert({"music_dir": "/srv/music", "unreadable": [], "sidecar_problems": []})


def test_adding_an_album_rewrites_one_shard(tmp_path: Path, data_dir: Path) -> None:
    music = tmp_path / "music"
    for album in range(6):
        for i in range(2):
            make_audio(
                music / f"Album {album}" / f"{i}.ogg", freq=300 + 20 * album + i, title=f"A{album}-{i}"
            )
    data = DataFolder(data_dir)
    scan_library(data, music)
    before = _inodes(data_dir)
    assert len(before) > 1  # six albums over several shards
    make_audio(music / "Album 9" / "new.ogg", freq=900, title="New")
    report = scan_library(data, music)
    after = _inodes(data_dir)
    changed = {name for name in after if before.get(name) != after[name]}
    assert report.added == 1 and changed == {shard_of("Album 9/new.ogg") + ".json"}
    assert "New" in {s.title for s in TinyCatalogue(data).songs()}


def test_old_single_file_is_migrated_once(data_dir: Path) -> None:
    _write_legacy(data_dir, _legacy_docs(40))
    songs = TinyCatalogue(DataFolder(data_dir)).songs()
    assert [s.song_id for s in sorted(songs, key=lambda s: s.song_id)] == [f"s{i:05d}" for i in range(40)]
    assert {s.song_id: s.suspect for s in songs}["s00003"] == "failed to play"
    assert not (data_dir / "catalogue.json").exists()
    assert not list((data_dir / ".backups").glob("catalogue.json.*"))
    assert CatalogueFiles(DataFolder(data_dir)).read_info()["music_dir"] == "/srv/music"
    # the scan's memory came along: the stored size/mtime/tags are in the file rows
    rows = [f for entries in CatalogueFiles(DataFolder(data_dir)).load().values() for _s, f in entries]
    assert sorted(f[1] for f in rows) == [1000 + i for i in range(40)]


def test_a_failed_migration_leaves_the_old_file_and_finishes_next_time(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_legacy(data_dir, _legacy_docs(60))
    real = atomic.atomic_write_bytes
    calls = [0]

    def failing(path: Path, raw: bytes) -> None:
        calls[0] += 1
        if calls[0] == 3:
            raise OSError(28, "No space left on device")
        real(path, raw)

    monkeypatch.setattr("kiosk.adapters.catalogue_store.atomic_write_bytes", failing)
    songs = TinyCatalogue(DataFolder(data_dir)).songs()  # served from the old file meanwhile
    assert len(songs) == 60 and (data_dir / "catalogue.json").exists()
    monkeypatch.setattr("kiosk.adapters.catalogue_store.atomic_write_bytes", real)
    assert len(TinyCatalogue(DataFolder(data_dir)).songs()) == 60
    assert not (data_dir / "catalogue.json").exists()


MIGRATE = """
import sys
from pathlib import Path
from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.docstore import DataFolder
print(len(TinyCatalogue(DataFolder(Path(sys.argv[1]))).songs()), flush=True)
"""


def test_migration_survives_kills(tmp_path: Path) -> None:
    """SIGKILL at seeded moments while a child migrates 3,000 songs: the next open always has all of them."""
    rng = random.Random(17)
    docs = _legacy_docs(3000)
    killed = 0
    spare = tmp_path / "spare"
    spare.mkdir(mode=0o700)
    _write_legacy(spare, docs)
    full = child_seconds(MIGRATE, str(spare))  # the kills land within the time a whole migration takes
    for round_no in range(6):
        data_dir = tmp_path / f"data-{round_no}"
        data_dir.mkdir(mode=0o700)
        _write_legacy(data_dir, docs)
        killed += run_and_kill(MIGRATE, str(data_dir), rng=rng, within_s=(0.05, full))
        songs = TinyCatalogue(DataFolder(data_dir)).songs()
        assert len(songs) == 3000, round_no
        assert len({s.song_id for s in songs}) == 3000
        assert not (data_dir / "catalogue.json").exists()
    assert killed  # at least one kill landed while the child was still working


def test_restoring_an_old_format_backup_brings_its_catalogue_back(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A backup made before shards holds catalogue.json: after restoring it, the kiosk sees exactly its songs,
    not the newer shards still in the folder."""
    _write_legacy(data_dir, _legacy_docs(5))
    assert main(["--data-dir", str(data_dir), "backup", str(tmp_path / "old-backup")]) == 0
    music = tmp_path / "music"
    make_audio(music / "New" / "x.ogg", freq=500, title="Newer song")
    scan_library(DataFolder(data_dir), music, allow_empty=True)
    assert {s.title for s in TinyCatalogue(DataFolder(data_dir)).songs()} == {"Newer song"}
    assert main(["--data-dir", str(data_dir), "restore", str(tmp_path / "old-backup")]) == 0
    capsys.readouterr()
    titles = {s.title for s in TinyCatalogue(DataFolder(data_dir)).songs()}
    assert titles == {f"Song {i}" for i in range(5)}
    assert not (data_dir / "catalogue.json").exists()
