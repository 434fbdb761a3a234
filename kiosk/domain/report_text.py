"""Plain-text wording of a report: the terminal summary, and the text blocks of the PDF pages."""

from __future__ import annotations

from kiosk.domain.events import OBSERVATION_SCALES
from kiosk.domain.report import WEEKDAYS, HomeFigures, Report, ResidentFigures, SongStat
from kiosk.domain.report_voice import intro_lines


def minutes_text(minutes: float) -> str:
    """``95.4`` -> ``"1 h 35 min"``; ``12.2`` -> ``"12 min"``."""
    total = int(round(minutes))
    if total < 60:
        return f"{total} min"
    return f"{total // 60} h {total % 60:02d} min"


def plural(n: int, word: str) -> str:
    """``plural(1, "session")`` -> ``"1 session"``; ``plural(2, "session")`` -> ``"2 sessions"``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def song_text(s: SongStat) -> str:
    return s.title + (f" - {s.artist}" if s.artist else "") if s.title else s.song_id


def hour_text(hour: int) -> str:
    return f"{hour:02d}:00-{(hour + 1) % 24:02d}:00"


def home_lines(home: HomeFigures) -> list[str]:
    p = home.period
    lines = [
        f"Period: {p.start.isoformat()} to {p.end.isoformat()} ({p.days} days)",
        f"Residents who listened: {home.residents_active} of {home.residents_known} known",
        f"Sessions: {home.sessions}   Music played: {minutes_text(home.minutes)}",
    ]
    if home.busiest_hours:
        lines.append(
            "Busiest hours: "
            + ", ".join(f"{hour_text(h)} ({minutes_text(m)})" for h, m in home.busiest_hours)
        )
    if home.untrusted_sessions:
        lines.append(
            f"Clock not reliable: {plural(home.untrusted_sessions, 'session')} ({minutes_text(home.untrusted_minutes)}) "
            "are counted in totals but left out of the day and time-of-day charts."
        )
    lines += intro_lines(home.intros)
    lines.append(f"No session in the last {home.idle_days} days: {len(home.idle_residents)} resident(s)")
    for _rid, label, last in home.idle_residents:
        lines.append(f"  - {label}: last session {last.isoformat() if last else 'none on record'}")
    if home.most_loved:
        lines.append("Most loved songs (likes, completed plays):")
        for s in home.most_loved:
            lines.append(f"  - {song_text(s)}: {s.likes} likes, {s.completed} completed")
    return lines


def resident_lines(f: ResidentFigures, *, notes: bool = True) -> list[str]:
    """The figures of one resident. ``notes``: include staff's free-text before/after notes (off when sharing)."""
    lines = [
        f"Sessions: {f.sessions}   Music played: {minutes_text(f.minutes)}"
        + (f"   Last session: {f.last_session.isoformat()}" if f.last_session else ""),
        f"Songs: {f.songs_started} started, {f.songs_completed} completed, {f.songs_skipped} skipped, "
        f"{f.songs_liked} liked, {f.songs_distress} stopped in distress",
    ]
    if f.untrusted_sessions:
        lines.append(
            f"Clock not reliable: {plural(f.untrusted_sessions, 'session')} ({minutes_text(f.untrusted_minutes)}), "
            "not in the time charts"
        )
    if f.modes:
        lines.append(
            "Modes: " + ", ".join(f"{m} {n}" for m, n in sorted(f.modes.items(), key=lambda t: -t[1]))
        )
    if f.decades:
        lines.append("Decades: " + ", ".join(f"{d} {n}" for d, n in sorted(f.decades.items())))
    hours = sorted(range(24), key=lambda h: -f.minutes_by_hour[h])
    if f.minutes_by_hour[hours[0]] > 0:
        lines.append("Usual times: " + ", ".join(hour_text(h) for h in hours[:3] if f.minutes_by_hour[h] > 0))
    lines += intro_lines(f.intros)
    if f.top_songs:
        lines.append("Songs that work best (engagement score):")
        lines += [
            f"  {s.score:>4}  {song_text(s)} ({s.likes} likes, {s.completed} completed)" for s in f.top_songs
        ]
    if f.troubled_songs:
        lines.append("Songs skipped or stopped in distress:")
        lines += [f"  - {song_text(s)}: {s.distress} distress, {s.skipped} skipped" for s in f.troubled_songs]
    if f.observations:
        lines.append(f"Staff observations: {len(f.observations)}")
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


def summary_text(report: Report, *, notes: bool = True, title: str = "Encore engagement report") -> str:
    out = [title, "=" * len(title), *home_lines(report.home)]
    for f in report.residents:
        out += ["", f.label, "-" * len(f.label), *resident_lines(f, notes=notes)]
    return "\n".join(out) + "\n"
