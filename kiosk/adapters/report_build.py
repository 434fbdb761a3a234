"""Gather a report's inputs from the data folder and compute it: the one place the CLI and the staff screen's
dashboard share, so both show the same numbers."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from kiosk.adapters import month_store, profile_history
from kiosk.adapters.atomic import atomic_write_bytes
from kiosk.adapters.calm_ahead_store import CalmAheadStore
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
from kiosk.domain.calm_ahead import propose
from kiosk.domain.insight import what_works
from kiosk.domain.report import Period, Report, build_report, month_digest, pseudonym
from kiosk.domain.schedule import parse_schedule
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

    def short(self, rid: str) -> str:
        """How a sentence calls the resident: their name (their code when pseudonymised)."""
        known = self.known.get(rid)
        if self.pseudonymised or known is None or not known.name:
            return self.code(rid)
        return known.name

    def not_recorded(self) -> set[str]:
        """Residents with consent "no": nothing is recorded about them, by their choice."""
        return {rid for rid, k in self.known.items() if k.consent == "no"}

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
CACHE_VERSION = 8  # 6: songs per digest row (trends) or introduced plays; 7: both; 8: play-along sessions


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
    insight: bool = True,
) -> Report:
    """The report over ``period``; with ``insight``, each resident's "what works" sentences too (which read
    the period before, the profile history and the calm-ahead notes)."""
    if inputs is None:
        inputs = load_inputs(data, period, idle_days, today)
    report = build_report(
        inputs.sessions,
        period,
        labels={rid: labels.label(rid) for rid in labels.known},
        observations=inputs.observations,
        avoid_changes=inputs.avoid_changes,
        idle_days=idle_days,
        only=only,
        label_unknown=labels.label,
        not_recorded=labels.not_recorded(),
    )
    report.home.time_zone = zone_name(period.end)
    if insight:
        add_what_works(data, report, labels, today)
    return report


def zone_name(day: date, tz: tzinfo | None = None) -> str:
    """The local time zone as people read it: ``"Europe/London, UTC+01:00"`` (offset on ``day`` at noon)."""
    when = datetime.combine(day, time(12)).astimezone(tz)
    off = when.utcoffset() or timedelta(0)
    sign = "-" if off < timedelta(0) else "+"
    mins = abs(int(off.total_seconds())) // 60
    offset = f"UTC{sign}{mins // 60:02d}:{mins % 60:02d}"
    name = getattr(tz, "key", "") or os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            link = os.readlink("/etc/localtime")
            name = link.split("zoneinfo/", 1)[1] if "zoneinfo/" in link else ""
        except OSError:
            name = ""
    name = name or when.tzname() or ""
    return offset if name in ("", "UTC", "Etc/UTC") else f"{name}, {offset}"


def previous_period(period: Period) -> Period:
    return Period(period.start - timedelta(days=period.days), period.start - timedelta(days=1))


def add_what_works(data: DataFolder, report: Report, labels: Labels, today: date | None = None) -> None:
    """Fill each resident's ``what_works`` (:func:`kiosk.domain.insight.what_works`)."""
    period = report.home.period
    ids = [f.resident_id for f in report.residents]
    if not ids:
        return
    before = previous_period(period)
    prev_inputs = load_inputs(data, before, 1, today)
    prev = build_report(
        prev_inputs.sessions,
        before,
        labels={},
        observations=prev_inputs.observations,
        only=ids,
        idle_days=1,
    )
    prev_by_id = {f.resident_id: f for f in prev.residents}
    since = datetime.combine(period.start, time(0)).astimezone()
    until = datetime.combine(period.end, time(23, 59, 59)).astimezone()
    changes: dict[str, list[dict[str, Any]]] = {}
    if data.path(profile_history.STORE).exists():
        for doc in profile_history.history(data, since=since):
            if str(doc.get("at", "")) <= until.astimezone(UTC).isoformat():
                changes.setdefault(str(doc.get("resident_id")), []).append(doc)
    calm = CalmAheadStore(data)
    for f in report.residents:
        known = labels.known.get(f.resident_id)
        proposal = None
        if not f.not_recorded:
            notes = {n.replace(second=0, microsecond=0) for n in f.restless_notes}
            notes |= {n.astimezone().replace(second=0, microsecond=0) for n in calm.notes(f.resident_id)}
            try:
                schedule = parse_schedule(known.schedule) if known else ()
            except ValueError:
                schedule = ()
            proposal = propose(sorted(notes), until, schedule=schedule)
        f.what_works = what_works(
            f,
            prev_by_id.get(f.resident_id),
            period,
            name=labels.short(f.resident_id),
            staff_id=labels.staff_id(f.resident_id),
            history=[] if labels.pseudonymised else changes.get(f.resident_id, []),
            proposal=proposal,
        )
