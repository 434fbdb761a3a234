"""Engagement figures for coordinators, computed from session rollups (pure: no I/O, no charts).

Inputs are the rollup documents (:data:`kiosk.domain.events.ROLLUP_KEYS`), the staff observation documents
and the ``avoid_change`` events; outputs are plain dataclasses the text, CSV, PDF and chart writers share.

Times are stored in UTC; every day, week, weekday and hour here is LOCAL time (``tz``; ``None`` = the system's
local time). A session whose ``clock_ok`` is false has an unreliable time: it counts in totals (sessions, minutes,
songs) but never in the per-day, per-week and time-of-day figures, and it is counted apart (``untrusted_*``).

Engagement score of a song for a resident (higher = the song works for them), documented for coordinators in
docs/guide/reports.md::

    score = 3 x likes + 2 x completed plays + 1 x replays + 1 x positive reactions
            - 1 x skips - 2 x negative reactions - 5 x distress stops

``replays`` = plays after the first. Staff reactions come from the observation form: positive ones (smiled,
sang, tapped, moved, talked_memories, calm) and negative ones (restless, tearful, distressed) count for the
song the form names (``song_id``), else for every song of that session that was completed or liked.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta, tzinfo
from operator import itemgetter
from typing import Any

from kiosk.domain.events import OBSERVATION_SCALES, RESTLESS_NOW, SongOutcome, observation_maybe_untouched
from kiosk.domain.report_digest import SEP, _add_agg, _add_counts, _merge_keyed, month_digest, play_counts
from kiosk.domain.report_model import (
    NEGATIVE_REACTIONS,
    POSITIVE_REACTIONS,
    TOP_N,
    WEEKDAYS,
    AvoidChange,
    HomeFigures,
    ObservationPoint,
    Period,
    Report,
    ResidentFigures,
    SongStat,
    _int,
    _minutes,
    local,
    parse_time,
    pseudonym,
    week_start,
)
from kiosk.domain.report_voice import add_counts, comparison, introduced_counts, totals_of

__all__ = [
    "NEGATIVE_REACTIONS",
    "OBSERVATION_SCALES",
    "POSITIVE_REACTIONS",
    "SEP",
    "TOP_N",
    "WEEKDAYS",
    "AvoidChange",
    "HomeFigures",
    "ObservationPoint",
    "Period",
    "Report",
    "ResidentFigures",
    "SongStat",
    "build_report",
    "local",
    "month_digest",
    "parse_time",
    "pseudonym",
    "week_start",
]


def build_report(
    sessions: Iterable[Mapping[str, Any]],
    period: Period,
    *,
    labels: Mapping[str, str],
    observations: Iterable[Mapping[str, Any]] = (),
    avoid_changes: Iterable[Mapping[str, Any]] = (),
    tz: tzinfo | None = None,
    idle_days: int = 7,
    only: Sequence[str] | None = None,
    label_unknown: Callable[[str], str] | None = None,
    not_recorded: Iterable[str] = (),
) -> Report:
    """Every figure of a report. ``labels``: resident_id -> name or code, for the residents the home knows
    (those not seen lately are listed as idle). ``only``: restrict the per-resident pages to these ids.
    ``label_unknown(resident_id)`` labels ids the home no longer knows (default: the id's first 8 chars).

    ``not_recorded``: residents with consent "no" (nothing recorded about them, by their choice); when they
    are among ``only`` they get a page that says so.

    ``sessions`` may include sessions before ``period`` (up to ``idle_days`` before its end): they only count
    towards "last session" for the idle list.
    """
    home = HomeFigures(period=period, idle_days=idle_days)
    res: dict[str, ResidentFigures] = {}
    last_seen: dict[str, date] = {}
    active: set[str] = set()
    wanted = set(only) if only is not None else None
    obs_list = sorted(observations, key=lambda o: str(o.get("at") or ""))
    observed = {str(o.get("session_id")) for o in obs_list}
    # Plays are counted in C (Counter over (song, outcome, liked) keys), not one Python step per play: a year
    # is ~650k plays. ``meta`` keeps one play per song for its title, artist and decade.
    home_counts: Counter[tuple[str, str, bool]] = Counter()
    res_counts: dict[str, Counter[tuple[str, str, bool]]] = defaultdict(Counter)
    meta: dict[str, Mapping[str, Any]] = {}
    home_keyed: Counter[str] = Counter()  # digests' counts, merged as joined strings (fast), split at the end
    res_keyed: dict[str, Counter[str]] = defaultdict(Counter)
    session_songs: dict[
        str, list[tuple[str, str, bool, bool]]
    ] = {}  # session -> (resident, song, done, liked)
    fast = itemgetter("song_id", "outcome", "liked")
    song_of = itemgetter("song_id")

    def keys_of(plays: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, bool]]:
        try:
            keys = list(map(fast, plays))
            meta.update(zip(map(song_of, plays), plays, strict=True))
        except (KeyError, TypeError):  # a rollup missing keys: the slow, careful way
            keys = []
            for p in plays:
                song = str(p.get("song_id") or p.get("title") or "?")
                keys.append((song, str(p.get("outcome") or ""), bool(p.get("liked"))))
                meta.setdefault(song, p)
        return keys

    def fig(rid: str) -> ResidentFigures:
        f = res.get(rid)
        if f is None:
            name = labels.get(rid)
            if name is None:
                name = label_unknown(rid) if label_unknown else f"unknown {rid[:8]}"
            f = res[rid] = ResidentFigures(rid, name)
        return f

    home_intro = [0, 0, 0]  # introduced plays [plays, completed, liked]: see report_voice
    res_intro: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for doc in sessions:
        if "counts" in doc:  # a cached month's play counts (see month_digest)
            _add_counts(doc, home_keyed, res_keyed, meta, wanted, fig)
            rid = doc.get("resident_id")
            add_counts(home_intro if rid is None else res_intro[str(rid)], doc.get("intro"))
            continue
        if "agg" in doc:  # a cached month's sessions, summed (see month_digest)
            _add_agg(doc["agg"], home, period, last_seen, active, wanted, fig)
            continue
        if not doc.get("started_at"):
            continue  # a damaged rollup: nothing to place in time
        started = local(str(doc["started_at"]), tz)
        day = started.date()
        trusted = bool(doc.get("clock_ok", False))
        rids = [str(r) for r in doc.get("resident_ids") or []]
        if trusted:
            for rid in rids:
                if day <= period.end and (rid not in last_seen or last_seen[rid] < day):
                    last_seen[rid] = day
        if not period.contains(day):
            continue
        mins = _minutes(doc)
        home.sessions += 1
        home.minutes += mins
        active.update(rids)
        wk = week_start(day)
        hour, weekday = started.hour, started.weekday()
        if trusted:
            home.minutes_by_day[day] = home.minutes_by_day.get(day, 0.0) + mins
            home.minutes_by_week[wk] = home.minutes_by_week.get(wk, 0.0) + mins
            home.minutes_by_hour[hour] += mins
            home.heatmap[weekday][hour] += mins
        else:
            home.untrusted_sessions += 1
            home.untrusted_minutes += mins
        keys: list[tuple[str, str, bool]] = []
        if "keys" in doc:  # a digest's session that kept its play keys
            keys = [(str(k[0]), str(k[1]), bool(k[2])) for k in doc["keys"]]
        elif doc.get("plays"):  # a full rollup (a digest's other sessions have their plays in the counts)
            keys = keys_of(doc["plays"])
        if keys:
            home_counts.update(keys)
        intro = doc.get("intro") if "keys" in doc else introduced_counts(doc.get("plays") or [])
        add_counts(home_intro, intro)
        sid = str(doc.get("session_id"))
        mode = str(doc.get("mode") or "unknown")
        played_along = doc.get("play_along")
        if isinstance(played_along, Mapping):
            home.play_along.add(played_along, day if trusted else None)
            if len(rids) == 1 and (wanted is None or rids[0] in wanted):  # a group's presses are nobody's own
                fig(rids[0]).play_along.add(played_along, day if trusted else None)
        for rid in rids:
            if wanted is not None and rid not in wanted:
                continue
            f = fig(rid)
            f.sessions += 1
            f.minutes += mins
            f.modes[mode] = f.modes.get(mode, 0) + 1
            if trusted:
                f.sessions_by_day[day] = f.sessions_by_day.get(day, 0) + 1
                f.minutes_by_day[day] = f.minutes_by_day.get(day, 0.0) + mins
                f.minutes_by_week[wk] = f.minutes_by_week.get(wk, 0.0) + mins
                f.minutes_by_hour[hour] += mins
                f.heatmap[weekday][hour] += mins
                f.add_slot(mode, hour, 1, mins)
                if keys:
                    f.add_week_plays(wk, *play_counts(keys))
                else:
                    f.add_week_plays(
                        wk,
                        _int(doc.get("songs_started")),
                        _int(doc.get("songs_completed")),
                        _int(doc.get("likes")),
                    )
            else:
                f.untrusted_sessions += 1
                f.untrusted_minutes += mins
            if keys:
                res_counts[rid].update(keys)
            if intro:
                add_counts(res_intro[rid], intro)
            if sid in observed:
                session_songs.setdefault(sid, []).extend(
                    (rid, song, outcome == SongOutcome.COMPLETED, bool(liked))
                    for song, outcome, liked in keys
                )

    def song_stats(counts: Counter[tuple[str, str, bool]]) -> dict[str, SongStat]:
        out: dict[str, SongStat] = {}
        for (song, outcome, liked), n in counts.items():
            st = out.get(song)
            if st is None:
                m = meta.get(song) or {}
                st = out[song] = SongStat(
                    str(song),
                    str(m.get("title") or ""),
                    str(m.get("artist") or ""),
                    str(m.get("decade") or ""),
                )
            st.started += n
            if outcome == SongOutcome.COMPLETED:
                st.completed += n
            elif outcome == SongOutcome.SKIPPED:
                st.skipped += n
            elif outcome == SongOutcome.DISTRESS:
                st.distress += n
            if liked:
                st.likes += n
        return out

    _merge_keyed(home_counts, home_keyed)
    for rid, keyed in res_keyed.items():
        _merge_keyed(res_counts[rid], keyed)
    home_songs = song_stats(home_counts)
    songs: dict[str, dict[str, SongStat]] = {}
    home.intros = comparison(totals_of(home_counts), home_intro)
    for rid, counts in res_counts.items():
        f = res[rid]
        f.intros = comparison(totals_of(counts), res_intro.get(rid) or ())
        songs[rid] = song_stats(counts)
        for (song, outcome, liked), n in counts.items():
            f.songs_started += n
            if outcome == SongOutcome.COMPLETED:
                f.songs_completed += n
            elif outcome == SongOutcome.SKIPPED:
                f.songs_skipped += n
            elif outcome == SongOutcome.FAILED:
                f.songs_failed += n
            elif outcome == SongOutcome.DISTRESS:
                f.songs_distress += n
            elif outcome == SongOutcome.STOPPED:
                f.songs_stopped += n
            if liked:
                f.songs_liked += n
            dec = str((meta.get(song) or {}).get("decade") or "unknown")
            f.decades[dec] = f.decades.get(dec, 0) + n

    for ob in obs_list:
        at_s = ob.get("at")
        if not at_s:
            continue
        at = local(str(at_s), tz)
        if not period.contains(at.date()):
            continue
        rids = [
            str(r) for r in (ob.get("resident_ids") or ([ob["resident_id"]] if ob.get("resident_id") else []))
        ]
        if ob.get("kind") == RESTLESS_NOW:  # a note outside any session: not a form about music
            for rid in rids:
                if wanted is None or rid in wanted:
                    fig(rid).restless_notes.append(at)
            continue
        reactions = tuple(str(r) for r in ob.get("reactions") or [])
        pos = sum(r in POSITIVE_REACTIONS for r in reactions)
        neg = sum(r in NEGATIVE_REACTIONS for r in reactions)
        scales = {  # a scale not set is missing, never a default
            k: int(v)
            for k, v in (ob.get("scales") or {}).items()
            if k in OBSERVATION_SCALES and v is not None
        }
        untouched = observation_maybe_untouched(ob)
        for rid in rids:
            if wanted is not None and rid not in wanted:
                continue
            f = fig(rid)
            f.observations.append(
                ObservationPoint(
                    at,
                    scales,
                    reactions,
                    str(ob.get("by") or ""),
                    str(ob.get("before") or ""),
                    str(ob.get("after") or ""),
                    maybe_untouched=untouched,
                )
            )
            for r in reactions:
                f.reactions[r] = f.reactions.get(r, 0) + 1
            target_song = ob.get("song_id")
            mine = songs.get(rid, {})
            if target_song:
                targets = {str(target_song)} & set(mine)
            else:
                targets = {
                    song
                    for (who, song, done, liked) in session_songs.get(str(ob.get("session_id")), [])
                    if who == rid and (done or liked)
                }
            for song in targets:
                mine[song].positive += pos
                mine[song].negative += neg
                home_stat = home_songs.get(song)
                if home_stat is not None:
                    home_stat.positive += pos
                    home_stat.negative += neg

    for ev in avoid_changes:
        rid = str(ev.get("resident") or ev.get("resident_id") or "")
        if not rid or (wanted is not None and rid not in wanted) or not ev.get("at"):
            continue
        at = local(str(ev["at"]), tz)
        if not period.contains(at.date()):
            continue
        detail = ev.get("detail") or {}
        song = str(detail.get("song") or ev.get("song") or "")
        known = songs.get(rid, {}).get(song) or home_songs.get(song)
        if known is not None and known.title:
            song = known.title + (f" ({known.artist})" if known.artist else "")
        fig(rid).avoid_changes.append(AvoidChange(at, str(detail.get("action") or ""), song))

    for rid in sorted(wanted or ()):
        fig(rid)  # a one-resident report has its resident's page even without music in the period
    for rid, f in res.items():
        mine = songs.get(rid, {})
        f.songs = sorted(mine.values(), key=lambda s: (s.title, s.song_id))
        f.top_songs = sorted(
            (s for s in mine.values() if s.score > 0), key=lambda s: (-s.score, -s.likes, s.title)
        )[:TOP_N]
        f.troubled_songs = sorted(
            (s for s in mine.values() if s.distress or s.skipped),
            key=lambda s: (-s.distress, -s.skipped, s.title),
        )[:TOP_N]
        f.last_session = last_seen.get(rid)
        f.avoid_changes.sort(key=lambda a: a.at)

    refused = set(not_recorded)
    home.not_recorded = refused & set(labels)
    for rid in sorted(refused):
        if rid in res or (wanted is not None and rid in wanted):
            fig(rid).not_recorded = True
    home.residents_active = len(active)
    home.residents_known = len(labels)
    cutoff = period.end - timedelta(days=idle_days - 1)
    for rid, name in labels.items():
        if rid in refused:
            continue  # listed apart: "not recorded, by choice"
        seen = last_seen.get(rid)
        if seen is None or seen < cutoff:
            home.idle_residents.append((rid, name, seen))
    home.idle_residents.sort(key=lambda t: (t[2] or date.min, t[1]))
    ranked = sorted(range(24), key=lambda h: (-home.minutes_by_hour[h], h))
    home.busiest_hours = [(h, home.minutes_by_hour[h]) for h in ranked[:3] if home.minutes_by_hour[h] > 0]
    home.most_loved = sorted(
        (s for s in home_songs.values() if s.likes or s.completed),
        key=lambda s: (-s.likes, -s.score, s.title),
    )[:10]
    return Report(home, sorted(res.values(), key=lambda f: (f.label.lower(), f.resident_id)))
