"""The staff screen's dashboard figures in the kiosk's language: labels and headings are translated here, in the
UI, and handed to the staff actions by kiosk/wiring.py (the use case itself never translates)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kiosk.app.staff_api import Dashboard
from kiosk.ui.i18n import _


def _names(items: Sequence[str], most: int = 3, sep: str = ", ") -> str:
    """At most ``most`` names (then "and N more"); song titles one a line (titles may hold commas)."""
    if not items:
        return "-"
    more = len(items) - most
    return sep.join(items[:most]) + (sep + _("and {n} more").format(n=more) if more > 0 else "")


def _day(iso: str) -> str:
    from datetime import date

    d = date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%b')}"


def dashboard_from_figures(
    figures: Mapping[str, Any], charts: Sequence[Path], period: str, resident_id: str | None
) -> Dashboard:
    """Turn :func:`kiosk.app.dashboard.dashboard_figures` into what the staff screen shows."""
    when = _day(figures["from"]) if figures["from"] == figures["to"] else (
        f"{_day(figures['from'])} - {_day(figures['to'])}"
    )  # fmt: skip
    one = figures.get("resident") if resident_id else None
    if one is not None:
        heading = f"{one['label'] or _('This resident')}, {when}"
        pairs = [
            (_("Sessions"), str(one["sessions"])),
            (_("Music played"), str(one["minutes_text"])),
            (_("Songs liked"), str(one["songs_liked"])),
            (_("Songs skipped"), str(one["songs_skipped"])),
            (_("Stopped as upsetting"), str(one["songs_distress"])),
            (_("Favourite songs"), _names(one["top_songs"], sep="\n")),
        ]
    else:
        heading = f"{_('Whole home')}, {when}"
        pairs = [
            (_("Sessions"), str(figures["sessions"])),
            (_("Music played"), str(figures["minutes_text"])),
            (_("Residents who listened"), str(figures["residents_active"])),
            (_("Most loved songs"), _names(figures["most_loved"], sep="\n")),
            (_("No music for a week"), _names(figures["not_seen"], 4)),
        ]
        if figures.get("untrusted_sessions"):
            pairs.append((_("Sessions with an unsure time"), str(figures["untrusted_sessions"])))
    sentences = tuple(one.get("what_works") or ()) if one is not None else ()
    proposal = str(one.get("proposal") or "") if one is not None else ""
    return Dashboard(
        period, resident_id, heading, tuple(pairs), tuple(Path(c) for c in charts), sentences, proposal
    )
