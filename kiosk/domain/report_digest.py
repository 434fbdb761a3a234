"""Month digests: a month of rollups boiled down so a long report never re-reads every play.

:func:`month_digest` makes one (the adapter caches it per month); :func:`kiosk.domain.report.build_report`
reads digests and full rollups alike, through the ``_add_*`` helpers here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, tzinfo
from typing import Any

from kiosk.domain.report_model import HomeFigures, Period, ResidentFigures, _minutes, local, week_start
from kiosk.domain.report_voice import add_counts, introduced_counts

SEP = "\x1f"  # joins (song, outcome, liked) into one key in a digest's counts


def play_counts(keys: Sequence[tuple[str, str, bool]]) -> tuple[int, int, int]:
    """(songs started, heard to the end, liked) of a session's play keys (song, outcome, liked)."""
    return len(keys), sum(1 for k in keys if k[1] == "completed"), sum(1 for k in keys if k[2])


def _add_counts(
    doc: Mapping[str, Any],
    home_counts: Counter[str],
    res_counts: dict[str, Counter[str]],
    meta: dict[str, Mapping[str, Any]],
    wanted: set[str] | None,
    fig: Callable[[str], ResidentFigures],
) -> None:
    """Add a digest's play counts (keys "song<SEP>outcome<SEP>0|1"; merged as strings, split once at the end)."""
    rid = doc.get("resident_id")
    if rid is None:
        home_counts.update(doc["counts"])
    elif wanted is None or rid in wanted:
        fig(str(rid))
        res_counts[str(rid)].update(doc["counts"])
    for song, (title, artist, decade) in (doc.get("meta") or {}).items():
        meta.setdefault(song, {"title": title, "artist": artist, "decade": decade})


def _merge_keyed(into: Counter[tuple[str, str, bool]], keyed: Counter[str]) -> None:
    for key, n in keyed.items():
        song, outcome, liked = key.rsplit(SEP, 2)
        into[(song, outcome, liked == "1")] += n


def _add_agg(
    rows: Iterable[Sequence[Any]],
    home: HomeFigures,
    period: Period,
    last_seen: dict[str, date],
    active: set[str],
    wanted: set[str] | None,
    fig: Callable[[str], ResidentFigures],
) -> None:
    for row in rows:
        rid, day_s, hour, weekday, trusted, mode, n, mins = row[:8]
        plays = row[8:11] if len(row) >= 11 else (0, 0, 0)  # songs started, completed, liked
        day = date.fromisoformat(day_s)
        if trusted and rid and day <= period.end and (rid not in last_seen or last_seen[rid] < day):
            last_seen[rid] = day
        if not period.contains(day):
            continue
        wk = week_start(day)
        if not rid:
            home.sessions += n
            home.minutes += mins
            if trusted:
                home.minutes_by_day[day] = home.minutes_by_day.get(day, 0.0) + mins
                home.minutes_by_week[wk] = home.minutes_by_week.get(wk, 0.0) + mins
                home.minutes_by_hour[hour] += mins
                home.heatmap[weekday][hour] += mins
            else:
                home.untrusted_sessions += n
                home.untrusted_minutes += mins
            continue
        active.add(rid)
        if wanted is not None and rid not in wanted:
            continue
        f = fig(rid)
        f.sessions += n
        f.minutes += mins
        f.modes[mode] = f.modes.get(mode, 0) + n
        if trusted:
            f.sessions_by_day[day] = f.sessions_by_day.get(day, 0) + n
            f.minutes_by_day[day] = f.minutes_by_day.get(day, 0.0) + mins
            f.minutes_by_week[wk] = f.minutes_by_week.get(wk, 0.0) + mins
            f.minutes_by_hour[hour] += mins
            f.heatmap[weekday][hour] += mins
            f.add_slot(mode, hour, n, mins)
            f.add_week_plays(wk, plays[0], plays[1], plays[2])
        else:
            f.untrusted_sessions += n
            f.untrusted_minutes += mins


