"""The journal's unended sessions, read from real day files (kiosk.adapters.journal_tail)."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.adapters.journal_tail import unended_sessions


def write(path: Path, *events: dict[str, object], torn: bytes = b"") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as fh:
        for e in events:
            fh.write(json.dumps(e).encode() + b"\n")
        fh.write(torn)


def e(seq: int, kind: str, session: str) -> dict[str, object]:
    return {"seq": seq, "type": kind, "session": session, "detail": {}}


def test_only_sessions_started_and_never_ended_in_seq_order_across_day_files(tmp_path: Path) -> None:
    events = tmp_path / "events"
    write(events / "2026-03-01.jsonl", e(1, "session_start", "A"), e(2, "session_end", "A"))
    write(events / "2026-03-02.jsonl", e(3, "session_start", "B"), e(4, "song_start", "B"))
    # the clock stepped back: the newest events sit in an earlier-dated file, B's end among them
    write(events / "2026-02-20.jsonl", e(5, "session_end", "B"), e(6, "session_start", "C"),
          e(7, "like", "C"), torn=b'{"seq": 8, "type": "song_st')  # fmt: skip
    got = unended_sessions(events)
    assert [[x["seq"] for x in evs] for evs in got] == [[6, 7]]


def test_an_end_without_a_start_in_the_tail_and_no_folder_at_all(tmp_path: Path) -> None:
    assert unended_sessions(tmp_path / "events") == []
    write(tmp_path / "events" / "2026-03-01.jsonl", e(1, "session_end", "A"), e(2, "song_end", "A"))
    assert unended_sessions(tmp_path / "events") == []
