""" "What works" for one resident: plain sentences a coordinator can paste into a care plan, each backed by its
numbers (:class:`~kiosk.domain.report_model.Finding`). Pure: figures in, sentences out.

Inputs: the resident's figures for the report's period and for the period before it (same length), the profile
change history in the period, their schedule and the calm-ahead proposal. The sentences describe what was
observed (listening time, songs heard to the end, likes, reactions staff saw); they never claim a clinical
effect. Observation scales a person left unset are missing (never 50); 50s from the first form, which saved
untouched sliders as 50, are left out of averages and counted apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from kiosk.domain.calm_ahead import Proposal, clock_text
from kiosk.domain.events import OBSERVATION_SCALES
from kiosk.domain.modes import mode_word
from kiosk.domain.report_model import Finding, Period, ResidentFigures, SongStat

MIN_SLOT_SESSIONS = 2  # a mode and time of day needs this many sessions before it is named
GAP_DAYS = 5  # a stretch without music this long (or longer) is mentioned
SONGS_NAMED = 3
# Times of day (local hours, start included): the words a care plan uses
DAY_PARTS = (
    (6, 12, "in the morning"),
    (12, 15, "in the early afternoon"),
    (15, 18, "in the late afternoon"),
    (18, 22, "in the evening"),
)
FIELD_WORDS = {
    "favourite_songs": "favourite songs",
    "favourite_artists": "favourite artists",
    "favourite_genres": "favourite genres",
    "avoid_songs": "songs to avoid",
    "avoid_artists": "artists to avoid",
    "avoid_genres": "genres to avoid",
    "avoid_keywords": "words to avoid",
    "volume_cap_pct": "volume limit",
    "session_minutes": "session length",
    "schedule": "schedule",
    "consent": "consent",
}


def plural(n: int, word: str, many: str | None = None) -> str:
    """``plural(1, "time")`` -> ``"1 time"``; ``plural(3, "time")`` -> ``"3 times"``."""
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def minutes_text(minutes: float) -> str:
    total = int(round(minutes))
    if total < 60:
        return f"{total} min"
    return f"{total // 60} h {total % 60:02d} min"


def day_part(hour: int) -> str:
    for start, end, words in DAY_PARTS:
        if start <= hour < end:
            return words
    return "at night"


def song_name(s: SongStat) -> str:
    title = s.title or s.song_id
    return f"'{title}'" + (f" ({s.artist})" if s.artist else "")


def _date(d: date) -> str:
    return f"{d.day} {d:%b}"


def _works(s: SongStat) -> bool:
    """Liked, a good reaction seen, or heard to the end at least twice and more often than not."""
    return s.likes > 0 or s.positive > 0 or (s.completed >= 2 and 2 * s.completed > s.started)


def _troubles(s: SongStat) -> bool:
    """Stopped in distress, a troubled reaction seen, or skipped at least twice and at least half the time."""
    return s.distress > 0 or s.negative > 0 or (s.skipped >= 2 and 2 * s.skipped >= s.started)


def _good_facts(s: SongStat) -> str:
    facts = []
    if s.completed:
        facts.append(f"heard to the end {s.completed} of {plural(s.started, 'time')}")
    if s.likes:
        facts.append(f"liked {plural(s.likes, 'time')}")
    if s.positive:
        facts.append(f"a good reaction seen {plural(s.positive, 'time')}")
    return ", ".join(facts)


def _bad_facts(s: SongStat) -> str:
    facts = []
    if s.distress:
        facts.append(f"stopped in distress {plural(s.distress, 'time')}")
    if s.skipped:
        facts.append(f"skipped {s.skipped} of {plural(s.started, 'time')}")
    if s.negative:
        facts.append(f"a troubled reaction seen {plural(s.negative, 'time')}")
    return ", ".join(facts)


def best_slot(f: ResidentFigures, name: str) -> Finding | None:
    """The mode and time of day with the longest listening per session (needs MIN_SLOT_SESSIONS)."""
    groups: dict[tuple[str, str], list[float]] = {}
    for (mode, hour), (n, mins) in f.slots.items():
        g = groups.setdefault((mode, day_part(hour)), [0.0, 0.0])
        g[0] += n
        g[1] += mins
    ranked = sorted(
        (
            (mins / n, int(n), mode, part)
            for (mode, part), (n, mins) in groups.items()
            if n >= MIN_SLOT_SESSIONS
        ),
        key=lambda t: (-t[0], -t[1], t[2], t[3]),
    )
    if not ranked:
        return None
    avg, n, mode, part = ranked[0]
    word = mode_word(mode) if mode not in ("", "unknown") else "Music"
    text = (
        f"{word} {part} held {name}'s attention longest: {minutes_text(avg)} of music per session on "
        f"average ({plural(n, 'session')})"
    )
    numbers: list[tuple[str, float | int | str]] = [
        ("mode", mode),
        ("avg_min", round(avg, 1)),
        ("sessions", n),
    ]
    rest_n = sum(g[0] for k, g in groups.items() if k != (mode, part))
    rest_m = sum(g[1] for k, g in groups.items() if k != (mode, part))
    if rest_n:
        text += f"; other times {minutes_text(rest_m / rest_n)} ({plural(int(rest_n), 'session')})"
        numbers.append(("other_avg_min", round(rest_m / rest_n, 1)))
    return Finding("mode_time", text + ".", tuple(numbers))


def song_findings(f: ResidentFigures, name: str) -> list[Finding]:
    works = {s.song_id for s in f.songs if _works(s)}
    review = {s.song_id for s in f.songs if _troubles(s)}
    both = works & review
    out = []
    good = sorted(
        (s for s in f.songs if s.song_id in works and s.song_id not in both),
        key=lambda s: (-s.score, -s.likes, s.title),
    )
    if good:
        named = good[:SONGS_NAMED]
        out.append(
            Finding(
                "works",
                f"Songs that work for {name}: "
                + "; ".join(f"{song_name(s)}, {_good_facts(s)}" for s in named)
                + (f" (and {plural(len(good) - len(named), 'more song')})" if len(good) > len(named) else "")
                + ".",
                tuple((s.song_id, s.score) for s in named),
            )
        )
    bad = sorted(
        (s for s in f.songs if s.song_id in review and s.song_id not in both),
        key=lambda s: (-s.distress, -s.negative, -s.skipped, s.title),
    )
    if bad:
        named = bad[:SONGS_NAMED]
        out.append(
            Finding(
                "review",
                "Songs to review: "
                + "; ".join(f"{song_name(s)}, {_bad_facts(s)}" for s in named)
                + (f" (and {plural(len(bad) - len(named), 'more song')})" if len(bad) > len(named) else "")
                + ".",
                tuple((s.song_id, s.distress) for s in named),
            )
        )
    mixed = sorted(
        (s for s in f.songs if s.song_id in both),
        key=lambda s: (-s.distress, -s.negative, -s.skipped, s.title),
    )
    for s in mixed[:SONGS_NAMED]:
        out.append(
            Finding(
                "both",
                f"{song_name(s)} is in both lists: {_good_facts(s)}, but {_bad_facts(s)}. Watch {name} when it "
                f"plays and ask the family what it means to {name}; if it upsets {name} again, put it on the "
                "avoid list.",
                (("song", s.song_id), ("likes", s.likes), ("distress", s.distress), ("skipped", s.skipped)),
            )
        )
    if len(mixed) > SONGS_NAMED:
        rest = len(mixed) - SONGS_NAMED
        out.append(
            Finding(
                "both",
                f"{plural(rest, 'more song')} {'is' if rest == 1 else 'are'} in both lists (see the songs below "
                "and the CSV export).",
                (("more", rest),),
            )
        )
    return out


def _share(completed: int, started: int) -> int:
    return round(100 * completed / started) if started else 0


def trend(f: ResidentFigures, prev: ResidentFigures | None, prev_period: Period) -> Finding:
    """Listening time, share heard to the end and likes, against the period before."""
    span = f"{_date(prev_period.start)} to {_date(prev_period.end)}"
    if prev is None or prev.sessions == 0:
        return Finding(
            "trend",
            f"No music in the {plural(prev_period.days, 'day')} before ({span}) to compare with.",
            (("minutes", round(f.minutes, 1)), ("previous_minutes", 0)),
        )
    now_share = _share(f.songs_completed, f.songs_started)
    was_share = _share(prev.songs_completed, prev.songs_started)
    text = (
        f"Compared with the {plural(prev_period.days, 'day')} before ({span}): "
        f"{minutes_text(f.minutes)} of music (was {minutes_text(prev.minutes)}), "
        f"{plural(f.sessions, 'session')} (was {prev.sessions}), "
        f"{now_share}% of songs heard to the end (was {was_share}%), "
        f"{plural(f.songs_liked, 'like')} (was {prev.songs_liked})."
    )
    return Finding(
        "trend",
        text,
        (
            ("minutes", round(f.minutes, 1)),
            ("previous_minutes", round(prev.minutes, 1)),
            ("heard_to_end_pct", now_share),
            ("previous_heard_to_end_pct", was_share),
            ("likes", f.songs_liked),
            ("previous_likes", prev.songs_liked),
        ),
    )


def scale_means(f: ResidentFigures) -> tuple[dict[str, tuple[float, int]], int]:
    """Per scale: (mean, forms) over the forms that set it; and how many old-form 50s were left out."""
    sums: dict[str, list[float]] = {}
    left_out = 0
    for o in f.observations:
        for k, v in o.scales.items():
            if o.maybe_untouched and v == 50:
                left_out += 1
                continue
            cell = sums.setdefault(k, [0.0, 0])
            cell[0] += v
            cell[1] += 1
    return {k: (s / n, int(n)) for k, (s, n) in sums.items() if n}, left_out


def observation_finding(f: ResidentFigures) -> Finding | None:
    forms = [o for o in f.observations]
    if not forms:
        return None
    means, left_out = scale_means(f)
    seen = [k for k in OBSERVATION_SCALES if k in means]
    unset = [k for k in OBSERVATION_SCALES if k not in means]
    text = f"Staff filled in {plural(len(forms), 'observation form')}"
    if seen:
        text += ": " + ", ".join(
            f"{k} {means[k][0]:.0f} of 100 on average ({plural(means[k][1], 'form')})" for k in seen
        )
    if unset:
        text += ("; " if seen else ": ") + ", ".join(unset) + " not recorded"
    reactions = sorted(f.reactions.items(), key=lambda t: (-t[1], t[0]))
    if reactions:
        text += "; seen: " + ", ".join(f"{r.replace('_', ' ')} {plural(n, 'time')}" for r, n in reactions)
    text += "."
    if left_out:
        text += f" {plural(left_out, 'value')} of 50 from the old form left out (it saved untouched scales as 50)."
    numbers = tuple((k, round(means[k][0], 1)) for k in seen)
    return Finding("observations", text, (("forms", len(forms)), *numbers))


def gap(f: ResidentFigures, period: Period, name: str) -> Finding | None:
    """The longest stretch of whole days without music, between sessions or since the last one."""
    days = sorted(f.sessions_by_day)
    if not days:
        return None
    best: tuple[int, date, date] | None = None
    for a, b in zip(days, [*days[1:], period.end + timedelta(days=1)], strict=True):
        n = (b - a).days - 1
        if n >= GAP_DAYS and (best is None or n > best[0]):
            best = (n, a + timedelta(days=1), b - timedelta(days=1))
    if best is None:
        return None
    n, first, last = best
    return Finding(
        "gap",
        f"No music for {name} for {plural(n, 'day')} ({_date(first)} to {_date(last)}).",
        (("days", n), ("from", first.isoformat()), ("to", last.isoformat())),
    )


def changes_finding(
    f: ResidentFigures, prev: ResidentFigures | None, history: Sequence[Mapping[str, Any]]
) -> Finding | None:
    """Changes in this period: profile fields changed, new favourites, new songs to review."""
    parts = []
    for h in history:
        field = str(h.get("field") or "")
        if field in ("profile", "photo", "extra"):
            continue
        when = str(h.get("at") or "")[:10]
        word = FIELD_WORDS.get(field, field.replace("_", " "))
        parts.append(f"{word} {h.get('old')} -> {h.get('new')}" + (f" ({when})" if when else ""))
    before_top = {s.song_id for s in (prev.top_songs if prev else [])}
    before_bad = {s.song_id for s in (prev.songs if prev else []) if _troubles(s)}
    new_top = [s for s in f.top_songs if s.song_id not in before_top and _works(s) and not _troubles(s)]
    new_bad = [s for s in f.songs if _troubles(s) and s.song_id not in before_bad]
    more_bad = len(new_bad) - SONGS_NAMED
    text = []
    if parts:
        text.append("profile changed: " + "; ".join(parts))
    if new_top:
        text.append("new favourites: " + ", ".join(song_name(s) for s in new_top[:SONGS_NAMED]))
    if new_bad:
        text.append(
            "new songs to review: "
            + ", ".join(song_name(s) for s in new_bad[:SONGS_NAMED])
            + (f" and {more_bad} more" if more_bad > 0 else "")
        )
    if not text:
        return None
    sentence = "Since the last period: " + "; ".join(text) + "."
    return Finding(
        "changes",
        sentence,
        (("profile_changes", len(parts)), ("new_top", len(new_top)), ("new_review", len(new_bad))),
    )


def calm_finding(f: ResidentFigures, proposal: Proposal | None, name: str, staff_id: str) -> Finding | None:
    notes = f.restless_notes
    if not notes and proposal is None:
        return None
    days = len({t.date() for t in notes})
    text = (
        f"Staff noted {name} as restless outside music {plural(len(notes), 'time')} ({plural(days, 'day')})"
    )
    if proposal is not None:
        text += (
            f"; {plural(proposal.notes, 'note')} on {plural(proposal.days, 'day')} came around "
            f"{clock_text(proposal.window_start_min)}, so a relax session {proposal.text.removesuffix(' relax')} "
            "is proposed (music offered before that time); accept it on the staff screen or with "
            f'`kiosk residents schedule {staff_id or "ID"} "{proposal.text}"`'
        )
    numbers: tuple[tuple[str, float | int | str], ...] = (("notes", len(notes)), ("days", days))
    if proposal is not None:
        numbers += (("slot", proposal.text),)
    return Finding("calm_ahead", text + ".", numbers)


def what_works(
    f: ResidentFigures,
    prev: ResidentFigures | None,
    period: Period,
    *,
    name: str,
    staff_id: str = "",
    history: Sequence[Mapping[str, Any]] = (),
    proposal: Proposal | None = None,
) -> list[Finding]:
    """The sentences for one resident, most useful first. ``name``: how the sentences call them;
    ``staff_id``: their id in commands (``ID`` when not given, e.g. pseudonymised)."""
    if f.not_recorded:
        return [
            Finding(
                "not_recorded",
                f"Not recorded, by choice: {name} asked for music without records, so there is nothing to "
                "summarise.",
            )
        ]
    prev_period = Period(period.start - timedelta(days=period.days), period.start - timedelta(days=1))
    out: list[Finding] = []
    if f.sessions == 0:
        out.append(Finding("gap", f"No music for {name} in this period.", (("sessions", 0),)))
    found = [
        best_slot(f, name),
        *song_findings(f, name),
        trend(f, prev, prev_period) if f.sessions else None,
        observation_finding(f),
        gap(f, period, name),
        calm_finding(f, proposal, name, staff_id),
        changes_finding(f, prev, history),
    ]
    out += [x for x in found if x is not None]
    return out
