"""What changed in a resident's profile, field by field (old -> new), and which changes lower safety.

Lowering safety (issue 16): an avoid entry removed, the volume cap raised or cleared, consent changed to yes
or to not recorded. Such changes from an import wait for a person's confirmation; withdrawing consent (to no)
never waits. Pure: used by the import, the staff screen's single edits and the profile history.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.domain.matching import norm
from kiosk.domain.models import Consent, Resident
from kiosk.domain.schedule import format_schedule

# Compared field by field; ``photo`` is compared by picture (see :func:`diff`), ``extra`` is bookkeeping.
COMPARED = tuple(
    f.name for f in dataclasses.fields(Resident) if f.name not in ("resident_id", "extra", "photo")
)
AVOID_FIELDS = tuple(name for name in COMPARED if name.startswith("avoid_"))
NO_LIMIT_PCT = 100
_CONSENT_WORDS = {Consent.YES: "yes", Consent.NO: "no", Consent.UNKNOWN: "not recorded"}


@dataclass
class PhotoPlan:
    """A photo a row names: its file, (name, size, mtime_ns) stamp, sha256, and the JPEG to store (None: the
    picture stored now is this one, so it is not decoded again)."""

    src: Path
    stamp: list[Any]
    sha256: str
    jpeg: bytes | None


@dataclass(frozen=True)
class FieldChange:
    """One field of one profile: its old and new values as staff read them, and why it lowers safety
    (``""`` when it does not)."""

    field: str
    old: str
    new: str
    safety: str = ""

    def line(self) -> str:
        return f"{self.field}: {self.old} -> {self.new}"


def shown(name: str, value: Any) -> str:
    """A field's value as staff read it in an import report or the history."""
    if name == "schedule":
        text = format_schedule(value)
    elif isinstance(value, Consent):
        text = _CONSENT_WORDS[value]
    elif isinstance(value, tuple):
        text = "; ".join(str(v) for v in value)
    elif name == "volume_cap_pct" and value == NO_LIMIT_PCT:
        text = "100 (no limit of its own)"
    else:
        text = str(value)
    return text if text else "(empty)"


def _safety(name: str, old: Any, new: Any) -> str:
    if name in AVOID_FIELDS:
        kept = {norm(str(v)) for v in new}
        removed = [str(v) for v in old if norm(str(v)) not in kept]
        if removed:
            return f"{name}: no longer avoids " + ", ".join(repr(v) for v in removed)
    elif name == "volume_cap_pct" and new > old:
        if new == NO_LIMIT_PCT:
            return f"volume limit of {old} cleared (no limit of its own)"
        return f"volume limit raised from {old} to {new}"
    elif name == "consent" and new in (Consent.YES, Consent.UNKNOWN) and new != old:
        return f"consent changed from {_CONSENT_WORDS[old]} to {_CONSENT_WORDS[new]}"
    return ""


def diff(old: Resident, new: Resident, *, photo_changed: bool = False) -> list[FieldChange]:
    """Every field that differs between ``old`` and ``new``, in the profile's order."""
    changes = []
    for name in COMPARED:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(
                FieldChange(name, shown(name, before), shown(name, after), _safety(name, before, after))
            )
    if photo_changed or bool(old.photo) != bool(new.photo):
        before = "a photo" if old.photo else "(none)"
        after = ("a new photo" if old.photo else "a photo") if new.photo else "(none)"
        changes.append(FieldChange("photo", before, after))
    return changes


def lowers_safety(changes: list[FieldChange]) -> bool:
    return any(c.safety for c in changes)


def consent_withdrawn(old: Resident, new: Resident) -> bool:
    """Whether ``new`` withdraws consent that ``old`` did not refuse (applies at once, never waits)."""
    return new.consent == Consent.NO and old.consent != Consent.NO


def with_withdrawal_only(old: Resident, new: Resident) -> Resident:
    """``old`` with only the consent withdrawal of ``new`` (its consent fields; no photo is kept then)."""
    return dataclasses.replace(
        old, consent=new.consent, consent_date=new.consent_date, consent_by=new.consent_by, photo=None
    )
