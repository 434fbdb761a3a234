"""Journal hardening: disk full, consent, torn lines, retention, seq across restarts, grouped fsyncs."""

from __future__ import annotations

import errno
import os
from datetime import UTC, date, datetime

import pytest

from kiosk.adapters import attention
from kiosk.adapters import journal as journal_mod
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import JsonlJournal, ReadStats, consent_refused, last_seq, read_events
from tests.fakes import FakeClock


def _journal(data_dir, clock=None, **kwargs) -> JsonlJournal:
    return JsonlJournal(data_dir / "events", "k1", clock or FakeClock(), **kwargs)


def _events(data_dir, stats=None):
    return list(read_events(data_dir / "events", stats=stats))


@pytest.fixture
def fsyncs(monkeypatch):
    calls = []
    real = os.fsync

    def counting(fd):
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(journal_mod.os, "fsync", counting)
    return calls


def test_disk_full_keeps_events_in_memory_and_resumes_by_itself_within_a_minute(data_dir, monkeypatch):
    clock = FakeClock()
    journal = _journal(data_dir, clock)
    journal.append("session_start", session_id="s1")

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(journal_mod.os, "write", full)
    journal.append("like", session_id="s1")  # must not raise
    journal.append("song_end", session_id="s1")
    journal.maybe_sync()
    journal.sync()
    assert journal.problem and "No space left" in journal.problem
    (note,) = attention.notes(data_dir)
    assert note["kind"] == journal_mod.ATTENTION_KIND and "Music still plays" in note["message"]
    monkeypatch.undo()  # space is back
    clock.advance(30)
    journal.maybe_sync()  # not yet: checked about once a minute
    assert [e["type"] for e in _events(data_dir)] == ["session_start"]
    clock.advance(31)
    journal.maybe_sync()
    assert journal.problem is None and journal.dropped == 0
    journal.append("session_end", session_id="s1")
    events = _events(data_dir)
    assert [e["type"] for e in events] == ["session_start", "like", "song_end", "session_end"]
    assert [e["seq"] for e in events] == [1, 2, 3, 4]
    (note,) = attention.notes(data_dir)
    assert "resumed by itself" in note["message"] and "2 event(s)" in note["message"]


def test_failing_fsync_stops_journaling_too(data_dir, monkeypatch):
    journal = _journal(data_dir)
    real = os.fsync

    def read_only_journal(fd):
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".jsonl"):
            raise OSError(errno.EROFS, "Read-only file system")
        real(fd)

    monkeypatch.setattr(journal_mod.os, "fsync", read_only_journal)
    journal.append("song_start", session_id="s1")
    assert journal.problem and "Read-only" in journal.problem
    assert attention.notes(data_dir)[0]["kind"] == journal_mod.ATTENTION_KIND


