"""Reports compare songs with and without an introduction (from the rollups' plays)."""

from __future__ import annotations

import random
from datetime import UTC, date

from kiosk.domain.report import Period, build_report, month_digest
from kiosk.domain.report_text import resident_lines
from kiosk.domain.report_voice import (
    IntroComparison,
    PlayRates,
    comparison,
    intro_comparison,
    intro_lines,
    introduced_counts,
)
from kiosk.domain.rollup import fold_events


def test_completion_and_likes_with_and_without_intros() -> None:
    sessions = [
        {
            "plays": [
                {"outcome": "completed", "liked": True, "intro": True},
                {"outcome": "skipped", "liked": False, "intro": True},
                {"outcome": "completed", "liked": False},
                {"outcome": "completed", "liked": False},
                {"outcome": "failed", "liked": False},
            ]
        }
    ]
    with_intro, without = intro_comparison(sessions)
    assert (with_intro.plays, with_intro.completed, with_intro.liked) == (2, 1, 1)
    assert (without.plays, without.completed_pct, without.liked_pct) == (2, 100.0, 0.0)
    assert introduced_counts(sessions[0]["plays"]) == [2, 1, 1]
    assert introduced_counts([{"outcome": "completed"}]) is None
    assert introduced_counts([{"outcome": "failed", "intro": True}]) is None


def test_small_numbers_say_they_are_too_few() -> None:
    comp = comparison(PlayRates(6, 4, 1), [2, 1, 1])
    assert comp == IntroComparison(PlayRates(2, 1, 1), PlayRates(4, 3, 0))
    text = "\n".join(intro_lines(comp))
    assert "introduced: 2 plays, 1 heard to the end (50%), 1 liked (50%)" in text
    assert "not introduced: 4 plays, 3 heard to the end (75%), 0 liked (0%)" in text
    assert "Too few plays to tell" in text and "more often" not in text and "less often" not in text
    assert "not a trial" in text
    assert intro_lines(comparison(PlayRates(6, 4, 1), [0, 0, 0])) == []


def test_a_clear_difference_is_called_one_and_a_small_one_is_not() -> None:
    clear = "\n".join(intro_lines(comparison(PlayRates(200, 120, 40), [100, 90, 20])))
    # introduced: 90 of 100 heard to the end; not: 30 of 100. Liked: 20 of 100 each
    assert "Heard to the end: more often with an introduction (+60 points" in clear
    assert "Liked: about the same" in clear
    assert "Too few" not in clear
    close = "\n".join(intro_lines(comparison(PlayRates(80, 50, 10), [40, 26, 5])))
    assert "Heard to the end: about the same (a difference of 5 points is within what chance gives)" in close
    worse = "\n".join(intro_lines(comparison(PlayRates(100, 60, 0), [50, 10, 0])))
    assert "Heard to the end: less often with an introduction (-80 points" in worse


def test_a_report_counts_the_same_from_full_rollups_and_month_digests() -> None:
    """build_report over full rollups, and over the same month as a digest, splits the plays alike (home and
    per resident), and agrees with intro_comparison over the plays themselves."""
    rng = random.Random(7)
    sessions = []
    for i in range(60):
        rid = rng.choice(["r1", "r2"])
        plays = [
            {
                "song_id": f"s{rng.randrange(9)}",
                "outcome": rng.choice(["completed", "completed", "skipped", "failed", "distress"]),
                "liked": rng.random() < 0.3,
                **({"intro": True} if rid == "r1" and rng.random() < 0.6 else {}),
            }
            for _ in range(rng.randrange(1, 6))
        ]
        sessions.append(
            {
                "session_id": f"x{i}",
                "resident_ids": [rid],
                "started_at": f"2026-06-{1 + i % 28:02d}T10:00:00+00:00",
                "clock_ok": True,
                "listened_s": 600,
                "plays": plays,
            }
        )
    june = Period(date(2026, 6, 1), date(2026, 6, 30))
    labels = {"r1": "One", "r2": "Two"}
    full = build_report(sessions, june, labels=labels, tz=UTC)
    digested = build_report(month_digest(sessions, {"x3"}, "2026-06", UTC), june, labels=labels, tz=UTC)
    with_, without = intro_comparison(sessions)
    assert full.home.intros == digested.home.intros == IntroComparison(with_, without)
    r1 = [s for s in sessions if s["resident_ids"] == ["r1"]]
    assert full.residents[0].intros == digested.residents[0].intros == IntroComparison(*intro_comparison(r1))
    assert full.residents[1].intros is None  # nobody introduced a song for r2
    assert "Song introductions by the voice:" in "\n".join(resident_lines(full.residents[0]))
    assert "Song introductions" not in "\n".join(resident_lines(full.residents[1]))


def test_the_rebuilt_rollup_keeps_the_intro_mark() -> None:
    def event(seq: int, type_: str, **detail: object) -> dict[str, object]:
        return {
            "v": 1,
            "at": f"2026-06-01T10:00:0{seq}Z",
            "clock_ok": True,
            "seq": seq,
            "kiosk": "k",
            "session": "s1",
            "resident": None,
            "type": type_,
            "song": f"song-{seq}",
            "source": "auto",
            "detail": detail,
        }

    events = [
        event(1, "session_start", residents=[], mode=None, resumed=False),
        event(2, "song_start", title="A", intro=True),
        event(3, "song_end", outcome="completed", listened_s=3.0),
        event(4, "song_start", title="B"),
        event(5, "song_end", outcome="completed", listened_s=3.0),
        event(6, "session_end", reason="stop", listened_s=6.0),
    ]
    rollups = [doc for _, doc in fold_events(events)]
    plays = rollups[0]["plays"]
    assert [p.get("intro") for p in plays] == [True, None]
