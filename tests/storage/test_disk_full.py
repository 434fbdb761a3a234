"""A full disk (issue 14 item 4), on a real small filesystem (a 3 MB tmpfs; the tests need root, as CI has):
short writes completed or the partial line cut off, events and rollups kept in memory, journaling resumes by
itself when space returns and says so, one log line per change of state, nothing resident-facing."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.adapters import attention
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import JsonlJournal, ReadStats, read_events
from kiosk.adapters.rollups import RollupStore, RollupWriter
from tests.fakes import FakeClock
from tests.storage.kit import REPO, child_env, prepare_data

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="mounting a small tmpfs needs root (CI runs as root)"
)


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(fs: Path) -> Path:
    """Fill the filesystem to the last byte; returns the filler file (delete it to make room)."""
    filler = fs / "filler"
    chunk = b"\0" * 65536
    with filler.open("wb", buffering=0) as fh:
        for size in (65536, 4096, 256, 16, 1):
            with contextlib.suppress(OSError):
                while True:
                    fh.write(chunk[:size])
    return filler


def _lines(events_dir: Path) -> list[bytes]:
    return [line for p in sorted(events_dir.glob("*.jsonl")) for line in p.read_bytes().split(b"\n") if line]


def test_the_journal_keeps_events_while_the_disk_is_full_and_resumes_by_itself(small_fs, caplog) -> None:
    data = small_fs / "data"
    data.mkdir()
    clock = FakeClock()
    journal = JsonlJournal(data / "events", "k1", clock, data_root=data)
    for n in range(5):
        journal.append("like", session_id="s", detail={"n": n, "pad": "x" * 200})
    filler = fill(small_fs)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        for n in range(5, 60):
            journal.append("like", session_id="s", detail={"n": n, "pad": "x" * 200})
            clock.advance(5)  # minutes of a full disk go by
            journal.maybe_sync()
        assert journal.problem and "No space left" in journal.problem
        lines_while_full = len(caplog.records)
        assert lines_while_full <= 2  # "needs attention" (+ "could not save the note": the disk is full)
        assert not any(r.exc_info for r in caplog.records)  # no tracebacks
        for raw in _lines(data / "events"):  # what is on disk is whole lines only: no torn event
            json.loads(raw)
        filler.unlink()  # space is back
        clock.advance(61)
        journal.maybe_sync()
        journal.append("like", session_id="s", detail={"n": 60})
    stats = ReadStats()
    events = list(read_events(data / "events", stats=stats))
    assert stats.torn == 0
    assert [e["detail"]["n"] for e in events] == list(range(61))
    assert [e["seq"] for e in events] == list(range(1, 62))
    assert journal.problem is None
    (note,) = attention.notes(data)
    assert "resumed by itself" in note["message"]
    assert len(caplog.records) <= lines_while_full + 2  # and one more state change: resumed


def test_a_short_write_on_a_full_disk_leaves_no_partial_line(small_fs) -> None:
    data = small_fs / "data"
    data.mkdir()
    journal = JsonlJournal(data / "events", "k1", FakeClock(), data_root=data)
    journal.append("like", session_id="s")
    fill(small_fs)
    big = "y" * 20000  # larger than what is left in the file's last page: the kernel writes part of it
    journal.append("like", session_id="s", detail={"big": big})
    assert journal.problem
    raw = b"".join(p.read_bytes() for p in (data / "events").glob("*.jsonl"))
    assert raw.endswith(b"\n") and all(json.loads(line) for line in raw.splitlines())
    assert raw.count(b"\n") == 1


def test_rollups_are_kept_in_memory_until_they_can_be_written(small_fs, caplog) -> None:
    data_dir = small_fs / "data"
    data_dir.mkdir()
    writer = RollupWriter(RollupStore(DataFolder(data_dir)), retry_s=0.05)
    writer.add({"session_id": "before", "started_at": "2026-06-01T09:00:00+00:00", "clock_ok": True})
    writer.flush()
    filler = fill(small_fs)
    for n in range(3):
        writer.add({"session_id": f"full-{n}", "started_at": "2026-06-01T10:00:00+00:00", "clock_ok": True})
    got = sorted(s["session_id"] for s in writer.sessions())
    assert got == ["before", "full-0", "full-1", "full-2"]  # reads include the held ones
    assert writer.held() == 3
    held_lines = [r for r in caplog.records if "rollup" in r.getMessage()]
    assert len(held_lines) == 1 and not held_lines[0].exc_info
    filler.unlink()
    done = threading.Event()
    for _ in range(200):
        if writer.held() == 0:
            break
        done.wait(0.05)
    writer.close()
    stored = sorted(s["session_id"] for s in RollupStore(DataFolder(data_dir)).sessions())
    assert stored == ["before", "full-0", "full-1", "full-2"]


def test_the_composed_kiosk_on_a_full_disk_keeps_playing_and_loses_nothing(small_fs, tmp_path) -> None:
    data_dir = small_fs / "data"
    data_dir.mkdir()
    music = prepare_data(data_dir, tmp_path)  # music lives on the big disk, the data folder on the small one
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.storage.kiosk_child", str(data_dir), str(music), "--sync", "yes",
         "--pi", "yes", "--loop", "7", "--duration-s", "9", "--retry-s", "0.5"],
        cwd=REPO, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None
    acks = []
    filler = None
    freed = False
    for line in child.stdout:
        if line.startswith("ACK"):
            acks.append(int(line.split()[1]))
            if len(acks) == 3 and filler is None:
                filler = fill(small_fs)
        if line.startswith("{"):
            result = json.loads(line)
            break
        if filler is not None and not freed and child.poll() is None:
            threading.Timer(2.5, filler.unlink).start()
            freed = True
    stderr = child.stderr.read() if child.stderr else ""
    assert child.wait(timeout=60) == 0, stderr[-3000:]
    assert filler is not None and freed
    assert "Traceback" not in stderr, stderr[-3000:]
    assert len(stderr.splitlines()) <= 12, stderr  # one line per change of state, not one per event
    assert result["journal_problem"] is None and result["rollups_held"] == 0
    # the engine's message is for the staff screen only (kiosk/ui/app.py); it goes once the journal resumed
    assert any("journal cannot write" in m for m in result["messages"]) and result["final_message"] == ""
    stats = ReadStats()
    events = list(read_events(data_dir / "events", stats=stats))
    seqs = [e["seq"] for e in events]
    assert stats.torn == 0 and seqs == list(range(1, len(seqs) + 1))
    assert max(acks) <= len(seqs)  # every acknowledged event is there
    ended = {e["session"] for e in events if e["type"] == "session_end"}
    stored = {s["session_id"] for s in RollupStore(DataFolder(data_dir)).sessions()}
    assert ended and ended <= stored  # every session that ended has its rollup, written after the outage
    kinds = {n["kind"]: n["message"] for n in attention.notes(data_dir)}
    assert "resumed by itself" in kinds.get("journal-stopped", "")


def test_fill_really_fills(small_fs) -> None:
    fill(small_fs)
    with pytest.raises(OSError) as exc:
        (small_fs / "more").write_bytes(b"x" * 8192)
    assert exc.value.errno == errno.ENOSPC
