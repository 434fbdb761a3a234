"""CSV export: one file of sessions and one of song plays (``FILE`` and ``FILE`` with ``-plays`` before the
suffix), UTF-8 with a byte-order mark so Excel reads accents right, comma-separated, ISO 8601 times in local time.
Cells a spreadsheet would run as formulas get a leading quote (:mod:`kiosk.adapters.csv_safe`).

Sessions file, one row per session and resident (a group session gives a row for each resident in it):
    session_id, resident, staff_id (empty when pseudonymised), date, start_time, end_time, clock_ok (yes/no),
    mode, minutes, songs_started, songs_completed, songs_skipped, songs_failed, likes, distress_stops,
    end_reason, residents_in_session, kiosk_id, time_zone (the zone of the local times, e.g.
    "Europe/London, UTC+01:00"), observed_interest ... observed_enjoyment (the staff form's scales for this
    session and resident, 0-100; empty = not set, never 50), reactions_seen, observation_forms, old_form (yes:
    a form from the first version, whose 50s may be sliders nobody moved)
Plays file, one row per song play and resident:
    session_id, resident, date, time, clock_ok, song_id, title, artist, decade, outcome, listened_s, liked (yes/no)
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from kiosk.adapters.csv_safe import csv_writer
from kiosk.adapters.safe_output import output_file
from kiosk.domain.events import OBSERVATION_SCALES, RESTLESS_NOW, observation_maybe_untouched
from kiosk.domain.report import Period, local, parse_time

Observed = Mapping[str, list[Mapping[str, Any]]]  # session id -> its observation forms


def forms_by_session(observations: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """Observation forms grouped by the session they describe ("Restless now" notes have none: left out)."""
    out: dict[str, list[Mapping[str, Any]]] = {}
    for ob in observations:
        if ob.get("kind") == RESTLESS_NOW or not ob.get("session_id"):
            continue
        out.setdefault(str(ob["session_id"]), []).append(ob)
    return out


def _observed_cells(forms: list[Mapping[str, Any]], rid: str) -> tuple[Any, ...]:
    """Per scale the mean of the forms that set it (empty when none did: unset is never 50), the reactions
    seen, how many forms, and whether any is from the old form (its 50s may be untouched sliders)."""
    mine = [o for o in forms if rid in (o.get("resident_ids") or [])]
    cells: list[Any] = []
    for name in OBSERVATION_SCALES:
        values = [int(o["scales"][name]) for o in mine if (o.get("scales") or {}).get(name) is not None]
        cells.append(round(sum(values) / len(values)) if values else "")
    reactions = sorted({str(r) for o in mine for r in o.get("reactions") or []})
    old = any(observation_maybe_untouched(o) for o in mine)
    return (*cells, "; ".join(reactions), len(mine), ("yes" if old else "no") if mine else "")


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
    "time_zone",
    *(f"observed_{name}" for name in OBSERVATION_SCALES),
    "reactions_seen",
    "observation_forms",
    "old_form",
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
    "introduced",  # yes: the gentle voice introduced the song (docs/guide/voice.md)
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


@contextmanager
def _open(path: Path) -> Iterator[Any]:
    """A text file replacing ``path`` at the end (temp file + rename; links refused: :mod:`safe_output`)."""
    with output_file(path) as raw:
        fh = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False)
        fh.write("\ufeff")  # the BOM by hand: the "utf-8-sig" codec encodes in Python, once per row
        yield fh
        fh.flush()
        fh.detach()


def _rows(
    doc: Mapping[str, Any],
    tz: tzinfo | None,
    label: Callable[[str], str],
    staff_id: Callable[[str], str],
    observed: Observed | None = None,
    zone_label: str = "",
) -> Iterator[tuple[str, date, tuple[Any, ...], list[tuple[Any, ...]]]]:
    """One session's rows: (resident_id, local day, session row, play rows) for each resident in it."""
    yes = {True: "yes", False: "no"}
    if not doc.get("started_at"):
        return  # a damaged rollup: nothing to place in time
    start = local(str(doc["started_at"]), tz)
    day: date = start.date()
    ended = doc.get("ended_at")
    end_s = local(str(ended), tz).isoformat(timespec="seconds") if ended else ""
    ok = yes[bool(doc.get("clock_ok", False))]
    start_s = start.isoformat(timespec="seconds")
    minutes = round(float(doc.get("listened_s") or 0) / 60.0, 1)
    plays = doc.get("plays") or []
    day_s = day.isoformat()
    sid = str(doc.get("session_id"))
    zone = start.tzinfo  # the session's local offset (a session does not straddle a clock change)
    rids = [str(r) for r in doc.get("resident_ids") or []]
    tail: list[tuple[Any, ...]] | None = None
    for rid in rids:
        who = label(rid)
        srow = (
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
            len(rids),
            doc.get("kiosk_id", ""),
            zone_label,
            *_observed_cells((observed or {}).get(sid, []), rid),
        )
        if tail is None:
            tail = [
                (
                    *_play_time(p.get("at"), zone, day_s),
                    ok,
                    p.get("song_id", ""),
                    p.get("title", ""),
                    p.get("artist", ""),
                    p.get("decade", ""),
                    p.get("outcome", ""),
                    p.get("listened_s", 0),
                    yes[bool(p.get("liked"))],
                    yes[p.get("intro") is True],
                )
                for p in plays
            ]
        yield rid, day, srow, [(sid, who, *t) for t in tail]


