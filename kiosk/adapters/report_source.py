"""What a report reads and writes besides its outputs: rollups, residents' labels, the avoid-list index, the
pseudonym secret, the export log, and the rollup rebuild from the journal.

- Residents: read straight from the store "residents" (table "residents"); names never leave this module
  except as the labels a non-pseudonymised report prints.
- Avoid-list changes are journal events; so that a report never re-reads a year of journal, they are indexed
  into the monthly rollup stores (table "avoid_changes"). Each report indexes only the journal days not yet
  indexed (a byte search, then JSON only for matching lines); the store "report-state" remembers the last day.
- Pseudonym secret: ``<data>/report-secret`` (32 random bytes, hex, mode 0600), made on first use.
- Export log: ``<data>/export-log.jsonl``, one JSON line per export: when (UTC), who (OS user), kind, how many
  residents, pseudonymised or not, period. No names, ids or figures. (Not the engagement journal: a command
  run as another OS user must never create a journal day file the kiosk then cannot append to.)
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import ReadStats, journal_days, read_events
from kiosk.adapters.rollups import RollupStore, store_name
from kiosk.domain.events import EventType
from kiosk.domain.rollup import RollupFold
from kiosk.errors import UserError

SECRET_FILE = "report-secret"
EXPORT_LOG = "export-log.jsonl"
STATE_STORE = "report-state"
AVOID_TABLE = "avoid_changes"


def keep_owner(data: DataFolder, *paths: Path) -> None:
    """Give files this command wrote to the data folder's owner when run as root (``sudo kiosk report``):
    a month store or log left owned by root would stop the kiosk's own user from writing it."""
    if os.geteuid() != 0:
        return
    try:
        st = data.root.stat()
    except OSError:
        return
    for path in paths:
        with contextlib.suppress(OSError):
            os.chown(path, st.st_uid, st.st_gid)


def events_dir(data: DataFolder) -> Path:
    return data.root / "events"


@dataclass(frozen=True)
class ResidentLabel:
    resident_id: str
    staff_id: str
    name: str
    consent: str = ""  # "yes" | "no" | "" (not recorded yet)
    schedule: str = ""  # the resident's own schedule, as text ("16:00-18:00 relax")


def residents(data: DataFolder) -> dict[str, ResidentLabel]:
    """resident_id -> staff id and display name, from the residents store (empty when there is none)."""
    out: dict[str, ResidentLabel] = {}
    if not data.path("residents").exists():
        return out
    for doc in data.read("residents").table("residents").all():
        rid = doc.get("resident_id")
        if not rid:
            continue
        name = str(doc.get("preferred_name") or doc.get("first_name") or doc.get("staff_id") or "")
        out[str(rid)] = ResidentLabel(
            str(rid),
            str(doc.get("staff_id") or ""),
            name,
            str(doc.get("consent") or ""),
            str(doc.get("schedule") or ""),
        )
    return out


def install_secret(data: DataFolder) -> bytes:
    """The per-install pseudonym secret (created 0600 on first use; the same codes every time after).

    A damaged secret (not 64 hex digits, or a folder in its place) is never replaced silently: every code in
    earlier exports would change. It raises :class:`UserError` saying what to do instead."""
    path = data.root / SECRET_FILE
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        text = None
    except IsADirectoryError:
        raise UserError(
            f"{path}: is a folder, where the pseudonym secret belongs; move it away "
            "(or restore report-secret from a backup)"
        ) from None
    except (UnicodeDecodeError, ValueError):
        text = ""
    if text is not None:
        try:
            value = bytes.fromhex(text)
        except ValueError:
            value = b""
        if len(value) != 32:
            raise UserError(
                f"{path}: damaged (not 64 hexadecimal digits). Restore it from a backup to keep the same "
                "pseudonyms; or delete it to start new ones (codes in earlier exports will no longer match)"
            )
        return value
    value = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value.hex() + "\n")
    keep_owner(data, path)
    return value


