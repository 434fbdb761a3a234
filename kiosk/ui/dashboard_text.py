"""The staff screen's dashboard figures in the kiosk's language: labels and headings are translated here, in the
UI, and handed to the staff actions by kiosk/wiring.py (the use case itself never translates)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from kiosk.app.dashboard import DashboardFigures
from kiosk.app.staff_api import Dashboard
from kiosk.ui.i18n import _


def _names(items: Sequence[str], most: int = 3, sep: str = ", ") -> str:
    """At most ``most`` names (then "and N more"); song titles one a line (titles may hold commas)."""
    if not items:
        return "-"
    more = len(items) - most
    return sep.join(items[:most]) + (sep + _("and {n} more").format(n=more) if more > 0 else "")


def _day(d: date) -> str:
    return f"{d.day} {d.strftime('%b')}"


def dashboard_from_figures(
    figures: DashboardFigures, charts: Sequence[Path], period: str, resident_id: str | None
) -> Dashboard:
    """Turn :func:`kiosk.app.dashboard.figures_of` into what the staff screen shows."""
    when = _day(figures.start) if figures.start == figures.end else (
        f"{_day(figures.start)} - {_day(figures.end)}"
    )  # fmt: skip
    one = figures.resident if resident_id else None
    if one is not None:
        heading = f"{one.label or _('This resident')}, {when}"
        pairs = [
            (_("Sessions"), str(one.sessions)),
            (_("Music played"), one.minutes_text),
            (_("Songs liked"), str(one.songs_liked)),
            (_("Songs skipped"), str(one.songs_skipped)),
            (_("Stopped as upsetting"), str(one.songs_distress)),
            (_("Favourite songs"), _names(one.top_songs, sep="\n")),
        ]
    else:
        heading = f"{_('Whole home')}, {when}"
        pairs = [
            (_("Sessions"), str(figures.sessions)),
            (_("Music played"), figures.minutes_text),
            (_("Residents who listened"), str(figures.residents_active)),
            (_("Most loved songs"), _names(figures.most_loved, sep="\n")),
            (_("No music for a week"), _names(figures.not_seen, 4)),
        ]
        if figures.untrusted_sessions:
            pairs.append((_("Sessions with an unsure time"), str(figures.untrusted_sessions)))
    sentences = tuple(one.what_works) if one is not None else ()
    proposal = one.proposal if one is not None else ""
    return Dashboard(
        period, resident_id, heading, tuple(pairs), tuple(Path(c) for c in charts), sentences, proposal
    )