def month_digest(
    sessions: Iterable[Mapping[str, Any]],
    observed: set[str],
    month: str = "",
    tz: tzinfo | None = None,
) -> list[dict[str, Any]]:
    """A month of rollups boiled down for reports over periods that contain the whole month.

    Each session keeps its time, residents, mode, minutes and clock flag, but not its plays; the plays become
    play counts per (song, outcome, liked), home-wide and per resident, plus one title/artist/decade per song.
    A session keeps its own play keys instead (``keys``, not in the month's counts) when it had a staff
    observation (``observed`` ids: reactions are credited to its songs) or when, in local time, it started
    outside ``month`` ("YYYY-MM": the store is split by UTC month, so near midnight on the first or last
    day a session may belong to the neighbouring month, and :func:`build_report` must be able to leave it
    out on its own), or when it played along (its ``play_along`` detail is kept: those sessions are few).
    The other sessions are summed per (resident or "" for the home, local day, hour, weekday, clock trusted,
    mode): so a digest is only valid for the time zone ``tz`` it was made in.
    :func:`build_report` takes the digest in place of the sessions and gives the same figures, ~10x faster.
    """
    out: list[dict[str, Any]] = []
    agg: dict[tuple[str, str, int, int, bool, str], tuple[int, float, int, int, int]] = {}
    home: Counter[tuple[str, str, bool]] = Counter()
    per: dict[str, Counter[tuple[str, str, bool]]] = defaultdict(Counter)
    meta: dict[str, tuple[str, str, str]] = {}
    home_intro = [0, 0, 0]  # introduced plays: [plays, completed, liked] (report_voice)
    per_intro: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for doc in sessions:
        if not doc.get("started_at"):
            continue  # a damaged rollup: nothing to place in time
        keys = []
        for p in doc.get("plays") or []:
            song = str(p.get("song_id") or p.get("title") or "?")
            keys.append((song, str(p.get("outcome") or ""), bool(p.get("liked"))))
            if song not in meta:
                meta[song] = (
                    str(p.get("title") or ""),
                    str(p.get("artist") or ""),
                    str(p.get("decade") or ""),
                )
        started = local(str(doc["started_at"]), tz)
        intro = introduced_counts(doc.get("plays") or [])
        if (
            str(doc.get("session_id")) in observed
            or (month and started.strftime("%Y-%m") != month)
            or doc.get("play_along")
        ):
            slim = {
                k: doc.get(k)
                for k in ("session_id", "resident_ids", "started_at", "clock_ok", "mode", "listened_s")
            }
            if doc.get("play_along"):
                slim["play_along"] = doc["play_along"]
            slim["keys"] = [list(k) for k in keys]
            if intro:
                slim["intro"] = intro
            out.append(slim)
            continue
        home.update(keys)
        add_counts(home_intro, intro)
        rids = [str(r) for r in doc.get("resident_ids") or []]
        for rid in rids:
            per[rid].update(keys)
            if intro:
                add_counts(per_intro[rid], intro)
        when = (started.date().isoformat(), started.hour, started.weekday(), bool(doc.get("clock_ok", False)))
        mins = _minutes(doc)
        mode = str(doc.get("mode") or "unknown")
        n_started, n_completed, n_liked = play_counts(keys)
        for key in [("", *when, ""), *((rid, *when, mode) for rid in rids)]:
            n, m, s, c, li = agg.get(key, (0, 0.0, 0, 0, 0))
            agg[key] = (n + 1, m + mins, s + n_started, c + n_completed, li + n_liked)
    out.append({"agg": [[*k, *v] for k, v in agg.items()]})

    def keyed(c: Counter[tuple[str, str, bool]]) -> dict[str, int]:
        return {f"{song}{SEP}{outcome}{SEP}{int(liked)}": n for (song, outcome, liked), n in c.items()}

    out.append({"counts": keyed(home), "meta": {k: list(v) for k, v in meta.items()}, "intro": home_intro})
    out += [{"resident_id": rid, "counts": keyed(c), "intro": per_intro.get(rid)} for rid, c in per.items()]
    return out
