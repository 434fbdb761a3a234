"""Importing residents: check everything first, then change everything at once (or nothing).

:func:`plan_import` reads the file (:mod:`kiosk.residents_files`), validates every row (rules in
:mod:`kiosk.domain.residents`), resolves photos and re-encodes only the new ones (through the
:class:`~kiosk.app.ports.ResidentRecords` port), and collects every problem as ``FILE:LINE: field: message``.
:func:`apply_import` merges the plan into the stored profiles in memory and the records write the table once,
under the folder's lock (:mod:`kiosk.app.residents_merge` decides what each row changes). A column absent from the file leaves that field as it is; an empty cell clears
it. Changes that lower safety are applied only with ``accept_safety``; withdrawn consent applies at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from kiosk.app.ports import ResidentRecords
from kiosk.app.residents_merge import IN_FILE_KEPT, Merged, Outcome, merge
from kiosk.domain.models import Consent
from kiosk.domain.preview import AVOID_FIELDS, preview_residents, unmatched_warning
from kiosk.domain.profile_changes import PhotoPlan
from kiosk.domain.residents import validate_row
from kiosk.domain.scoring import Columns
from kiosk.domain.songfit import AvoidRules
from kiosk.errors import UserError
from kiosk.residents_files import read_rows

MAX_PROBLEMS_SHOWN = 100
DETAILED_MAX = IN_FILE_KEPT  # residents a dry run describes in full (first songs, what each entry removes)


@dataclass
class Planned:
    line: int
    fields: dict[str, Any]  # the columns present in the file only (a re-import may leave some out)
    photo: PhotoPlan | None = None  # when the photo column names a file


@dataclass
class Plan:
    path: Path
    residents: list[Planned]
    notes: list[str]
    columns: tuple[str, ...] = ()  # the file's columns (CSV), for the report


def plan_import(
    path: Path, records: ResidentRecords, today: date | None = None, *, date_order: str = "dmy"
) -> tuple[Plan | None, list[str]]:
    """Read and check everything (photos too) without changing the data folder; every problem at once.
    Photos already stored (the same file or bytes as last time) are not decoded again."""
    today = today or date.today()
    source, problems = read_rows(path)
    if source is None:
        return None, problems
    problems = list(source.problems)
    name = str(path)
    if source.columns is not None and "id" not in source.columns:
        return None, problems  # without ids no row can be matched to anyone: the header says it all
    stored = {str(d.get("staff_id", "")).casefold(): d for d in records.stored_docs().values()}
    real_dirs: dict[str, str] = {}
    planned: list[Planned] = []
    first_line: dict[str, int] = {}
    notes = list(source.notes)
    for row in source.rows:
        check = validate_row(row.values, today=today, date_order=date_order)
        problems += [f"{name}:{row.line}: {p.field}: {p.message}" for p in check.problems]
        notes += [f"{name}:{row.line}: {p.field}: {p.message}" for p in check.notes]
        fields = check.fields
        staff_id = fields["staff_id"]
        key = staff_id.casefold()
        if staff_id and key in first_line:
            problems.append(f"{name}:{row.line}: id: {staff_id!r} is also on line {first_line[key]}")
        elif staff_id:
            first_line[key] = row.line
        item = Planned(row.line, fields)
        photo = fields.pop("photo", None)
        fields_has_photo = "photo" in row.values
        old = stored.get(key)
        consent = fields.get("consent", (old or {}).get("consent", ""))
        if photo and consent == Consent.NO:
            notes.append(f"{name}:{row.line}: photo: not kept, because consent is 'no'")
        elif photo:
            try:
                item.photo = records.photo_plan(path.parent, photo, old, real_dirs)
            except ValueError as exc:
                problems.append(f"{name}:{row.line}: photo: {exc}")
        if fields_has_photo:
            fields["photo"] = None if item.photo is None else "set"
        planned.append(item)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        hidden = len(problems) - MAX_PROBLEMS_SHOWN
        problems = [*problems[:MAX_PROBLEMS_SHOWN], f"{name}: ... and {hidden} more problems"]
    if problems:
        return None, problems
    return Plan(path, planned, notes, tuple(source.columns or ())), []


def _rows(plan: Plan) -> list[tuple[int, dict[str, Any], PhotoPlan | None]]:
    return [(item.line, item.fields, item.photo) for item in plan.residents]


def _nothing_imported(merged: Merged, path: Path) -> None:
    if merged.problems:
        raise UserError(
            [*merged.problems, f"{path}: nothing was imported (fix the lines above and run it again)"]
        )


def preview_import(plan: Plan, records: ResidentRecords) -> Outcome:
    """What :func:`apply_import` would do now (for ``--dry-run``); raises UserError like it."""
    merged = merge(_rows(plan), records.stored_docs(), str(plan.path), records)
    _nothing_imported(merged, plan.path)
    return merged.outcome


def apply_import(
    plan: Plan, records: ResidentRecords, *, accept_safety: bool = False, now: datetime | None = None
) -> Outcome:
    """Write the plan under the folder's lock, all at once (see :meth:`ResidentRecords.change`). Without
    ``accept_safety``, a plan that lowers anyone's safety changes nothing but withdrawn consent
    (``outcome.stopped``)."""
    results: list[Merged] = []

    def decide(table: dict[str, Any]) -> Any:
        merged = merge(_rows(plan), table, str(plan.path), records, accept_safety=accept_safety)
        _nothing_imported(merged, plan.path)
        results.append(merged)
        return merged.write, merged.applied_changes, merged.outcome.added_ids

    records.change(decide, f"import {plan.path.name}", now or datetime.now(UTC))
    return results[-1].outcome


def import_file(
    path: Path,
    records: ResidentRecords,
    *,
    dry_run: bool = False,
    accept_safety: bool = False,
    date_order: str = "dmy",
    today: date | None = None,
) -> tuple[Plan, Outcome]:
    """Check ``path`` and (unless ``dry_run``) import it: the whole of ``kiosk residents import``, for
    callers such as ``kiosk demo-content`` and the staff screen. Raises :class:`UserError` with every problem;
    nothing changes then. ``outcome.stopped``: changes lowering safety were not accepted (nothing but
    withdrawn consent was changed)."""
    plan, problems = plan_import(path, records, today, date_order=date_order)
    if plan is None:
        raise UserError([*problems, f"{path}: nothing was imported (fix the lines above and run it again)"])
    try:
        if dry_run:
            outcome = preview_import(plan, records)
        else:
            outcome = apply_import(plan, records, accept_safety=accept_safety)
    except OSError as exc:
        raise UserError(
            f"{records.root}: could not write the data folder ({exc.strerror or exc}); nothing was imported"
        ) from None
    describe_effects(outcome, records, details=dry_run)
    return plan, outcome


def describe_effects(outcome: Outcome, records: ResidentRecords, *, details: bool) -> None:
    """Fill ``outcome``'s warnings (avoid entries that match no song) and, for a dry run, its details (what
    each avoid entry removes, the first songs, youth coverage: :mod:`kiosk.domain.preview`), against the
    library as scanned now. Details are given for the first DETAILED_MAX residents; warnings for everyone."""
    if not (outcome.in_file if details else outcome.profiles):
        return
    songs = list(records.songs())
    if not songs:
        if details:
            outcome.details.append(
                "the music library is empty: run `kiosk scan` to see what avoid lists remove"
            )
        return
    described = [r for _, r in outcome.in_file[:DETAILED_MAX]] if details else []
    for preview in preview_residents(described, songs, now=datetime.now(UTC)):
        outcome.details.extend(preview.lines())
    rest = outcome.profiles[len(described) :] if details else outcome.profiles  # warnings for these
    more = len(outcome.added) + len(outcome.updated) + len(outcome.unchanged) - len(described)
    if details and more > 0:
        outcome.details.append(f"(and {more} more residents, not described here)")
    cat = Columns(songs)
    matches: dict[tuple[str, str], bool] = {}
    for who, resident in rest:
        for name in AVOID_FIELDS:
            for entry in getattr(resident, name):
                key = (name, entry.casefold())
                if key not in matches:
                    rules = AvoidRules(**{name.removeprefix("avoid_"): [entry]})
                    matches[key] = bool(rules.blocked(cat))
                if not matches[key]:
                    outcome.warnings.append(f"{who}: {unmatched_warning(name, entry, cat)}")