def log_export(data: DataFolder, kind: str, residents_n: int, pseudonymised: bool, period: str) -> None:
    """Append one line to the export log (who, when, what kind, how many residents; nothing personal).
    Raises :class:`UserError` when the log cannot be written (call :func:`check_export_log` before exporting)."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "staff"
    line = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "by": who,
        "action": "export",
        "kind": kind,
        "residents": residents_n,
        "pseudonymised": pseudonymised,
        "period": period,
    }
    try:
        fd = os.open(data.root / EXPORT_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")
    except OSError as exc:
        raise _export_log_error(data, exc) from None
    keep_owner(data, data.root / EXPORT_LOG)


def check_export_log(data: DataFolder) -> None:
    """Every export is logged: refuse to export when the log cannot be written (before any file is made)."""
    try:
        fd = os.open(data.root / EXPORT_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.close(fd)
    except OSError as exc:
        raise _export_log_error(data, exc) from None


def _export_log_error(data: DataFolder, exc: OSError) -> UserError:
    path = data.root / EXPORT_LOG
    if isinstance(exc, IsADirectoryError):
        return UserError(
            f"{path}: is a folder, where the export log belongs; move it away, then export again"
        )
    return UserError(f"{path}: cannot write the export log ({exc.strerror or exc}); nothing was exported")


def _avoid_key(ev: Mapping[str, Any]) -> tuple[str, str, str]:
    return (str(ev.get("at")), str(ev.get("kiosk")), str(ev.get("seq")))


def _scan_avoid(paths: Iterable[Path]) -> Iterator[dict[str, Any]]:
    needle = f'"{EventType.AVOID_CHANGE}"'.encode()
    for path in paths:
        with path.open("rb") as fh:
            blob = fh.read()
        if needle not in blob:
            continue
        for raw in blob.splitlines():
            if needle not in raw:
                continue
            try:
                ev = json.loads(raw)
            except ValueError:
                continue
            if isinstance(ev, dict) and ev.get("type") == EventType.AVOID_CHANGE and ev.get("at"):
                yield ev


def _store_avoid(data: DataFolder, events: list[dict[str, Any]]) -> None:
    by_month: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ev in events:
        by_month[store_name(str(ev["at"]))].append(ev)
    for name, evs in by_month.items():
        have = {_avoid_key(d) for d in data.read(name).table(AVOID_TABLE).all()}
        if all(_avoid_key(e) in have for e in evs):
            continue  # nothing new: do not rewrite the month (today's file is scanned on every report)
        with data.write(name) as db:
            table = db.table(AVOID_TABLE)
            have = {_avoid_key(d) for d in table.all()}
            table.insert_multiple(e for e in evs if _avoid_key(e) not in have)
        keep_owner(data, data.path(name))


def index_avoid_changes(data: DataFolder, today: date | None = None) -> int:
    """Index avoid_change events of journal days not yet indexed; returns how many were found."""
    today = today or datetime.now(UTC).date()
    state_path = data.path(STATE_STORE)
    done: str = ""
    if state_path.exists():
        docs = data.read(STATE_STORE).table("state").all()
        done = str(docs[0].get("avoid_indexed_through", "")) if docs else ""
    start = date.fromisoformat(done) + timedelta(days=1) if done else None
    paths = journal_days(events_dir(data), start)
    if not paths:
        return 0
    found = list(_scan_avoid(paths))
    try:
        if found:
            _store_avoid(data, found)
        through = min(date.fromisoformat(paths[-1].stem), today - timedelta(days=1))
        if not done or through.isoformat() > done:
            with data.write(STATE_STORE) as db:
                db.table("state").truncate()
                db.table("state").insert({"avoid_indexed_through": through.isoformat()})
            keep_owner(data, data.path(STATE_STORE))
    except OSError:  # a read-only data folder: the report still shows what was found this time
        pass
    return len(found)


def avoid_changes(data: DataFolder, start: date | None, end: date | None) -> list[dict[str, Any]]:
    store = RollupStore(data)
    out = []
    for name in store.months(start, end):
        out += [dict(d) for d in data.read(name).table(AVOID_TABLE).all()]
    return out


@dataclass
class RebuildStats:
    sessions: int = 0
    observations_added: int = 0
    avoid_changes: int = 0
    months: int = 0
    torn_lines: int = 0
    events: int = 0
    max_open_sessions: int = 0


def _obs_key(doc: Mapping[str, Any]) -> tuple[str, str]:
    return (str(doc.get("session_id")), str(doc.get("at")))


class _MonthWriter:
    """Buffers one month of rebuilt rollups at a time and rewrites that month's store in one write."""

    def __init__(self, data: DataFolder, first_day: str, stats: RebuildStats):
        self.data = data
        self.first_day = first_day  # sessions before the journal's first day are kept as they are
        self.stats = stats
        self.month: str | None = None
        self.sessions: list[dict[str, Any]] = []
        self.observations: list[dict[str, Any]] = []
        self.avoid: list[dict[str, Any]] = []
        self.written: set[str] = set()

    def add(self, kind: str, doc: dict[str, Any]) -> None:
        at = str(doc.get("started_at") if kind == "session" else doc.get("at") or "")
        if len(at) < 7:
            return
        name = store_name(at)
        if name in self.written or (self.month is not None and name < self.month):
            # a straggler: a session spanning a month end, or several kiosks interleaving
            self._write(
                name,
                [doc] if kind == "session" else [],
                [doc] if kind == "observation" else [],
                [doc] if kind == "avoid" else [],
                replace=False,
            )
            return
        if self.month is not None and name > self.month:
            self.flush()
        if self.month is None or name > self.month:
            self.month = name
        {"session": self.sessions, "observation": self.observations, "avoid": self.avoid}[kind].append(doc)

    def flush(self) -> None:
        if self.month is None:
            return
        self._write(self.month, self.sessions, self.observations, self.avoid, replace=True)
        self.written.add(self.month)
        self.stats.months += 1
        self.month, self.sessions, self.observations, self.avoid = None, [], [], []

    def _write(
        self,
        name: str,
        sessions: list[dict[str, Any]],
        obs: list[dict[str, Any]],
        avoid: list[dict[str, Any]],
        *,
        replace: bool,
    ) -> None:
        with self.data.write(name) as db:
            table = db.table("sessions")
            if replace:
                keep = [dict(d) for d in table.all() if str(d.get("started_at", ""))[:10] < self.first_day]
                table.truncate()
                table.insert_multiple(keep)
            else:
                ids = {s["session_id"] for s in sessions}
                table.remove(lambda d: d.get("session_id") in ids)
            table.insert_multiple(sessions)
            self.stats.sessions += len(sessions)
            otable = db.table("observations")
            have = {_obs_key(d) for d in otable.all()}
            new = [o for o in obs if _obs_key(o) not in have]
            otable.insert_multiple(new)
            self.stats.observations_added += len(new)
            atable = db.table(AVOID_TABLE)
            have_a = {_avoid_key(d) for d in atable.all()}
            if replace:
                atable.truncate()
                have_a = set()
            fresh = [a for a in avoid if _avoid_key(a) not in have_a]
            atable.insert_multiple(fresh)
            self.stats.avoid_changes += len(fresh)
        keep_owner(self.data, self.data.path(name))


