"""What an import changes: each checked row merged into the profile stored now, and the report staff read.

A column absent from the file leaves the field as it is; an empty cell clears it; someone new gets the
defaults for what the file leaves out. Every change is listed per resident as ``field: old -> new``; changes
that lower safety (:mod:`kiosk.domain.profile_changes`) are also listed in their own block and are written
only when accepted, except withdrawn consent, which applies at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from kiosk.app.ports import ResidentRecords
from kiosk.domain.models import Consent, Resident
from kiosk.domain.profile_changes import FieldChange, PhotoPlan, consent_withdrawn, diff, with_withdrawal_only
from kiosk.domain.residents import new_resident_problems

IN_FILE_KEPT = 50  # unchanged profiles kept for a dry run's description (it describes at most this many)
LIST_SHOWN = 20  # names listed for "new" and "unchanged" before "and N more"
_PHOTO_KEYS = ("photo_sha256", "photo_stored_sha256", "photo_src_stamp")


@dataclass
class Changed:
    label: str
    changes: list[FieldChange]


def _names(labels: list[str]) -> str:
    shown = ", ".join(labels[:LIST_SHOWN])
    return shown + (f" and {len(labels) - LIST_SHOWN} more" if len(labels) > LIST_SHOWN else "")


@dataclass
class Outcome:
    """What an import did (or, in a dry run, would do), as staff read it."""

    added: list[str] = field(default_factory=list)
    added_ids: list[str] = field(default_factory=list)
    updated: list[Changed] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)  # consent withdrawn, applied although stopped
    stopped: bool = False  # changes lowering safety were not accepted: nothing else was written
    profiles: list[tuple[str, Resident]] = field(default_factory=list)  # new and changed, as imported
    in_file: list[tuple[str, Resident]] = field(default_factory=list)  # everyone in the file, as imported
    details: list[str] = field(default_factory=list)  # what the profiles do to the library (dry run)
    warnings: list[str] = field(default_factory=list)  # e.g. avoid entries that match no song

    def safety(self) -> list[str]:
        """One line per change that lowers someone's safety."""
        return [f"{c.label}: {ch.safety}" for c in self.updated for ch in c.changes if ch.safety]

    def lines(self) -> list[str]:
        out = []
        if self.added:
            out.append(f"new ({len(self.added)}): {_names(self.added)}")
        for item in self.updated:
            out.append(f"{item.label}:")
            out.extend(f"  {change.line()}" for change in item.changes)
        if self.unchanged:
            out.append(f"unchanged ({len(self.unchanged)}): {_names(self.unchanged)}")
        if self.not_in_file:
            out.append(
                f"in the kiosk but not in this file, left as they are ({len(self.not_in_file)}): "
                f"{_names(self.not_in_file)} (to erase one: kiosk residents remove ID)"
            )
        if self.details:
            out.append("With the music in the kiosk now:")
            out.extend(f"  {line}" for line in self.details)
        out.extend(f"warning: {line}" for line in self.warnings)
        safety = self.safety()
        if safety:
            out.append(f"Changes that lower safety ({len(safety)}), applied only when confirmed:")
            out.extend(f"  {line}" for line in safety)
        if self.withdrawn:
            out.append(f"Consent withdrawn, applied at once: {_names(self.withdrawn)}")
        return out


@dataclass
class Merged:
    outcome: Outcome
    write: list[tuple[Resident, bytes | None]] = field(default_factory=list)  # profiles to store, new JPEG
    applied_changes: list[tuple[str, list[FieldChange]]] = field(default_factory=list)  # for the history
    problems: list[str] = field(default_factory=list)


def label(resident: Resident) -> str:
    return f"{resident.staff_id} ({resident.display_name})"


_ABSENT = object()


