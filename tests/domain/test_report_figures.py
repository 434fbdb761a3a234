"""Report figures from known rollups; every expected number is worked out by hand in the comments."""

from __future__ import annotations

from datetime import UTC, date

import pytest

from kiosk.domain.report import Period, build_report, pseudonym
from kiosk.domain.report_text import minutes_text, summary_text

SONGS = {
    "s1": ("Moon River", "Andy Williams", "1950s"),
    "s2": ("Sh-Boom", "The Chords", "1960s"),
    "s3": ("Lili Marleen", "Lale Andersen", "1940s"),
    "s4": ("Volare", "Dean Martin", "1950s"),
}


def play(song, outcome, liked=False, at="2026-06-01T10:00:00+00:00", listened_s=100.0):
    title, artist, decade = SONGS[song]
    return {
        "song_id": song,
        "title": title,
        "artist": artist,
        "decade": decade,
        "outcome": outcome,
        "listened_s": listened_s,
        "liked": liked,
        "at": at,
    }


def session(sid, rid, start, listened_s, plays, mode="listen", ok=True):
    return {
        "session_id": sid,
        "kiosk_id": "k",
        "resident_ids": [rid],
        "mode": mode,
        "started_at": start,
        "ended_at": start,
        "clock_ok": ok,
        "end_reason": "length",
        "listened_s": listened_s,
        "plays": plays,
    }


SESSIONS = [
    # A, Monday 1 June 10:00, 20 min: Moon River completed+liked, Sh-Boom skipped, Moon River again completed
    session(
        "S1",
        "A",
        "2026-06-01T10:00:00+00:00",
        1200,
        [play("s1", "completed", liked=True), play("s2", "skipped"), play("s1", "completed")],
    ),
    # A, Wednesday 3 June 19:30, 10 min, relax: Lili Marleen stopped in distress, Moon River completed+liked
    session(
        "S2",
        "A",
        "2026-06-03T19:30:00+00:00",
        600,
        [play("s3", "distress"), play("s1", "completed", liked=True)],
        mode="relax",
    ),
    # A, clock NOT trusted (reads 03:00 on 2 June), 5 min: Sh-Boom completed
    session("S3", "A", "2026-06-02T03:00:00+00:00", 300, [play("s2", "completed")], ok=False),
    # B, Monday 1 June 10:15, 30 min, sing: Moon River completed, Volare completed+liked
    session(
        "S4",
        "B",
        "2026-06-01T10:15:00+00:00",
        1800,
        [play("s1", "completed"), play("s4", "completed", liked=True)],
        mode="sing",
    ),
    # B, 25 May: before the period (only tells when B was last seen)
    session("S0", "B", "2026-05-25T10:00:00+00:00", 600, [play("s4", "completed")]),
]
OBSERVATIONS = [
    # staff saw A smile and sing in S1 (2 positive reactions -> songs completed or liked in S1: Moon River)
    {
        "session_id": "S1",
        "resident_ids": ["A"],
        "at": "2026-06-01T10:30:00+00:00",
        "scales": {"interest": 60, "response": 50, "initiation": 40, "involvement": 70, "enjoyment": 80},
        "reactions": ["smiled", "sang"],
        "by": "care assistant",
        "before": "restless",
        "after": "calm",
    },
    {
        "session_id": "S2",
        "resident_ids": ["A"],
        "at": "2026-06-03T20:00:00+00:00",
        "scales": {"interest": 80, "response": 70, "initiation": 60, "involvement": 90, "enjoyment": 100},
        "reactions": [],
        "by": "nurse",
    },
]
AVOID = [
    {
        "at": "2026-06-03T20:05:00+00:00",
        "type": "avoid_change",
        "resident": "A",
        "song": "s3",
        "detail": {"action": "added", "song": "s3"},
    }
]
LABELS = {"A": "Winifred", "B": "Archibald", "C": "Dorothea"}
WEEK = Period(date(2026, 6, 1), date(2026, 6, 7))


def report(**kw):
    return build_report(
        SESSIONS, WEEK, labels=LABELS, observations=OBSERVATIONS, avoid_changes=AVOID, tz=UTC, **kw
    )


