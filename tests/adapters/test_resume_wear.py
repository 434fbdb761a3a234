"""The resume point spares the SD card: song starts, pauses, resumes and likes are written with fsync; saves
that only move the position go to a small file renamed into place without fsync; unchanged ones are not
written at all; a torn or stale position file is ignored."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from kiosk.adapters.resume import POSITION_FILE, RESUME_FILE, ResumeFile


def _state(position_ms: int, *, song: str = "a", liked: bool = False, at: str = "10:00:00") -> dict[str, Any]:
    return {
        "session_id": "sess",
        "song": {"song_id": song, "title": "Moon River"},
        "song_at": f"2026-06-01T{at}+00:00",
        "plays": [],
        "liked": liked,
        "paused": False,
        "position_ms": position_ms,
        "song_listened_s": position_ms / 1000,
        "saved_at": f"2026-06-01T10:{position_ms // 60000:02d}:{position_ms // 1000 % 60:02d}+00:00",
    }


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = os.fsync

    def counting(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", counting)
    return calls


def test_only_what_changed_is_written_and_position_saves_skip_fsync(
    data_dir: Path, fsyncs: list[int]
) -> None:
    store = ResumeFile(data_dir)
    store.save(_state(0))  # a song starts: durable
    durable = len(fsyncs)
    assert durable == 2  # the file and its folder
    stamp = (data_dir / RESUME_FILE).stat().st_ino
    for ms in (30_000, 60_000, 90_000):
        store.save(_state(ms))  # only the position moved
    assert len(fsyncs) == durable and (data_dir / RESUME_FILE).stat().st_ino == stamp
    assert store.load()["position_ms"] == 90_000  # type: ignore[index]
    store.save(_state(90_000))  # nothing changed at all
    assert store.writes == {"durable": 1, "position": 3, "skipped": 1}
    store.save(_state(95_000, liked=True))  # a like: durable again
    assert len(fsyncs) == 2 * durable and store.load()["liked"] is True  # type: ignore[index]


def test_a_position_of_another_song_or_a_torn_one_is_ignored(data_dir: Path) -> None:
    store = ResumeFile(data_dir)
    store.save(_state(0))
    store.save(_state(40_000))
    store.save(_state(0, song="b", at="10:03:00"))  # the next song: durable, the old position is stale
    assert store.load()["song"]["song_id"] == "b" and store.load()["position_ms"] == 0  # type: ignore[index]
    store.save(_state(30_000, song="b", at="10:03:00"))
    (data_dir / POSITION_FILE).write_bytes(b'{"session_id": "sess", "posit')  # torn by a power cut
    assert ResumeFile(data_dir).load()["position_ms"] == 0  # type: ignore[index]  # from the song's start
    store.clear()
    assert not (data_dir / POSITION_FILE).exists() and ResumeFile(data_dir).load() is None


def test_a_store_write_that_changes_nothing_writes_nothing(data_dir: Path, fsyncs: list[int]) -> None:
    from kiosk.adapters.docstore import DataFolder

    data = DataFolder(data_dir)
    with data.write("reviews") as db:
        db.table("reviews").insert({"song_id": "a", "resident_id": "r1"})
    stamp = data.path("reviews").stat().st_ino
    before = len(fsyncs)
    with data.write("reviews") as db:
        db.table("reviews").update({"resident_id": "r1"}, doc_ids=[1])  # the same value again
        db.table("reviews").remove(lambda d: d.get("song_id") == "nothing")
    assert data.path("reviews").stat().st_ino == stamp and len(fsyncs) == before