def _with_photo(
    records: ResidentRecords,
    old: Resident | None,
    base: Resident,
    fields: dict[str, Any],
    given: object,
    photo: PhotoPlan | None,
) -> tuple[Resident, bytes | None, bool]:
    """``base`` with ``fields`` and its photo decided (one copy of the profile): (profile, JPEG to write,
    whether the picture itself changed)."""
    extra = dict(old.extra) if old else {}
    jpeg: bytes | None = None
    changed = False
    rel = base.photo
    if given is not _ABSENT:
        rel = None
        if photo is not None:
            rel = records.photo_ref(base.resident_id)
            if photo.jpeg is not None or old is None or not old.photo:
                jpeg = photo.jpeg if photo.jpeg is not None else records.reencode(photo.src)
                changed = old is not None and bool(old.photo)
                extra["photo_sha256"] = photo.sha256
                extra["photo_stored_sha256"] = hashlib.sha256(jpeg).hexdigest()
            extra["photo_src_stamp"] = photo.stamp
    if fields.get("consent", base.consent) == Consent.NO:
        rel, jpeg, changed = None, None, False  # consent "no": no photo is kept
    if rel is None:
        for key in _PHOTO_KEYS:
            extra.pop(key, None)
    return dataclasses.replace(base, **fields, photo=rel, extra=extra), jpeg, changed


def _doc_label(doc: dict[str, Any]) -> str:
    return f"{doc.get('staff_id')} ({doc.get('preferred_name') or doc.get('first_name')})"


def merge(
    rows: list[tuple[int, dict[str, Any], PhotoPlan | None]],
    table: dict[str, Any],
    name: str,
    records: ResidentRecords,
    *,
    accept_safety: bool = True,
) -> Merged:
    """Merge checked rows ``(line, fields, photo)`` into the stored documents ``table`` (not changed here).
    A row that changes nothing is recognised on the stored document itself (a re-import of 10,000 residents
    builds no profile for them); only changed rows are compared field by field."""
    docs = {str(doc.get("staff_id", "")).casefold(): doc for doc in table.values()}
    parsed: dict[str, Resident | None] = {}

    def stored(key: str) -> Resident | None:
        if key not in parsed:  # None: a damaged document (the row is imported as new)
            parsed[key] = records.resident_of(docs[key]) if key in docs else None
        return parsed[key]

    result = Merged(Outcome())
    out = result.outcome
    seen: set[str] = set()
    pending: list[tuple[Resident, Resident, bytes | None, list[FieldChange]]] = []
    quiet: list[Resident] = []  # unchanged profiles whose photo bookkeeping moved on
    for line, row_fields, photo in rows:
        fields = dict(row_fields)
        given = fields.pop("photo", _ABSENT)
        key = fields["staff_id"].casefold()
        seen.add(key)
        if key in docs and records.unchanged(docs[key], fields, given is not _ABSENT, photo):
            out.unchanged.append(_doc_label(docs[key]))
            if len(out.in_file) < IN_FILE_KEPT and (kept := stored(key)) is not None:
                out.in_file.append((label(kept), kept))
            continue
        old = stored(key)
        if old is None:
            missing = new_resident_problems(fields)
            if missing:
                result.problems += [f"{name}:{line}: {p.field}: {p.message}" for p in missing]
                continue
            base = Resident(str(uuid.uuid4()), fields["staff_id"], fields["first_name"], fields["birth_year"])
            new, jpeg, _ = _with_photo(records, None, base, fields, given, photo)
            out.added.append(label(new))
            out.added_ids.append(new.resident_id)
            out.profiles.append((label(new), new))
            out.in_file.append((label(new), new))
            result.write.append((new, jpeg))
            continue
        new, jpeg, picture_changed = _with_photo(records, old, old, fields, given, photo)
        changes = diff(old, new, photo_changed=picture_changed)
        if changes:
            out.updated.append(Changed(label(new), changes))
            out.profiles.append((label(new), new))
            out.in_file.append((label(new), new))
            pending.append((old, new, jpeg, changes))
        else:
            out.unchanged.append(label(new))
            out.in_file.append((label(new), new))
            if new.extra != old.extra:
                quiet.append(new)
    out.not_in_file = sorted(_doc_label(doc) for k, doc in docs.items() if k not in seen)
    if out.safety() and not accept_safety:
        out.stopped = True
        result.write = []
        for old, new, _jpeg, _changes in pending:
            if consent_withdrawn(old, new):
                withdrawn, _, _ = _with_photo(records, old, with_withdrawal_only(old, new), {}, _ABSENT, None)
                result.write.append((withdrawn, None))
                result.applied_changes.append((old.resident_id, diff(old, withdrawn)))
                out.withdrawn.append(label(old))
        return result
    for old, new, jpeg, changes in pending:
        result.write.append((new, jpeg))
        result.applied_changes.append((old.resident_id, changes))
    result.write += [(r, None) for r in quiet]
    return result