def write_csv(
    path: Path,
    sessions: Iterable[Mapping[str, Any]],
    period: Period,
    *,
    label: Callable[[str], str],
    staff_id: Callable[[str], str],
    only: set[str] | None = None,
    tz: tzinfo | None = None,
    observations: Iterable[Mapping[str, Any]] = (),
    zone: str = "",
) -> tuple[int, int]:
    """Write both files from full rollups; returns (session rows, play rows)."""
    observed = forms_by_session(observations)
    n_sessions = n_plays = 0
    with _open(path) as sfh, _open(plays_path(path)) as pfh:
        sw = csv_writer(sfh)
        pw = csv_writer(pfh)
        sw.writerow(SESSION_COLUMNS)
        pw.writerow(PLAY_COLUMNS)
        for doc in sessions:
            for rid, day, srow, prows in _rows(doc, tz, label, staff_id, observed, zone):
                if not period.contains(day) or (only is not None and rid not in only):
                    continue
                sw.writerow(srow)
                pw.writerows(prows)
                n_sessions += 1
                n_plays += len(prows)
    return n_sessions, n_plays


# ---- cached month fragments -------------------------------------------------------------------------------
# A year's CSV is ~650k rows: formatting them is seconds of Python. Each month's rows are kept (in
# <data>/report-cache/csv-rollups-YYYY-MM.json) as CSV text per resident and local day, with markers where the
# resident's label and staff id go (so the cache holds no names: an erased resident's rows show a code). An
# export then only filters days and pastes labels in. Remade when the month's store or the time zone changes.
CSV_CACHE_VERSION = 6  # 2: formula cells escaped; 3-4: time zone, observation columns; 5: plays' introduced;
# 6: each fragment carries its row counts (an export no longer counts line ends: -15 % of a warm export)
LABEL_MARK, STAFF_MARK = "\x1eL\x1e", "\x1eS\x1e"


def _cell(value: str) -> str:
    buf = io.StringIO()
    csv_writer(buf, lineterminator="").writerow([value])
    return buf.getvalue()


def _tz_key(name: str, tz: tzinfo | None) -> list[int]:
    year, month = int(name[8:12]), int(name[13:15])
    out, d = [], datetime(year, month, 1, 12, tzinfo=UTC)
    while d.month == month:
        off = d.astimezone(tz).utcoffset()
        out.append(int(off.total_seconds()) if off is not None else 0)
        d += timedelta(days=1)
    return out


