"""Learning signals and their fading, straight from plays as the rollups store them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.domain.learning import learned_scores, outcome_signal

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def play(outcome: str, days_ago: float, **kw: object) -> dict[str, object]:
    at = (NOW - timedelta(days=days_ago)).isoformat().replace("+00:00", "Z")
    return {"song_id": "s1", "outcome": outcome, "listened_s": 150.0, "liked": False, "at": at, **kw}


def test_signals() -> None:
    assert outcome_signal({"outcome": "completed"}) > 0
    assert outcome_signal({"outcome": "completed", "liked": True}) > outcome_signal({"outcome": "completed"})
    assert outcome_signal({"outcome": "skipped", "listened_s": 5}) < outcome_signal(
        {"outcome": "skipped", "listened_s": 90}
    )
    assert outcome_signal({"outcome": "skipped", "listened_s": 90}) <= 0
    assert outcome_signal({"outcome": "distress"}) < outcome_signal({"outcome": "skipped", "listened_s": 1})
    assert outcome_signal({"outcome": "failed"}) == 0


def test_half_life_four_weeks_and_day_resolution_agree() -> None:
    fresh, _ = learned_scores([play("completed", 0, liked=True)], NOW)
    month, _ = learned_scores([play("completed", 28, liked=True)], NOW)
    assert month["s1"] == pytest.approx(fresh["s1"] / 2, rel=0.05)
    exact, _ = learned_scores([play("completed", 4.5, liked=True)], NOW)  # parsed to the second
    by_day, _ = learned_scores([play("completed", 5.5, liked=True)], NOW)  # date only
    assert by_day["s1"] < exact["s1"]


def test_last_played_only_within_recent_days_and_bad_rows_skipped() -> None:
    plays = [
        play("completed", 1),
        play("completed", 10),
        {"song_id": "s2", "outcome": "completed", "at": "not a date"},
        {"outcome": "completed", "at": "2026-06-01T10:00:00Z"},
        {"song_id": "s3", "outcome": "completed", "at": NOW - timedelta(hours=2)},
    ]
    scores, last = learned_scores(plays, NOW, recent_days=3)
    assert set(scores) == {"s1", "s3"}
    assert last["s1"] == NOW - timedelta(days=1) and last["s3"] == NOW - timedelta(hours=2)
