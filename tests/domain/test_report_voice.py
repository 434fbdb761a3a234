"""Reports compare songs with and without an introduction (from the rollups' plays)."""

from __future__ import annotations

from kiosk.domain.report_voice import intro_comparison, intro_lines
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
    assert intro_lines(sessions) == [
        "Songs introduced by the voice: 2 plays, 50% heard to the end, 50% liked",
        "Songs without an introduction: 2 plays, 100% heard to the end, 0% liked",
    ]
    assert intro_lines([{"plays": [{"outcome": "completed"}]}]) == []


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