def test_resident_counts():
    a = next(f for f in report().residents if f.resident_id == "A")
    assert a.label == "Winifred"
    assert a.sessions == 3 and a.minutes == pytest.approx(35.0)  # 20 + 10 + 5 (untrusted counts in totals)
    assert (a.untrusted_sessions, a.untrusted_minutes) == (1, pytest.approx(5.0))
    assert a.sessions_by_day == {
        date(2026, 6, 1): 1,
        date(2026, 6, 3): 1,
    }  # the untrusted one is not on a day
    assert a.minutes_by_day == {date(2026, 6, 1): 20.0, date(2026, 6, 3): 10.0}
    assert a.minutes_by_week == {date(2026, 6, 1): 30.0}
    # 3 + 2 + 1 plays; completed: 2 in S1, 1 in S2, 1 in S3
    assert (a.songs_started, a.songs_completed, a.songs_skipped, a.songs_distress, a.songs_liked) == (
        6,
        4,
        1,
        1,
        2,
    )
    assert a.decades == {"1950s": 3, "1960s": 2, "1940s": 1}
    assert a.modes == {"listen": 2, "relax": 1}
    assert a.last_session == date(2026, 6, 3)


def test_time_of_day_leaves_untrusted_sessions_out():
    a = next(f for f in report().residents if f.resident_id == "A")
    assert a.minutes_by_hour[10] == 20.0 and a.minutes_by_hour[19] == 10.0
    assert a.minutes_by_hour[3] == 0.0  # the untrusted session "at 03:00" is not charted
    assert sum(a.minutes_by_hour) == 30.0
    assert a.heatmap[0][10] == 20.0  # Monday 10:00
    assert a.heatmap[2][19] == 10.0  # Wednesday 19:00
    assert sum(map(sum, a.heatmap)) == 30.0


def test_engagement_scores_and_troubled_songs():
    a = next(f for f in report().residents if f.resident_id == "A")
    # Moon River: 3 plays, 3 completed, 2 likes, 2 replays, 2 positive reactions (S1)
    #   3*2 + 2*3 + 1*2 + 1*2 = 16
    # Sh-Boom: 2 plays (skipped, completed), 1 replay: 2*1 + 1 - 1 = 2
    # Lili Marleen: 1 distress: -5 -> not a top song
    assert [(s.song_id, s.score) for s in a.top_songs] == [("s1", 16), ("s2", 2)]
    assert [(s.song_id, s.distress, s.skipped) for s in a.troubled_songs] == [("s3", 1, 0), ("s2", 0, 1)]


def test_observations_and_avoid_changes():
    a = next(f for f in report().residents if f.resident_id == "A")
    assert [o.scales["enjoyment"] for o in a.observations] == [80, 100]
    assert a.reactions == {"smiled": 1, "sang": 1}
    assert a.scale_change()["enjoyment"] == (80.0, 100.0)  # earlier half -> later half
    assert [(x.action, x.song) for x in a.avoid_changes] == [("added", "Lili Marleen (Lale Andersen)")]


def test_home_figures():
    home = report().home
    assert home.sessions == 4 and home.minutes == pytest.approx(65.0)  # 20 + 10 + 5 + 30
    assert home.residents_active == 2 and home.residents_known == 3
    assert (home.untrusted_sessions, home.untrusted_minutes) == (1, pytest.approx(5.0))
    assert home.busiest_hours == [(10, 50.0), (19, 10.0)]  # A 20 + B 30 at 10:00
    assert home.minutes_by_day == {date(2026, 6, 1): 50.0, date(2026, 6, 3): 10.0}
    # most loved by likes: Moon River (2 likes), Volare (1), then Sh-Boom (0 likes, 1 completed)
    assert [(s.song_id, s.likes, s.completed) for s in home.most_loved] == [
        ("s1", 2, 4),
        ("s4", 1, 1),
        ("s2", 0, 1),
    ]


def test_who_has_not_had_a_session():
    # 7 days to 7 June: from 1 June. A (3 June) and B (1 June) listened; C never.
    assert [(rid, last) for rid, _n, last in report().home.idle_residents] == [("C", None)]
    # 3 days: from 5 June. Nobody listened: C (never), then B (1 June), then A (3 June)
    idle = report(idle_days=3).home.idle_residents
    assert [(rid, last) for rid, _n, last in idle] == [
        ("C", None),
        ("B", date(2026, 6, 1)),
        ("A", date(2026, 6, 3)),
    ]


def test_one_resident_only():
    r = report(only=["B"])
    assert [f.resident_id for f in r.residents] == ["B"]
    assert r.residents[0].sessions == 1 and r.residents[0].minutes == 30.0
    assert r.home.sessions == 4  # the home page stays home-wide


