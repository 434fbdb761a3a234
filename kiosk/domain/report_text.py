"""Plain-text wording of a report: the terminal summary, and the text blocks of the PDF pages."""

from __future__ import annotations

from kiosk.domain.events import OBSERVATION_SCALES
from kiosk.domain.insight import minutes_text, plural
from kiosk.domain.modes import mode_word
from kiosk.domain.report import WEEKDAYS, HomeFigures, Report, ResidentFigures, SongStat
from kiosk.domain.report_play_along import play_along_lines
from kiosk.domain.report_voice import intro_lines

__all__ = ["minutes_text", "plural", "summary_text", "home_lines", "resident_lines", "what_works_lines"]

NOT_RECORDED = "not recorded, by choice"
SONG_COUNTS_NOTE = (
    "(ranked by likes, songs heard to the end, replays and good reactions staff saw, less skips, troubled "
    "reactions and distress stops)"
)


def song_text(s: SongStat) -> str:
    return s.title + (f" - {s.artist}" if s.artist else "") if s.title else s.song_id


def hour_text(hour: int) -> str:
    return f"{hour:02d}:00-{(hour + 1) % 24:02d}:00"


def period_line(home: HomeFigures) -> str:
    p = home.period
    zone = f"; times are local, {home.time_zone}" if home.time_zone else "; times are local"
    return (
        f"Period: {p.start.day} {p.start:%B %Y} to {p.end.day} {p.end:%B %Y} ({plural(p.days, 'day')}){zone}"
    )


def home_lines(home: HomeFigures, names: dict[str, str] | None = None) -> list[str]:
    """The home's figures. ``names``: resident id -> label, for those not recorded by choice."""
    lines = [
        period_line(home),
        f"Residents who listened: {home.residents_active} of {home.residents_known} known",
        f"Sessions: {home.sessions}   Music played: {minutes_text(home.minutes)}",
        *play_along_lines(home.play_along, resident=False),  # beside listening
    ]
    if home.busiest_hours:
        lines.append(
            "Busiest hours: "
            + ", ".join(f"{hour_text(h)} ({minutes_text(m)})" for h, m in home.busiest_hours)
        )
    if home.untrusted_sessions:
        lines.append(
            f"Clock not reliable: {plural(home.untrusted_sessions, 'session')} "
            f"({minutes_text(home.untrusted_minutes)}) counted in totals but left out of the day and "
            "time-of-day charts."
        )
    lines += intro_lines(home.intros)
    lines.append(
        f"No session in the last {plural(home.idle_days, 'day')}: {plural(len(home.idle_residents), 'resident')}"
    )
    for _rid, label, last in home.idle_residents:
        lines.append(f"  - {label}: last session {last.isoformat() if last else 'none on record'}")
    if home.not_recorded:
        who = sorted((names or {}).get(r, "") for r in home.not_recorded)
        shown = ", ".join(w for w in who if w) or plural(len(home.not_recorded), "resident")
        lines.append(f"Music {NOT_RECORDED}: {shown}")
    if home.most_loved:
        lines.append("Most loved songs:")
        for s in home.most_loved:
            lines.append(
                f"  - {song_text(s)}: {plural(s.likes, 'like')}, heard to the end {plural(s.completed, 'time')}"
            )
    return lines


def what_works_lines(f: ResidentFigures) -> list[str]:
    """The resident's "what works" sentences as bullet lines."""
    return [f"- {x.text}" for x in f.what_works]


def _mode_word(mode: str) -> str:
    return "mode not recorded" if mode in ("", "unknown") else mode_word(mode)