def test_a_partial_write_is_cut_off_again_and_the_event_kept_for_later(data_dir, monkeypatch):
    journal = _journal(data_dir)
    journal.append("like", session_id="s1")
    real = os.write

    def half_then_full(fd, data):
        real(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(journal_mod.os, "write", half_then_full)
    journal.append("like", session_id="s1", detail={"n": 2})
    monkeypatch.undo()
    stats = ReadStats()
    assert [e["seq"] for e in _events(data_dir, stats)] == [1] and stats.torn == 0  # no torn line on disk
    journal.close()  # space is back by the time it closes: the kept event is written
    again = _journal(data_dir)  # after a restart
    again.append("like", session_id="s1", detail={"after": True})
    stats = ReadStats()
    events = _events(data_dir, stats)
    assert stats.torn == 0 and [e["seq"] for e in events] == [1, 2, 3]
    assert events[-1]["detail"] == {"after": True}


def test_short_writes_are_completed(data_dir, monkeypatch):
    journal = _journal(data_dir)
    real = os.write

    def short(fd, data):
        return real(fd, bytes(data[:7]))  # the kernel may write less than asked

    monkeypatch.setattr(journal_mod.os, "write", short)
    for n in range(3):
        journal.append("like", session_id="s1", detail={"n": n})
    monkeypatch.undo()
    stats = ReadStats()
    assert [e["detail"]["n"] for e in _events(data_dir, stats)] == [0, 1, 2] and stats.torn == 0


def test_torn_last_line_from_a_power_cut_is_counted_and_not_glued_to_the_next(data_dir):
    _journal(data_dir).append("like", session_id="s1")
    path = next((data_dir / "events").glob("*.jsonl"))
    with path.open("ab") as fh:
        fh.write(b'{"v":1,"at":"2026-06-01T10:0')
    _journal(data_dir).append("pause", session_id="s1")
    stats = ReadStats()
    assert [e["type"] for e in _events(data_dir, stats)] == ["like", "pause"]
    assert stats.torn == 1 and stats.events == 2 and stats.files == 1


def test_consent_no_is_not_journaled(data_dir):
    data = DataFolder(data_dir)
    with data.write("residents") as db:
        db.table("residents").insert_multiple(
            [{"resident_id": "yes-1", "consent": "yes"}, {"resident_id": "no-1", "consent": "no"}]
        )
    journal = _journal(data_dir, excluded_residents=consent_refused(data))
    journal.append("session_start", session_id="s", detail={"residents": ["yes-1", "no-1"], "mode": "lounge"})
    journal.append("like", session_id="s", resident_id="no-1")
    journal.append("like", session_id="s", resident_id="yes-1")
    with data.write("residents") as db:  # consent withdrawn while running: honoured from the next event
        db.table("residents").update({"consent": "no"}, lambda d: d["resident_id"] == "yes-1")
    journal.append("like", session_id="s", resident_id="yes-1")
    events = _events(data_dir)
    assert [(e["type"], e["resident"]) for e in events] == [("session_start", None), ("like", "yes-1")]
    assert events[0]["detail"]["residents"] == ["yes-1"]
    assert "no-1" not in (data_dir / "events").joinpath(f"{date(2026, 6, 1)}.jsonl").read_text()
    assert journal.dropped == 2


def test_a_failing_consent_check_errs_on_not_recording(data_dir):
    def broken(resident_id):
        raise RuntimeError("store unreadable")

    journal = _journal(data_dir, excluded_residents=broken)
    journal.append("like", session_id="s", resident_id="r1")
    journal.append("like", session_id="s")  # no resident: recorded
    assert [e["resident"] for e in _events(data_dir)] == [None]


def test_event_fields_seq_across_restart_and_day_rollover(data_dir):
    clock = FakeClock(datetime(2026, 6, 1, 23, 59, 59, tzinfo=UTC), trusted=False)
    journal = _journal(data_dir, clock)
    journal.append("song_start", session_id="s", resident_id="r", song_id="song-1", source="button")
    clock.advance(2)  # past midnight UTC: a new day file
    journal.append("song_end", session_id="s", song_id="song-1", detail={"outcome": "completed"})
    journal.close()
    restarted = _journal(data_dir, clock)
    restarted.append("session_end", session_id="s")
    assert sorted(p.name for p in (data_dir / "events").iterdir()) == ["2026-06-01.jsonl", "2026-06-02.jsonl"]
    events = _events(data_dir)
    assert [e["seq"] for e in events] == [1, 2, 3]
    first = events[0]
    assert first["at"] == "2026-06-01T23:59:59.000Z" and first["clock_ok"] is False
    assert first["mono"] == 1000.0 and first["kiosk"] == "k1" and first["v"] == 1
    assert (first["session"], first["resident"], first["song"], first["source"]) == (
        "s",
        "r",
        "song-1",
        "button",
    )
    assert last_seq(data_dir / "events") == 3
    june2 = list(read_events(data_dir / "events", start=date(2026, 6, 2), end=date(2026, 6, 2)))
    assert [e["type"] for e in june2] == ["song_end", "session_end"]


def test_retention_deletes_only_old_days(data_dir):
    events = data_dir / "events"
    events.mkdir()
    for day in ["2023-05-31", "2023-06-01", "2023-06-02", "2026-05-31", "notes"]:
        (events / f"{day}.jsonl").write_text("")
    clock = FakeClock(datetime(2026, 6, 1, 10, tzinfo=UTC))
    journal = _journal(data_dir, clock, retention_days=1096)  # 2026-06-01 - 1096 days = 2023-06-01
    assert journal.prune() == 1
    assert sorted(p.stem for p in events.iterdir()) == ["2023-06-01", "2023-06-02", "2026-05-31", "notes"]
    assert journal.prune(older_than_days=1) == 2
    assert sorted(p.stem for p in events.iterdir()) == ["2026-05-31", "notes"]
    untrusted = _journal(data_dir, FakeClock(datetime(2040, 1, 1, tzinfo=UTC), trusted=False))
    assert untrusted.prune(older_than_days=1) == 0  # a clock that jumped ahead must not wipe the journal
    assert (events / "2026-05-31.jsonl").exists()


def test_retention_runs_once_a_day_on_its_own(data_dir):
    events = data_dir / "events"
    events.mkdir()
    (events / "2020-01-01.jsonl").write_text("")
    _journal(data_dir, retention_days=30).append("like")
    assert not (events / "2020-01-01.jsonl").exists()


def test_fsyncs_are_grouped(data_dir, fsyncs):
    clock = FakeClock()
    journal = _journal(data_dir, clock)
    journal.append("session_start", session_id="s")
    journal.append("song_start", session_id="s")  # the session's first song: one fsync for both
    assert len(fsyncs) == 1
    for _ in range(10):  # a burst (a volume dial turning): one fsync within the second
        journal.append("volume", session_id="s", detail={"volume_pct": 40})
        clock.advance(0.05)
        journal.maybe_sync()
    assert len(fsyncs) == 1
    clock.advance(0.6)
    journal.maybe_sync()
    assert len(fsyncs) == 2
    journal.maybe_sync()
    assert len(fsyncs) == 2  # nothing unsynced: nothing to do
    journal.append("song_end", session_id="s")
    journal.append("song_start", session_id="s")  # a song change costs one fsync, not two
    assert len(fsyncs) == 3
    journal.append("song_end", session_id="s")
    journal.maybe_sync()  # the last song end is due at the very next pump
    assert len(fsyncs) == 4
    journal.append("session_end", session_id="s")  # synced at once
    assert len(fsyncs) == 5


def test_reading_streams_lazily(data_dir):
    journal = _journal(data_dir)
    journal.append("like")
    stream = read_events(data_dir / "events")
    assert next(stream)["type"] == "like"  # a generator: nothing is read before it is asked for
    journal.append("pause")  # written after the read began, still reached by the open stream
    assert [e["type"] for e in stream] == ["pause"]


def test_rollups_follow_the_retention_by_whole_months(data_dir):
    from kiosk.adapters.rollups import RollupStore

    store = RollupStore(DataFolder(data_dir))
    for month in ["2023-04", "2023-05", "2023-06", "2026-05"]:
        store.add({"session_id": month, "started_at": f"{month}-15T10:00:00Z", "clock_ok": True})
    assert (data_dir / ".backups" / "rollups-2023-04.json.1").exists()
    assert store.prune(date(2026, 6, 1), 1096) == 2  # cutoff 2023-06-01: April and May ended before it
    assert store.months() == ["rollups-2023-06", "rollups-2026-05"]
    assert not (data_dir / ".backups" / "rollups-2023-04.json.1").exists()
