"""CSV export: one file of sessions and one of song plays (``FILE`` and ``FILE`` with ``-plays`` before the
suffix), UTF-8 with a byte-order mark so Excel reads accents right, comma-separated, ISO 8601 times in local time.

Sessions file, one row per session and resident (a group session gives a row for each resident in it):
    session_id, resident, staff_id (empty when pseudonymised), date, start_time, end_time, clock_ok (yes/no),
    mode, minutes, songs_started, songs_completed, songs_skipped, songs_failed, likes, distress_stops,
    end_reason, residents_in_session, kiosk_id
Plays file, one row per song play and resident:
    session_id, resident, date, time, clock_ok, song_id, title, artist, decade, outcome, listened_s, liked (yes/no)
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import date, tzinfo
from pathlib import Path
from typing import Any

from kiosk.domain.report import Period, local, parse_time

SESSION_COLUMNS = (
    "session_id",
    "resident",
    "staff_id",
    "date",
    "start_time",
    "end_time",
    "clock_ok",
    "mode",
    "minutes",
    "songs_started",
    "songs_completed",
    "songs_skipped",
    "songs_failed",
    "likes",
    "distress_stops",
    "end_reason",
    "residents_in_session",
    "kiosk_id",
)
PLAY_COLUMNS = (
    "session_id",
    "resident",
    "date",
    "time",
    "clock_ok",
    "song_id",
    "title",
    "artist",
    "decade",
    "outcome",
    "listened_s",
    "liked",
)


def plays_path(path: Path) -> Path:
    """``report.csv`` -> ``report-plays.csv``."""
    return path.with_name(f"{path.stem}-plays{path.suffix or '.csv'}")


def _play_time(at: Any, zone: tzinfo | None, day_s: str) -> tuple[str, str]:
    """(local date, local ISO time) of a play; the session's day when the play has no time."""
    if not at:
        return day_s, ""
    t = parse_time(str(at)).astimezone(zone).isoformat(timespec="seconds")
    return t[:10], t


def _open(path: Path) -> Any:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    fh = os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=1 << 20)
    fh.write("\ufeff")  # the BOM by hand: the "utf-8-sig" codec encodes in Python, once per row
    return fh


def write_csv(
    path: Path,
    sessions: Iterable[Mapping[str, Any]],
    period: Period,
    *,
    label: Callable[[str], str],
    staff_id: Callable[[str], str],
    only: set[str] | None = None,
    tz: tzinfo | None = None,
) -> tuple[int, int]:
    """Write both files; returns (session rows, play rows). ``label``/``staff_id`` map resident ids."""
    n_sessions = n_plays = 0
    yes = {True: "yes", False: "no"}
    with _open(path) as sfh, _open(plays_path(path)) as pfh:
        sw = csv.writer(sfh)
        pw = csv.writer(pfh)
        sw.writerow(SESSION_COLUMNS)
        pw.writerow(PLAY_COLUMNS)
        for doc in sessions:
            start = local(str(doc["started_at"]), tz)
            day: date = start.date()
            if not period.contains(day):
                continue
            rids = [str(r) for r in doc.get("resident_ids") or []]
            if only is not None:
                rids = [r for r in rids if r in only]
            if not rids:
                continue
            ended = doc.get("ended_at")
            end_s = local(str(ended), tz).isoformat(timespec="seconds") if ended else ""
            ok = yes[bool(doc.get("clock_ok", False))]
            start_s = start.isoformat(timespec="seconds")
            minutes = round(float(doc.get("listened_s") or 0) / 60.0, 1)
            plays = doc.get("plays") or []
            day_s = day.isoformat()
            sid = str(doc.get("session_id"))
            zone = start.tzinfo  # the session's local offset (a session does not straddle a clock change)
            rows: list[tuple[Any, ...]] | None = None
            for rid in rids:
                who = label(rid)
                sw.writerow(
                    (
                        sid,
                        who,
                        staff_id(rid),
                        day_s,
                        start_s,
                        end_s,
                        ok,
                        doc.get("mode", ""),
                        minutes,
                        doc.get("songs_started", 0),
                        doc.get("songs_completed", 0),
                        doc.get("songs_skipped", 0),
                        doc.get("songs_failed", 0),
                        doc.get("likes", 0),
                        doc.get("distress_stops", 0),
                        doc.get("end_reason", ""),
                        len(doc.get("resident_ids") or []),
                        doc.get("kiosk_id", ""),
                    )
                )
                n_sessions += 1
                if rows is None:
                    rows = [
                        (
                            sid,
                            who,
                            *_play_time(p.get("at"), zone, day_s),
                            ok,
                            p.get("song_id", ""),
                            p.get("title", ""),
                            p.get("artist", ""),
                            p.get("decade", ""),
                            p.get("outcome", ""),
                            p.get("listened_s", 0),
                            yes[bool(p.get("liked"))],
                        )
                        for p in plays
                    ]
                else:  # the next resident of a group session: same rows, their label
                    rows = [(sid, who, *r[2:]) for r in rows]
                pw.writerows(rows)
                n_plays += len(rows)
    return n_sessions, n_plays