def resident_lines(f: ResidentFigures, *, notes: bool = True, what_works: bool = True) -> list[str]:
    """One resident: the "what works" sentences, then the figures. ``notes``: include staff's free-text
    before/after notes (off when sharing)."""
    lines: list[str] = []
    if f.not_recorded:
        return [f"Music {NOT_RECORDED}: nothing about this resident is recorded or shown."]
    if what_works and f.what_works:
        lines += ["What works:", *what_works_lines(f), ""]
    lines += [
        "Figures:",
        f"Sessions: {f.sessions}   Music played: {minutes_text(f.minutes)}"
        + (f"   Last session: {f.last_session.isoformat()}" if f.last_session else ""),
        f"Songs: {f.songs_started} started, {f.songs_completed} heard to the end, {f.songs_skipped} skipped, "
        f"{f.songs_liked} liked, {f.songs_distress} stopped in distress",
        *play_along_lines(f.play_along, resident=True),  # beside listening
    ]
    if f.untrusted_sessions:
        lines.append(
            f"Clock not reliable: {plural(f.untrusted_sessions, 'session')} ({minutes_text(f.untrusted_minutes)}), "
            "not in the time charts"
        )
    if f.modes:
        lines.append(
            "Modes: "
            + ", ".join(
                f"{_mode_word(m)} {plural(n, 'session')}"
                for m, n in sorted(f.modes.items(), key=lambda t: -t[1])
            )
        )
    if f.decades:
        lines.append(
            "Decades: "
            + ", ".join(
                f"{'decade not known' if d == 'unknown' else d} {plural(n, 'song')}"
                for d, n in sorted(f.decades.items())
            )
        )
    hours = sorted(range(24), key=lambda h: -f.minutes_by_hour[h])
    if f.minutes_by_hour[hours[0]] > 0:
        lines.append("Usual times: " + ", ".join(hour_text(h) for h in hours[:3] if f.minutes_by_hour[h] > 0))
    lines += intro_lines(f.intros)
    if f.top_songs:
        lines.append("Songs that work best " + SONG_COUNTS_NOTE + ":")
        lines += [
            f"  - {song_text(s)}: {plural(s.likes, 'like')}, heard to the end {s.completed} of "
            f"{plural(s.started, 'time')}"
            + (f", {plural(s.positive, 'good reaction')}" if s.positive else "")
            for s in f.top_songs
        ]
    if f.troubled_songs:
        lines.append("Songs skipped or stopped in distress:")
        lines += [
            f"  - {song_text(s)}: stopped in distress {plural(s.distress, 'time')}, skipped {plural(s.skipped, 'time')}"
            for s in f.troubled_songs
        ]
    if f.observations:
        lines.append(f"Staff observations: {plural(len(f.observations), 'form')}")
        old_forms = sum(1 for o in f.observations if o.maybe_untouched)
        if old_forms:
            lines.append(
                f"  {old_forms} of them from the old form, where a scale nobody moved was saved as 50: "
                "read their 50s with care"
            )
        change = f.scale_change()
        if change:
            lines.append(
                "  Earlier -> later: "
                + ", ".join(
                    f"{k} {a:.0f}->{b:.0f}" for k, (a, b) in change.items() if k in OBSERVATION_SCALES
                )
            )
        if f.reactions:
            lines.append(
                "  Reactions seen: "
                + ", ".join(
                    f"{r.replace('_', ' ')} {n}" for r, n in sorted(f.reactions.items(), key=lambda t: -t[1])
                )
            )
        if notes:
            for ob in f.observations:
                if ob.before or ob.after:
                    lines.append(f"  {ob.at:%Y-%m-%d}: before: {ob.before or '-'}; after: {ob.after or '-'}")
    if f.avoid_changes:
        lines.append("Avoid-list changes:")
        lines += [f"  {a.at:%Y-%m-%d} {a.action}: {a.song}" for a in f.avoid_changes]
    return lines


def heatmap_peak(cells: list[list[float]]) -> str:
    best = max(((d, h) for d in range(7) for h in range(24)), key=lambda t: cells[t[0]][t[1]])
    if cells[best[0]][best[1]] <= 0:
        return ""
    return f"{WEEKDAYS[best[0]]} {hour_text(best[1])}"


def summary_text(
    report: Report,
    *,
    notes: bool = True,
    title: str = "Encore engagement report",
    one_resident: bool = False,
    names: dict[str, str] | None = None,
) -> str:
    """The terminal summary. ``one_resident``: only the period and that resident (no home figures, nobody
    else named)."""
    out = [title, "=" * len(title)]
    out += [period_line(report.home)] if one_resident else home_lines(report.home, names)
    for f in report.residents:
        out += ["", f.label, "-" * len(f.label), *resident_lines(f, notes=notes)]
    return "\n".join(out) + "\n"
