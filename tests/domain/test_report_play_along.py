"""Play along figures in a report (pure): who a session's presses count for, trusted days, the wording."""

from __future__ import annotations

from datetime import UTC, date

from kiosk.domain.report import Period, build_report, month_digest
from kiosk.domain.report_play_along import PlayAlongFigures, play_along_lines

PERIOD = Period(date(2026, 6, 1), date(2026, 6, 14))


def _rollup(
    sid: str, rids: list[str], day: int, presses: int | None, on_beat: int = 0, ok: bool = True
) -> dict:
    doc = {
        "session_id": sid, "resident_ids": rids, "mode": "play_along", "clock_ok": ok,
        "started_at": f"2026-06-{day:02d}T10:00:00+00:00", "listened_s": 120.0, "plays": [],
    }  # fmt: skip
    if presses is not None:
        doc["play_along"] = {"presses": presses, "on_beat": on_beat, "music_min": 2.0}
    return doc


SESSIONS = [
    _rollup("alone", ["a"], 1, 30, 18),
    _rollup("group", ["a", "b"], 2, 40, 10),
    _rollup("unsure", ["a"], 9, 10, 10, ok=False),
    _rollup("listening", ["b"], 3, None),
]


def test_a_resident_counts_only_sessions_alone_the_home_counts_all() -> None:
    report = build_report(SESSIONS, PERIOD, labels={"a": "A", "b": "B"}, tz=UTC)
    home, (a, b) = report.home.play_along, report.residents
    assert (home.sessions, home.presses, home.on_beat, home.music_min) == (3, 80, 38, 6.0)
    assert (a.play_along.sessions, a.play_along.presses, a.play_along.on_beat) == (2, 40, 28)
    assert not b.play_along.used and play_along_lines(b.play_along, resident=True) == []
    # the unsure clock counts in totals, never on a day
    assert sorted(a.play_along.by_day) == [date(2026, 6, 1)]
    assert a.play_along.presses_per_min == 10.0 and a.play_along.on_beat_share == 0.7


def test_a_month_digest_keeps_the_same_figures() -> None:
    june = month_digest(SESSIONS, set(), "2026-06", UTC)
    full = build_report(SESSIONS, PERIOD, labels={"a": "A", "b": "B"}, tz=UTC)
    digested = build_report(june, PERIOD, labels={"a": "A", "b": "B"}, tz=UTC)
    assert digested.home.play_along == full.home.play_along
    assert [f.play_along for f in digested.residents] == [f.play_along for f in full.residents]


def test_series_per_day_and_per_week_leave_gaps_where_nobody_played() -> None:
    f = PlayAlongFigures()
    f.add({"presses": 12, "on_beat": 6, "music_min": 2}, date(2026, 6, 1))
    f.add({"presses": 8, "on_beat": 8, "music_min": 2}, date(2026, 6, 3))
    days = [date(2026, 6, d) for d in (1, 2, 3)]
    assert f.series(days, weekly=False) == ([6.0, None, 4.0], [50.0, None, 100.0])
    assert f.series([date(2026, 6, 1)], weekly=True) == ([5.0], [70.0])


def test_the_wording_says_what_the_figures_are_not() -> None:
    f = PlayAlongFigures()
    f.add({"presses": "junk", "on_beat": 5, "music_min": -1}, None)  # a damaged detail: counted as nothing
    assert (f.presses, f.on_beat, f.music_min, f.presses_per_min, f.on_beat_share) == (0, 0, 0.0, None, None)
    f.add({"presses": 9, "on_beat": 3, "music_min": 3}, None)
    first, note = play_along_lines(f, resident=True)
    assert first == (
        "Play along: 2 sessions on their own: 3.0 presses per minute, 33% on the beat (9 presses in 3 min of music)"
    )
    assert "not a clinical measure" in note and "who pressed in a group" in note
