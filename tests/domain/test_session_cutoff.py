"""A cut-off session rebuilt from its journal events (kiosk.domain.session_cutoff)."""

from __future__ import annotations

from typing import Any

from kiosk.domain.models import Mode
from kiosk.domain.session_cutoff import cut_off_from_events


def ev(
    kind: str, mono: float, song: str | None = None, resident: str | None = None, **detail: Any
) -> dict[str, Any]:
    return {"type": kind, "session": "S-1", "at": "2026-03-01T10:00:00.250Z", "mono": mono, "song": song,
            "resident": resident, "clock_ok": True, "detail": detail}  # fmt: skip


def test_finished_plays_likes_mode_and_the_song_cut_off_mid_play() -> None:
    cut = cut_off_from_events(
        [
            ev("session_start", 100.0, mode="lounge", residents=["R-1", "R-2"], resumed=False),
            ev("song_start", 100.1, song="a", title="A", artist="X", year=1956, reason="era"),
            ev("like", 110.0),
            ev("song_end", 150.0, song="a", outcome="completed", listened_s=49.9),
            ev("mode", 150.5, mode="relax", chosen_by="staff"),
            ev("song_start", 151.0, song="b", title="B", year=1962, reason="era"),
            ev("volume", 171.0, volume_pct=50),
        ],
        now_mono=5.0,
    )
    assert cut is not None
    s = cut.session
    assert s.session_id == "S-1" and s.journaled_ids == ("R-1", "R-2") and s.mode is Mode.RELAX
    assert s.started_at == "2026-03-01T10:00:00+00:00"
    assert [(p["song_id"], p["outcome"], p["liked"], p["decade"]) for p in s.plays] == [
        ("a", "completed", True, "1950s")
    ]
    assert cut.play is not None and cut.play.song.song_id == "b" and cut.play.song.decade == "1960s"
    assert cut.listened_s == 20.0  # up to the session's last journaled event


def test_a_resumed_run_does_not_compare_monotonic_times_across_runs() -> None:
    cut = cut_off_from_events(
        [
            ev("session_start", 900.0, residents=["R-1"], resumed=False),
            ev("song_start", 901.0, song="a", title="A"),
            ev("session_start", 3.0, residents=["R-1"], resumed=True),  # the next run carries the song on
            ev("pause", 40.0, at_s=60.0),
        ],
        now_mono=50.0,
    )
    assert cut is not None and cut.play is not None and cut.play.song.song_id == "a"
    assert cut.listened_s == 0.0  # a lower bound: never a difference of two runs' clocks


def test_everyone_withdrew_consent_nothing_is_journaled_for_it() -> None:
    cut = cut_off_from_events(
        [ev("session_start", 1.0, residents=["R-1"]), ev("consent_withdrawn", 2.0, resident="R-1")],
        now_mono=0.0,
    )
    assert cut is not None and cut.session.journal_on is False


def test_events_that_do_not_start_with_a_session_start_are_not_a_session() -> None:
    assert cut_off_from_events([ev("song_start", 1.0, song="a")], now_mono=0.0) is None
    assert cut_off_from_events([], now_mono=0.0) is None