def rebuild_rollups(data: DataFolder) -> RebuildStats:
    """Recompute every session rollup the journal can give, streaming it once.

    Memory: the open sessions (one per kiosk) plus the month being written. Months the journal does not cover
    (older than its retention) are left as they are; observations already stored are kept (journal
    observation events missing from the store are added).
    """
    stats = RebuildStats()
    days = journal_days(events_dir(data))
    if not days:
        return stats
    writer = _MonthWriter(data, days[0].stem, stats)
    fold = RollupFold()
    read = ReadStats()
    for event in read_events(events_dir(data), stats=read):
        if event.get("type") == EventType.AVOID_CHANGE and event.get("at"):
            writer.add("avoid", event)
            continue
        for kind, doc in fold.feed(event):
            writer.add(kind, doc)
        if fold.open_sessions > stats.max_open_sessions:
            stats.max_open_sessions = fold.open_sessions
    for doc in fold.finish():
        writer.add("session", doc)
    writer.flush()
    stats.torn_lines = read.torn
    stats.events = read.events
    with data.write(STATE_STORE) as db:
        db.table("state").truncate()
        through = min(date.fromisoformat(days[-1].stem), datetime.now(UTC).date() - timedelta(days=1))
        db.table("state").insert({"avoid_indexed_through": through.isoformat()})
    keep_owner(data, data.path(STATE_STORE))
    return stats
