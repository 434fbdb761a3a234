"""The event -> rollup fold: exact rollups from known event sequences (expected values written by hand)."""

from __future__ import annotations

from kiosk.domain.events import ROLLUP_KEYS
from kiosk.domain.rollup import RollupFold, fold_events


def ev(at, type_, session="s1", song=None, kiosk="lounge-1", ok=True, resident="res-a", **detail):
    return {
        "v": 1,
        "at": f"2026-06-01T{at}+00:00",
        "clock_ok": ok,
        "kiosk": kiosk,
        "session": session,
        "resident": resident,
        "type": type_,
        "song": song,
        "detail": detail,
    }


def one_session(ok_middle=True):
    return [
        ev("10:00:00", "session_start", mode="listen", residents=["res-a"], resumed=False),
        ev("10:00:01", "song_start", song="s1", title="Moon River", artist="Andy Williams", decade="1960s"),
        ev("10:01:00", "like", song="s1", at_s=59),
        ev("10:03:00", "song_end", song="s1", outcome="completed", listened_s=179.5),
        ev(
            "10:03:01",
            "song_start",
            song="s2",
            title="Sh-Boom",
            artist="The Chords",
            decade="1950s",
            ok=ok_middle,
        ),
        ev("10:03:13", "song_end", song="s2", outcome="skipped", listened_s=12),
        ev("10:03:14", "song_start", song="s3", title="Lili Marleen", artist="Lale Andersen", decade="1940s"),
        ev("10:03:20", "distress", song="s3", at_s=6),
        ev("10:03:21", "song_end", song="s3", listened_s=6),
        ev("10:03:22", "song_start", song="s4", title="Volare", artist="Dean Martin", decade="1950s"),
        ev("10:05:00", "session_end", reason="stop", listened_s=295.5),
    ]


def test_a_session_folds_to_the_expected_rollup():
    out = list(fold_events(one_session()))
    assert [k for k, _ in out] == ["session"]
    r = out[0][1]
    assert tuple(sorted(r)) == tuple(sorted(ROLLUP_KEYS))
    assert r["session_id"] == "s1" and r["kiosk_id"] == "lounge-1" and r["resident_ids"] == ["res-a"]
    assert r["mode"] == "listen"
    assert r["started_at"] == "2026-06-01T10:00:00+00:00" and r["ended_at"] == "2026-06-01T10:05:00+00:00"
    assert r["clock_ok"] is True and r["end_reason"] == "stop" and r["listened_s"] == 295.5
    assert (r["songs_started"], r["songs_completed"], r["songs_skipped"], r["songs_failed"]) == (4, 1, 1, 0)
    assert (r["likes"], r["distress_stops"]) == (1, 1)
    assert [(p["song_id"], p["outcome"], p["listened_s"], p["liked"]) for p in r["plays"]] == [
        ("s1", "completed", 179.5, True),
        ("s2", "skipped", 12.0, False),
        ("s3", "distress", 6.0, False),  # distress event, then a song_end without an outcome
        ("s4", "stopped", 0.0, False),  # no song_end before the session ended
    ]
    assert r["plays"][0] == {
        "song_id": "s1",
        "title": "Moon River",
        "artist": "Andy Williams",
        "decade": "1960s",
        "outcome": "completed",
        "listened_s": 179.5,
        "liked": True,
        "at": "2026-06-01T10:00:01+00:00",
    }


def test_one_untrusted_event_makes_the_session_untrusted():
    ((_, r),) = fold_events(one_session(ok_middle=False))
    assert r["clock_ok"] is False


def test_a_session_never_ended_is_closed_by_the_next_one_on_that_kiosk():
    events = one_session()[:4] + [
        ev("11:00:00", "session_start", session="s2", mode="relax", residents=["res-b"], resident="res-b"),
        ev("11:10:00", "session_end", session="s2", reason="length"),
    ]
    out = list(fold_events(events))
    assert [(k, d["session_id"], d["end_reason"], d["ended_at"][11:19]) for k, d in out] == [
        ("session", "s1", "interrupted", "10:03:00"),
        ("session", "s2", "length", "11:10:00"),
    ]
    assert out[0][1]["listened_s"] == 179.5  # no session_end figure: the sum of its plays


