"""Gather a report's inputs from the data folder and compute it: the one place the CLI and the staff screen's
dashboard share, so both show the same numbers."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from pathlib import Path
from typing import Any

from kiosk.adapters import month_store
from kiosk.adapters.atomic import atomic_write_bytes
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.report_csv import _tz_key
from kiosk.adapters.report_source import (
    AVOID_TABLE,
    ResidentLabel,
    index_avoid_changes,
    install_secret,
    keep_owner,
    residents,
)
from kiosk.adapters.rollups import RollupStore
from kiosk.domain.report import Period, Report, build_report, month_digest, pseudonym
from kiosk.errors import UserError


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
    except (OSError, UserError):  # the codes of erased residents only; a damaged secret is for --pseudonymise
        secret = b"encore"
    return Labels(known, False, lambda rid: pseudonym(secret, rid))


@dataclass
class Inputs:
    """What a report reads: rollups (period, widened a day each side for time zones, plus the idle window),
    observation forms and avoid-list changes. Each month file is read and decoded once."""

    sessions: list[dict[str, Any]]
    observations: list[dict[str, Any]]
    avoid_changes: list[dict[str, Any]]
    digested: list[str] = field(default_factory=list)  # months read as digests (no per-play rows)


CACHE_DIR = "report-cache"
CACHE_VERSION = 6  # 6: introduced plays counted (report_voice)


def _month_range(name: str) -> tuple[date, date]:
    year, month = int(name[8:12]), int(name[13:15])
    first = date(year, month, 1)
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def _stamp(path: Path, name: str, tz: tzinfo | None) -> list[int]:
    """What a month's digest depends on: the store file and its sessions log (inode, size, mtime each) and
    the zone's daily offsets."""
    path.stat()  # a month without its store is no month (FileNotFoundError, as before)
    return [CACHE_VERSION, *month_store.stamp(path), *_tz_key(name, tz)]


def _cached_month(data: DataFolder, name: str, tz: tzinfo | None) -> dict[str, Any] | None:
    """The month's digest from ``report-cache/``, or None when missing or older than the month's store."""
    try:
        doc = json.loads((data.root / CACHE_DIR / f"{name}.json").read_bytes())
        if doc.get("key") == _stamp(data.path(name), name, tz):
            return dict(doc)
    except (OSError, ValueError):
        pass
    return None


def _digest_month(data: DataFolder, name: str, db: Any, tz: tzinfo | None) -> dict[str, Any]:
    observations = db.table("observations").all()
    digest = {
        "key": _stamp(data.path(name), name, tz),
        "docs": month_digest(
            db.table("sessions").all(),
            {str(o.get("session_id")) for o in observations},
            name[8:15],
            tz,
        ),
        "observations": observations,
        "avoid_changes": db.table(AVOID_TABLE).all(),
    }
    with contextlib.suppress(OSError):  # a read-only data folder: no cache, same figures
        folder = data.root / CACHE_DIR
        folder.mkdir(mode=0o700, exist_ok=True)
        atomic_write_bytes(folder / f"{name}.json", json.dumps(digest, separators=(",", ":")).encode("utf-8"))
        keep_owner(data, folder, folder / f"{name}.json")
    return digest


def load_inputs(
    data: DataFolder,
    period: Period,
    idle_days: int,
    today: date | None = None,
    *,
    use_cache: bool = True,
    tz: tzinfo | None = None,
) -> Inputs:
    """Read what a report needs. A month that lies wholly inside the period is read as its digest (:func:`kiosk.domain.report.month_digest`), cached in
    ``<data>/report-cache/`` and remade whenever the month's store changes; edge months are read in full."""
    with contextlib.suppress(OSError):  # bring the avoid-list index up to date first
        index_avoid_changes(data, today)
    first = min(period.start, period.end - timedelta(days=idle_days - 1)) - timedelta(days=1)
    last = period.end + timedelta(days=1)
    lo, hi = first.isoformat(), last.isoformat()
    out = Inputs([], [], [])
    for name in RollupStore(data).months(first, last):
        m_first, m_last = _month_range(name)
        whole = period.start <= m_first and m_last <= period.end
        if whole and use_cache:
            digest = _cached_month(data, name, tz) or _digest_month(data, name, data.read(name), tz)
            out.sessions += digest["docs"]
            out.observations += digest["observations"]
            out.avoid_changes += digest["avoid_changes"]
            out.digested.append(name)
            continue
        db = data.read(name)
        for doc in db.table("sessions").all():
            day = str(doc.get("started_at", ""))[:10]
            if lo <= day <= hi:
                out.sessions.append(doc)
        out.observations += db.table("observations").all()
        out.avoid_changes += db.table(AVOID_TABLE).all()
    return out


def load_sessions(data: DataFolder, period: Period, idle_days: int) -> list[dict[str, Any]]:
    """The full rollups (with every play) a report over ``period`` needs: what the CSV export writes."""
    return load_inputs(data, period, idle_days, use_cache=False).sessions


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