def month_fragments(
    docs: Iterable[Mapping[str, Any]],
    tz: tzinfo | None,
    observations: Iterable[Mapping[str, Any]] = (),
    zone: str = "",
) -> dict[str, dict[str, list[Any]]]:
    """resident_id -> local day -> [session rows, play rows, how many session rows, how many play rows]
    (CSV text with the label/staff markers)."""
    bufs: dict[tuple[str, str], tuple[io.StringIO, io.StringIO]] = {}
    counts: dict[tuple[str, str], list[int]] = {}
    observed = forms_by_session(observations)
    for doc in docs:
        for rid, day, srow, prows in _rows(
            doc, tz, lambda _r: LABEL_MARK, lambda _r: STAFF_MARK, observed, zone
        ):
            key = (rid, day.isoformat())
            pair = bufs.get(key)
            if pair is None:
                pair = bufs[key] = (io.StringIO(), io.StringIO())
                counts[key] = [0, 0]
            csv_writer(pair[0]).writerow(srow)
            csv_writer(pair[1]).writerows(prows)
            counts[key][0] += 1
            counts[key][1] += len(prows)
    out: dict[str, dict[str, list[Any]]] = {}
    for (rid, day_iso), (sbuf, pbuf) in bufs.items():
        out.setdefault(rid, {})[day_iso] = [sbuf.getvalue(), pbuf.getvalue(), *counts[(rid, day_iso)]]
    return out


def write_csv_from_store(
    path: Path,
    data: Any,
    period: Period,
    *,
    label: Callable[[str], str],
    staff_id: Callable[[str], str],
    only: set[str] | None = None,
    tz: tzinfo | None = None,
    zone: str = "",
) -> tuple[int, int]:
    """Write both files from the data folder's monthly rollups through the month fragment cache.
    ``zone``: the local time zone's name, written on every session row (the times are in it)."""
    from kiosk.adapters.atomic import atomic_write_bytes
    from kiosk.adapters.report_source import keep_owner
    from kiosk.adapters.rollups import RollupStore, month_stamp

    wide = (period.start - timedelta(days=1), period.end + timedelta(days=1))
    lo, hi = period.start.isoformat(), period.end.isoformat()
    folder = data.root / "report-cache"
    n_sessions = n_plays = 0
    cells: dict[str, tuple[str, str]] = {}
    with _open(path) as sfh, _open(plays_path(path)) as pfh:
        csv_writer(sfh).writerow(SESSION_COLUMNS)
        csv_writer(pfh).writerow(PLAY_COLUMNS)
        for name in RollupStore(data).months(*wide):
            key = [CSV_CACHE_VERSION, *month_stamp(data, name), zone, *_tz_key(name, tz)]
            cache = folder / f"csv-{name}.json"
            frags = None
            try:
                doc = json.loads(cache.read_bytes())
                if doc.get("key") == key:
                    frags = doc["rows"]
            except (OSError, ValueError, KeyError):
                pass
            if frags is None:
                db = data.read(name)
                frags = month_fragments(db.table("sessions").all(), tz, db.table("observations").all(), zone)
                try:
                    folder.mkdir(mode=0o700, exist_ok=True)
                    atomic_write_bytes(cache, json.dumps({"key": key, "rows": frags}).encode("utf-8"))
                    keep_owner(data, folder, cache)
                except OSError:
                    pass  # a read-only data folder: same output, not cached
            days = sorted({d for per in frags.values() for d in per if lo <= d <= hi})
            for day in days:
                for rid in sorted(frags, key=label):
                    if only is not None and rid not in only:
                        continue
                    chunk = frags[rid].get(day)
                    if not chunk:
                        continue
                    if rid not in cells:
                        cells[rid] = (_cell(label(rid)), _cell(staff_id(rid)))
                    who, staff = cells[rid]
                    srows = chunk[0].replace(LABEL_MARK, who).replace(STAFF_MARK, staff)
                    prows = chunk[1].replace(LABEL_MARK, who)
                    sfh.write(srows)
                    pfh.write(prows)
                    n_sessions += chunk[2]
                    n_plays += chunk[3]
    return n_sessions, n_plays