def test_a_resumed_start_continues_the_open_session():
    events = one_session()[:4] + [
        ev("10:20:00", "session_start", mode="listen", residents=["res-a"], resumed=True),
        ev("10:20:01", "song_start", song="s5", title="Que Sera", decade="1950s"),
        ev("10:23:00", "song_end", song="s5", outcome="completed", listened_s=170),
        ev("10:23:01", "session_end", reason="length"),
    ]
    ((_, r),) = fold_events(events)
    assert r["songs_started"] == 2 and r["songs_completed"] == 2 and r["listened_s"] == 349.5


def test_unfinished_sessions_are_closed_at_the_end():
    fold = RollupFold()
    for e in one_session()[:2]:
        assert fold.feed(e) == []
    (r,) = fold.finish()
    assert r["end_reason"] == "interrupted" and r["plays"][0]["outcome"] == "stopped"


def test_observation_events_become_observation_documents():
    e = ev(
        "10:06:00", "observation", scales={"interest": 70, "enjoyment": 90}, reactions=["sang"], by="nurse"
    )
    ((kind, doc),) = fold_events([e])
    assert kind == "observation"
    assert doc == {
        "session_id": "s1",
        "resident_ids": ["res-a"],
        "at": "2026-06-01T10:06:00+00:00",
        "scales": {"interest": 70, "enjoyment": 90},
        "reactions": ["sang"],
        "by": "nurse",
    }


def test_memory_is_open_sessions_only():
    fold = RollupFold()
    peak = 0
    done = 0
    for n in range(500):
        for kiosk in ("k1", "k2"):
            sid = f"{kiosk}-{n}"
            for e in (
                ev("10:00:00", "session_start", session=sid, kiosk=kiosk, residents=["x"]),
                ev("10:00:01", "song_start", session=sid, kiosk=kiosk, song="s"),
            ):
                fold.feed(e)
                peak = max(peak, fold.open_sessions)
        for kiosk in ("k1", "k2"):
            done += len(fold.feed(ev("10:01:00", "session_end", session=f"{kiosk}-{n}", kiosk=kiosk)))
    assert done == 1000 and peak == 2 and fold.open_sessions == 0


def test_consent_withdrawn_takes_the_resident_out_of_the_session_rollup() -> None:
    group = [
        ev(
            "10:00:00",
            "session_start",
            resident=None,
            mode="listen",
            residents=["res-a", "res-b"],
            resumed=False,
        ),
        ev("10:00:01", "song_start", resident=None, song="s1", title="Moon River"),
        ev("10:00:30", "consent_withdrawn", resident="res-a"),
        ev("10:01:00", "song_end", resident="res-b", song="s1", outcome="completed", listened_s=59),
        ev("10:01:01", "session_end", resident="res-b", reason="stop", listened_s=60),
    ]
    ((kind, rollup),) = list(fold_events(group))
    assert kind == "session" and rollup["resident_ids"] == ["res-b"] and rollup["songs_completed"] == 1
    alone = [
        ev("10:00:00", "session_start", mode="listen", residents=["res-a"], resumed=False),
        ev("10:00:01", "song_start", song="s1", title="Moon River"),
        ev("10:00:30", "consent_withdrawn"),
    ]
    assert list(fold_events(alone)) == []  # everyone withdrew: no rollup at all (nothing more was journaled)
    home_mix = [ev("10:00:00", "session_start", resident=None, residents=[]), ev("10:00:05", "session_end")]
    assert [k for k, _ in fold_events(home_mix)] == ["session"]  # no residents, none withdrew: kept