def test_local_time_zone_moves_days_and_hours():
    from datetime import timedelta, timezone

    plus2 = timezone(timedelta(hours=2))
    a = next(
        f for f in build_report(SESSIONS, WEEK, labels=LABELS, tz=plus2).residents if f.resident_id == "A"
    )
    # 19:30 UTC on 3 June is 21:30 at UTC+2
    assert a.minutes_by_hour[21] == 10.0 and a.minutes_by_hour[12] == 20.0


def test_pseudonym_is_stable_and_secret():
    assert pseudonym(b"k1", "A") == pseudonym(b"k1", "A")
    assert pseudonym(b"k1", "A") != pseudonym(b"k2", "A")
    assert pseudonym(b"k1", "A").startswith("R-") and len(pseudonym(b"k1", "A")) == 8


def test_text_summary():
    text = summary_text(report(), notes=True)
    assert "Sessions: 4   Music played: 1 h 05 min" in text
    assert "Clock not reliable: 1 session (5 min)" in text
    assert "Dorothea: last session none on record" in text
    assert "before: restless; after: calm" in text
    assert "before: restless" not in summary_text(report(), notes=False)
    assert minutes_text(59.6) == "1 h 00 min" and minutes_text(12.2) == "12 min"


def test_a_month_digest_gives_the_same_figures():
    from kiosk.domain.report import month_digest

    june = [s for s in SESSIONS if s["started_at"].startswith("2026-06")]
    digest = month_digest(june, {"S1", "S2"}, "2026-06", tz=UTC)
    assert not any("plays" in d for d in digest)  # no per-play rows left
    full = report()
    again = build_report(
        [*digest, SESSIONS[-1]], WEEK, labels=LABELS, observations=OBSERVATIONS, avoid_changes=AVOID, tz=UTC
    )
    assert again == full
    only_b = build_report(digest, WEEK, labels=LABELS, tz=UTC, only=["B"])
    assert [(f.resident_id, f.songs_started, f.songs_liked) for f in only_b.residents] == [("B", 2, 1)]


def test_a_digest_keeps_apart_sessions_that_fall_in_another_local_month():
    from datetime import timedelta, timezone

    from kiosk.domain.report import month_digest

    minus2 = timezone(timedelta(hours=-2))
    # 1 June 01:00 UTC is 31 May 23:00 at UTC-2: outside a June period in local time
    late = session("S7", "B", "2026-06-01T01:00:00+00:00", 600, [play("s3", "completed", liked=True)])
    june = [late] + [s for s in SESSIONS if s["started_at"].startswith("2026-06")]
    digest = month_digest(june, set(), "2026-06", tz=minus2)
    assert [d["session_id"] for d in digest if "keys" in d] == ["S7"]  # only it keeps its plays apart
    month = Period(date(2026, 6, 1), date(2026, 6, 30))
    full = build_report(june, month, labels=LABELS, tz=minus2)
    assert build_report(digest, month, labels=LABELS, tz=minus2) == full
    b = next(f for f in full.residents if f.resident_id == "B")
    assert b.sessions == 1 and b.songs_liked == 1  # S7 (31 May locally) is not counted


def test_a_damaged_rollup_is_skipped_not_fatal():
    from kiosk.domain.report import month_digest

    damaged = {"session_id": "X", "resident_ids": ["A"], "plays": [play("s1", "completed")]}
    assert (
        report().home.sessions
        == build_report([*SESSIONS, damaged], WEEK, labels=LABELS, tz=UTC).home.sessions
    )
    assert not any(d.get("session_id") == "X" for d in month_digest([damaged], set(), "2026-06", tz=UTC))


def test_a_scale_left_unset_is_missing_and_old_forms_are_marked() -> None:
    new_form = {
        "session_id": "S2",
        "resident_ids": ["A"],
        "at": "2026-06-03T20:10:00+00:00",
        "form": 2,
        "scales": {"enjoyment": 40, "interest": None},  # interest: nobody set it
        "reactions": ["calm"],
        "by": "staff",
    }
    got = build_report(
        SESSIONS, WEEK, labels=LABELS, observations=[*OBSERVATIONS, new_form], avoid_changes=AVOID, tz=UTC
    )
    a = next(f for f in got.residents if f.resident_id == "A")
    latest = a.observations[-1]
    assert latest.scales == {"enjoyment": 40} and not latest.maybe_untouched  # missing, never a 50
    assert [o.maybe_untouched for o in a.observations] == [True, True, False]  # saved by the old form
    change = a.scale_change()  # earliest form -> latest form
    assert change["enjoyment"] == (80.0, 40.0)
    assert "interest" not in change  # unset in the latest: no comparison, never a 50 stood in
    text = summary_text(got)
    assert "2 of them from the old form" in text
