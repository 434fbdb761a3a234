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
    AVOID_TABLE,
    ResidentLabel,
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


@dataclass
class Inputs:
    """What a report reads: rollups (period, widened a day each side for time zones, plus the idle window),
    observation forms and avoid-list changes. Each month file is read and decoded once."""

    sessions: list[dict[str, Any]]
    observations: list[dict[str, Any]]
    avoid_changes: list[dict[str, Any]]


def load_inputs(data: DataFolder, period: Period, idle_days: int, today: date | None = None) -> Inputs:
    with contextlib.suppress(OSError):  # bring the avoid-list index up to date first
        index_avoid_changes(data, today)
    first = min(period.start, period.end - timedelta(days=idle_days - 1)) - timedelta(days=1)
    last = period.end + timedelta(days=1)
    lo, hi = first.isoformat(), last.isoformat()
    out = Inputs([], [], [])
    for name in RollupStore(data).months(first, last):
        db = data.read(name)
        for doc in db.table("sessions").all():
            day = str(doc.get("started_at", ""))[:10]
            if lo <= day <= hi:
                out.sessions.append(doc)
        out.observations += db.table("observations").all()
        out.avoid_changes += db.table(AVOID_TABLE).all()
    return out


def load_sessions(data: DataFolder, period: Period, idle_days: int) -> list[dict[str, Any]]:
    """The rollups a report over ``period`` needs (see :class:`Inputs`)."""
    return load_inputs(data, period, idle_days).sessions


def compute(
    data: DataFolder,
    period: Period,
    labels: Labels,
    *,
    only: list[str] | None = None,
    idle_days: int = 7,
    inputs: Inputs | None = None,
    today: date | None = None,
) -> Report:
    if inputs is None:
        inputs = load_inputs(data, period, idle_days, today)
    return build_report(
        inputs.sessions,
        period,
        labels={rid: labels.label(rid) for rid in labels.known},
        observations=inputs.observations,
        avoid_changes=inputs.avoid_changes,
        idle_days=idle_days,
        only=only,
        label_unknown=labels.label,
    )
