"""Importing residents: check everything first, then change everything at once (or nothing).

:func:`plan_import` reads the file (:mod:`kiosk.residents_files`), validates every row (rules in
:mod:`kiosk.domain.residents`), resolves and re-encodes photos (through the
:class:`~kiosk.app.ports.ResidentRecords` port), and collects every problem as ``FILE:LINE: field: message``.
:func:`apply_import` writes the whole plan in one locked, atomic transaction
(:class:`kiosk.adapters.resident_records.ResidentRecords`); :func:`import_file` is both, for the command and
other callers.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.app.ports import ResidentRecords, StoredResident
from kiosk.domain.models import Consent, Resident
from kiosk.domain.residents import changed_fields, validate_row
from kiosk.errors import UserError
from kiosk.residents_files import read_rows

MAX_PROBLEMS_SHOWN = 100


@dataclass
class Planned:
    line: int
    fields: dict[str, Any]
    photo_jpeg: bytes | None = None
    photo_sha256: str | None = None


@dataclass
class Plan:
    path: Path
    residents: list[Planned]
    notes: list[str]


# --- plan and apply ---------------------------------------------------------------------------------------


def plan_import(
    path: Path, records: ResidentRecords, today: date | None = None
) -> tuple[Plan | None, list[str]]:
    """Read and check everything (photos too) without touching the data folder; every problem at once."""
    today = today or date.today()
    source, problems = read_rows(path)
    if source is None:
        return None, problems
    name = str(path)
    base = path.parent
    planned: list[Planned] = []
    first_line: dict[str, int] = {}
    notes = list(source.notes)
    for row in source.rows:
        fields, row_problems = validate_row(row.values, today=today, list_sep=source.list_sep)
        for p in row_problems:
            problems.append(f"{name}:{row.line}: {p.field}: {p.message}")
        staff_id = fields["staff_id"]
        key = staff_id.casefold()
        if staff_id and key in first_line:
            problems.append(f"{name}:{row.line}: id: {staff_id!r} is also on line {first_line[key]}")
        elif staff_id:
            first_line[key] = row.line
        item = Planned(row.line, fields)
        photo = fields.pop("photo")
        if photo and fields["consent"] == Consent.NO:
            notes.append(f"{name}:{row.line}: photo: not kept, because consent is 'no'")
        elif photo:
            try:
                item.photo_sha256, item.photo_jpeg = records.load_photo(base, photo)
            except ValueError as exc:
                problems.append(f"{name}:{row.line}: photo: {exc}")
        planned.append(item)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        hidden = len(problems) - MAX_PROBLEMS_SHOWN
        problems = [*problems[:MAX_PROBLEMS_SHOWN], f"{name}: ... and {hidden} more problems"]
    if problems:
        return None, problems
    return Plan(path, planned, notes), []


@dataclass
class Outcome:
    added: list[str] = field(default_factory=list)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.added:
            out.append(f"new ({len(self.added)}): {', '.join(self.added)}")
        for staff_id, changed in self.updated:
            out.append(f"updated {staff_id}: {', '.join(changed)}")
        if self.unchanged:
            out.append(f"unchanged ({len(self.unchanged)}): {', '.join(self.unchanged)}")
        if self.not_in_file:
            out.append(
                f"in the kiosk but not in this file, left as they are ({len(self.not_in_file)}): "
                f"{', '.join(self.not_in_file)} (to erase one: kiosk residents remove ID)"
            )
        return out


def _same_picture(old: Resident | None, sha: str | None) -> bool:
    """Whether the photo given is the one already stored (the original, or the kiosk's own exported copy)."""
    if old is None or not old.photo or sha is None:
        return False
    return sha in (old.extra.get("photo_sha256"), old.extra.get("photo_stored_sha256"))


def _merge(
    plan: Plan, stored: list[StoredResident], photo_ref: Callable[[str], str]
) -> tuple[list[tuple[Resident, bytes | None]], Outcome]:
    """What each changed row becomes (with the photo to write, if any), against the residents stored now."""
    existing: dict[str, Resident] = {}
    for key, _shown, resident in stored:
        if resident is not None:  # a damaged document: the row is imported as new
            existing[key] = resident
    outcome = Outcome()
    result: list[tuple[Resident, bytes | None]] = []
    seen: set[str] = set()
    for item in plan.residents:
        fields = dict(item.fields)
        old = existing.get(fields["staff_id"].casefold())
        seen.add(fields["staff_id"].casefold())
        resident_id = old.resident_id if old else str(uuid.uuid4())
        extra = dict(old.extra) if old else {}
        photo: str | None = None
        jpeg: bytes | None = None
        if item.photo_jpeg is not None:
            photo = photo_ref(resident_id)
            if not _same_picture(old, item.photo_sha256):
                jpeg = item.photo_jpeg
                extra["photo_sha256"] = item.photo_sha256
                extra["photo_stored_sha256"] = hashlib.sha256(jpeg).hexdigest()
        else:
            extra.pop("photo_sha256", None)
            extra.pop("photo_stored_sha256", None)
        new = Resident(resident_id=resident_id, photo=photo, extra=extra, **fields)
        if old is None:
            outcome.added.append(new.staff_id)
            result.append((new, jpeg))
            continue
        changed = changed_fields(old, new)
        if changed:
            outcome.updated.append((new.staff_id, changed))
            result.append((new, jpeg))
        else:
            outcome.unchanged.append(new.staff_id)
    outcome.not_in_file = sorted(shown for key, shown, _resident in stored if key not in seen)
    return result, outcome


def preview_import(plan: Plan, records: ResidentRecords) -> Outcome:
    """What :func:`apply_import` would do now (for ``--dry-run``)."""
    return _merge(plan, records.stored(), records.photo_ref)[1]


def apply_import(plan: Plan, records: ResidentRecords) -> Outcome:
    """Write the plan under the folder's lock, all at once (see :meth:`ResidentRecords.change`)."""
    outcomes: list[Outcome] = []

    def decide(stored: list[StoredResident]) -> list[tuple[Resident, bytes | None]]:
        merged, outcome = _merge(plan, stored, records.photo_ref)
        outcomes.append(outcome)
        return merged

    records.change(decide)
    return outcomes[-1]


def import_file(path: Path, records: ResidentRecords, *, dry_run: bool = False) -> tuple[Plan, Outcome]:
    """Check ``path`` and (unless ``dry_run``) import it: the whole of ``kiosk residents import``, for
    callers such as ``kiosk demo-content``. Raises :class:`UserError` with every problem; nothing changes then."""
    plan, problems = plan_import(path, records)
    if plan is None:
        raise UserError([*problems, f"{path}: nothing was imported (fix the lines above and run it again)"])
    try:
        outcome = preview_import(plan, records) if dry_run else apply_import(plan, records)
    except OSError as exc:
        raise UserError(
            f"{records.root}: could not write the data folder ({exc.strerror or exc}); nothing was imported"
        ) from None
    return plan, outcome
