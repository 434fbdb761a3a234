from __future__ import annotations

import json
import stat

from kiosk.adapters.journal import JsonlJournal, ReadStats, read_events
from tests.fakes import FakeClock


def test_events_land_at_once_and_read_back(tmp_path):
    clock = FakeClock()
    journal = JsonlJournal(tmp_path / "events", "k1", clock)
    journal.append(
        "session_start", session_id="s1", resident_id="r1", source="touch", detail={"mode": "listen"}
    )
    journal.append("like", session_id="s1", resident_id="r1", song_id="song-a", source="touch")
    files = list((tmp_path / "events").glob("*.jsonl"))
    assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
    events = list(read_events(tmp_path / "events"))
    assert [e["type"] for e in events] == ["session_start", "like"]
    assert [e["seq"] for e in events] == [1, 2]
    assert events[1]["song"] == "song-a" and events[0]["detail"] == {"mode": "listen"}


def test_torn_last_line_is_skipped_and_counted(tmp_path):
    journal = JsonlJournal(tmp_path / "events", "k1", FakeClock())
    journal.append("like", session_id="s1")
    path = next((tmp_path / "events").glob("*.jsonl"))
    with path.open("ab") as fh:
        fh.write(json.dumps({"type": "like"}).encode()[:9])
    stats = ReadStats()
    assert len(list(read_events(tmp_path / "events", stats=stats))) == 1
    assert stats.torn == 1
