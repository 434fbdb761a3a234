"""Gather a report's inputs from the data folder and compute it: the one place the CLI and the staff screen's
dashboard share, so both show the same numbers."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.report_source import (
    ResidentLabel,
    avoid_changes,
    index_avoid_changes,
    install_secret,
    residents,
)
from kiosk.adapters.rollups import RollupStore
from kiosk.domain.report import Period, Report, build_report, pseudonym


@dataclass
class Labels:
    """How residents are shown: names (internal use) or stable codes (``pseudonymised``)."""

    known: dict[str, ResidentLabel]
    pseudonymised: bool
    code: Callable[[str], str]

    def label(self, rid: str) -> str:
        if self.pseudonymised:
            return self.code(rid)
        known = self.known.get(rid)
        if known is None:
            return f"Former resident {self.code(rid)}"
        return known.name + (
            f" ({known.staff_id})" if known.staff_id and known.staff_id != known.name else ""
        )

    def staff_id(self, rid: str) -> str:
        if self.pseudonymised:
            return ""
        known = self.known.get(rid)
        return known.staff_id if known else ""

    def slug(self, rid: str) -> str:
        """A file-name-safe label (only the code when pseudonymised)."""
        return re.sub(r"[^A-Za-z0-9_-]+", "-", self.label(rid)).strip("-") or self.code(rid)


def make_labels(data: DataFolder, pseudonymised: bool) -> Labels:
    known = residents(data)
    if pseudonymised:
        secret = install_secret(data)
        length = 6
        while len({pseudonym(secret, r, length) for r in known}) < len(known) and length < 16:
            length += 2  # two residents' codes collided: lengthen everyone's
        return Labels(known, True, lambda rid: pseudonym(secret, rid, length))
    # without pseudonymising, a former (erased) resident still gets a code, never an id
    try:
        secret = install_secret(data)
    except OSError:
        secret = b"encore"
    return Labels(known, False, lambda rid: pseudonym(secret, rid))


def load_sessions(data: DataFolder, period: Period, idle_days: int) -> list[dict[str, Any]]:
    """Rollups that can matter: the period (widened a day each side for time zones) and the idle window."""
    first = min(period.start, period.end - timedelta(days=idle_days - 1)) - timedelta(days=1)
    return list(RollupStore(data).sessions(first, period.end + timedelta(days=1)))


def compute(
    data: DataFolder,
    period: Period,
    labels: Labels,
    *,
    only: list[str] | None = None,
    idle_days: int = 7,
    sessions: list[dict[str, Any]] | None = None,
    today: date | None = None,
) -> Report:
    with contextlib.suppress(OSError):
        index_avoid_changes(data, today)
    if sessions is None:
        sessions = load_sessions(data, period, idle_days)
    store = RollupStore(data)
    wide = (period.start - timedelta(days=1), period.end + timedelta(days=1))
    observations = list(store.observations(*wide))
    avoid = avoid_changes(data, *wide)
    return build_report(
        sessions,
        period,
        labels={rid: labels.label(rid) for rid in labels.known},
        observations=observations,
        avoid_changes=avoid,
        idle_days=idle_days,
        only=only,
        label_unknown=labels.label,
    )
