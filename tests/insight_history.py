"""A synthetic care history with known answers (issue 18), fictional residents, times in UTC (tests set TZ=UTC).

Mary (M1), June 2026 (the report's period: 1-28 June; the period before: 4-31 May):
- Relax at 16:00 on 1, 3, 5, 8, 10, 12 June: 'Moon River' heard to the end and liked, 'Stardust' heard to the
  end, 'Blue Moon' heard to the end (liked on 1 June) but stopped in distress after 2 min on 12 June.
  30 min a session, 22 min on 12 June: 172 min / 6 = 28.7 min on average.
- Listen at 10:00 on 2, 4, 9, 11 June: 'Tipperary' skipped after 1 min, 'Danny Boy' heard to the end: 10 min.
- No music from 13 to 28 June (16 days).
- Forms: 1 June relax (form 2: enjoyment 80, smiled), 2 June listen (form 2: enjoyment 60, interest 70),
  3 June relax (the old form: every scale 50 but enjoyment 90, sang).
- "Restless now" at 15:00 on 22, 24 and 26 June -> a relax proposal 14:30-15:30.
- May: relax at 16:00 on 12 and 19 May: 'Moon River' and 'Stardust' heard to the end (20 min each).
- Profile history: volume limit 100 -> 70 on 15 June.
Albert (A2): "Restless now" at 15:00 on 22 and 23 June only (2 days: no proposal), no music.
Nora (N3): consent "no": nothing recorded.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.rollups import store_name
from kiosk.domain.events import OBSERVATION_FORM, RESTLESS_NOW

MARY, ALBERT, NORA = "11111111-mary", "22222222-albert", "33333333-nora"
START, END = date(2026, 6, 1), date(2026, 6, 28)
SONGS = {
    "mr": ("Moon River", "Andy Williams"),
    "sd": ("Stardust", "Nat King Cole"),
    "bm": ("Blue Moon", "The Marcels"),
    "tp": ("Tipperary", "John McCormack"),
    "db": ("Danny Boy", "Jim Reeves"),
}


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")


def _session(sid: str, rid: str, mode: str, start: datetime, plays: list[tuple[str, str, int, bool]]) -> dict:
    docs, t = [], start
    for song, outcome, secs, liked in plays:
        title, artist = SONGS[song]
        docs.append(
            {
                "song_id": song,
                "title": title,
                "artist": artist,
                "decade": "1960s",
                "outcome": outcome,
                "listened_s": float(secs),
                "liked": liked,
                "at": _iso(t),
            }
        )
        t += timedelta(seconds=secs)
    count = {o: sum(p["outcome"] == o for p in docs) for o in ("completed", "skipped", "failed", "distress")}
    return {
        "session_id": sid,
        "kiosk_id": "lounge-1",
        "resident_ids": [rid],
        "mode": mode,
        "started_at": _iso(start),
        "ended_at": _iso(t),
        "clock_ok": True,
        "end_reason": "length",
        "listened_s": float(sum(p["listened_s"] for p in docs)),
        "songs_started": len(docs),
        "songs_completed": count["completed"],
        "songs_skipped": count["skipped"],
        "songs_failed": 0,
        "likes": sum(p["liked"] for p in docs),
        "distress_stops": count["distress"],
        "plays": docs,
    }


def sessions() -> list[dict[str, Any]]:
    out = []
    for k, day in enumerate((1, 3, 5, 8, 10, 12), start=1):
        last = k == 6
        out.append(
            _session(
                f"relax-{day}",
                MARY,
                "relax",
                _at(date(2026, 6, day), 16),
                [
                    ("mr", "completed", 600, True),
                    ("sd", "completed", 600, False),
                    ("bm", "distress" if last else "completed", 120 if last else 600, k == 1),
                ],
            )
        )
    for day in (2, 4, 9, 11):
        out.append(
            _session(
                f"listen-{day}",
                MARY,
                "listen",
                _at(date(2026, 6, day), 10),
                [("tp", "skipped", 60, False), ("db", "completed", 540, False)],
            )
        )
    for day in (12, 19):
        out.append(
            _session(
                f"may-{day}",
                MARY,
                "relax",
                _at(date(2026, 5, day), 16),
                [("mr", "completed", 600, False), ("sd", "completed", 600, False)],
            )
        )
    return out


def _form(sid: str, at: datetime, scales: dict[str, int], reactions: list[str], old: bool = False) -> dict:
    doc: dict[str, Any] = {
        "session_id": sid,
        "resident_ids": [MARY],
        "at": _iso(at),
        "scales": scales,
        "reactions": reactions,
        "by": "staff",
    }
    if not old:
        doc["form"] = OBSERVATION_FORM
    return doc


def restless(rid: str, at: datetime) -> dict[str, Any]:
    return {
        "session_id": None,
        "resident_ids": [rid],
        "at": _iso(at),
        "form": OBSERVATION_FORM,
        "kind": RESTLESS_NOW,
        "scales": {},
        "reactions": ["restless"],
        "by": "staff",
    }


def observations() -> list[dict[str, Any]]:
    old = dict.fromkeys(("interest", "response", "initiation", "involvement"), 50) | {"enjoyment": 90}
    return [
        _form("relax-1", _at(date(2026, 6, 1), 16, 35), {"enjoyment": 80}, ["smiled"]),
        _form("listen-2", _at(date(2026, 6, 2), 10, 15), {"enjoyment": 60, "interest": 70}, []),
        _form("relax-3", _at(date(2026, 6, 3), 16, 35), old, ["sang"], old=True),
        *(restless(MARY, _at(date(2026, 6, d), 15)) for d in (22, 24, 26)),
        *(restless(ALBERT, _at(date(2026, 6, d), 15)) for d in (22, 23)),
    ]


HISTORY = [
    {
        "resident_id": MARY,
        "field": "volume_cap_pct",
        "old": "100 (no limit of its own)",
        "new": "70",
        "at": "2026-06-15T09:00:00Z",
        "source": "staff screen",
    }
]


def residents_docs() -> list[dict[str, Any]]:
    base = {"birth_year": 1938, "volume_cap_pct": 70, "session_minutes": 30, "schedule": "", "consent": "yes"}
    return [
        {**base, "resident_id": MARY, "staff_id": "M1", "first_name": "Mary"},
        {**base, "resident_id": ALBERT, "staff_id": "A2", "first_name": "Albert"},
        {**base, "resident_id": NORA, "staff_id": "N3", "first_name": "Nora", "consent": "no"},
    ]


def write_folder(data: DataFolder) -> None:
    """The whole history into a real data folder (residents, monthly rollups, profile history)."""
    with data.write("residents") as db:
        for doc in residents_docs():
            db.table("residents").insert(doc)
    by_month: dict[str, tuple[list[dict], list[dict]]] = {}
    for s in sessions():
        by_month.setdefault(store_name(s["started_at"]), ([], []))[0].append(s)
    for o in observations():
        by_month.setdefault(store_name(o["at"]), ([], []))[1].append(o)
    for name, (ss, obs) in by_month.items():
        with data.write(name) as db:
            db.table("sessions").insert_multiple(ss)
            db.table("observations").insert_multiple(obs)
    with data.write("profile-history") as db:
        db.table("changes").insert_multiple(HISTORY)
