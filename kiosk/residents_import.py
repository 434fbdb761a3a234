"""Importing residents: check everything first, then change everything at once (or nothing).

:func:`plan_import` reads the file (:mod:`kiosk.residents_files`), validates every row (rules in
:mod:`kiosk.domain.residents`), resolves photos and re-encodes only the new ones (:mod:`kiosk.adapters.photos`),
and collects every problem as ``FILE:LINE: field: message``. :func:`apply_import` merges the plan into the
stored profiles in memory and writes the table once, under the folder's lock (:mod:`kiosk.residents_merge`
decides what each row changes). A column absent from the file leaves that field as it is; an empty cell clears
it. Changes that lower safety are applied only with ``accept_safety``; withdrawn consent applies at once.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from kiosk.adapters import profile_history
from kiosk.adapters import residents as store
from kiosk.adapters.atomic import fsync_dir
from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.photos import reencode_photo, resolve_photo
from kiosk.adapters.residents_migrate import is_current, mark_current, split_in_table, tell_staff
from kiosk.domain.models import Consent
from kiosk.domain.preview import AVOID_FIELDS, preview_residents, unmatched_warning
from kiosk.domain.scoring import Columns
from kiosk.domain.songfit import AvoidRules
from kiosk.domain.residents import validate_row
from kiosk.errors import UserError
from kiosk.residents_files import read_rows
from kiosk.residents_merge import IN_FILE_KEPT, Merged, Outcome, PhotoPlan, merge

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


def _stored_by_staff_id(data: DataFolder | None) -> dict[str, dict[str, Any]]:
    if data is None:
        return {}
    docs = dict(data.read(store.STORE).storage.read() or {}).get(store.TABLE, {}).values()
    return {str(d.get("staff_id", "")).casefold(): d for d in docs}


def _photo_plan(base: Path, value: str, old: dict[str, Any] | None, real_dirs: dict[str, str]) -> PhotoPlan:
    """The photo a row names: unchanged ones (same file, or same bytes, as last imported) are not re-encoded."""
    src = resolve_photo(base, value, real_dirs)
    st = src.stat()
    stamp = [value, st.st_size, st.st_mtime_ns]
    extra = dict((old or {}).get("extra") or {}) if old and old.get("photo") else {}
    if extra.get("photo_src_stamp") == stamp:
        return PhotoPlan(src, stamp, str(extra.get("photo_sha256")), None)
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    if sha in (extra.get("photo_sha256"), extra.get("photo_stored_sha256")):
        return PhotoPlan(src, stamp, sha, None)
    return PhotoPlan(src, stamp, sha, reencode_photo(src))


def plan_import(
    path: Path, today: date | None = None, *, data: DataFolder | None = None, date_order: str = "dmy"
) -> tuple[Plan | None, list[str]]:
    """Read and check everything (photos too) without changing the data folder; every problem at once.
    With ``data``, photos already stored (the same file as last time) are not decoded again."""
    today = today or date.today()
    source, problems = read_rows(path)
    if source is None:
        return None, problems
    problems = list(source.problems)
    name = str(path)
    if source.columns is not None and "id" not in source.columns:
        return None, problems  # without ids no row can be matched to anyone: the header says it all
    stored = _stored_by_staff_id(data)
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
                item.photo = _photo_plan(path.parent, photo, old, real_dirs)
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


def _table(raw: dict[str, Any], now: datetime) -> tuple[dict[str, Any], list[str], list[dict[str, Any]]]:
    """The residents table of a store's raw data, with lists stored the old way split (in memory):
    (table, staff ids whose lists were split, their history documents)."""
    table = dict(raw.get(store.TABLE, {}))
    if is_current(raw):
        return table, [], []
    changed, history = split_in_table(table, now)
    return table, changed, history


def preview_import(plan: Plan, data: DataFolder) -> Outcome:
    """What :func:`apply_import` would do now (for ``--dry-run``); raises UserError like it."""
    table, _, _ = _table(dict(data.read(store.STORE).storage.read() or {}), datetime.now(UTC))
    merged = merge(_rows(plan), table, str(plan.path))
    if merged.problems:
        raise UserError([*merged.problems, f"{plan.path}: nothing was imported (fix the lines above and run it again)"])
    return merged.outcome


def _write(data: DataFolder, merged: Merged, raw: dict[str, Any], table: dict[str, Any], db: Any) -> list[tuple[Path, Path]]:
    """Put the merged profiles into the table (in memory), stage new photos; the caller commits."""
    staged = store.stage_photos(data, [(r.resident_id, jpeg) for r, jpeg in merged.write if jpeg is not None])
    key_of = {str(doc.get("resident_id")): key for key, doc in table.items()}
    next_id = max((int(k) for k in table), default=0) + 1
    for resident, _jpeg in merged.write:
        key = key_of.get(resident.resident_id)
        if key is None:
            key, next_id = str(next_id), next_id + 1
        table[key] = store.resident_to_doc(resident)
    raw[store.TABLE] = table
    mark_current(raw)  # split_old_lists ran first, under the same lock
    db.storage.write(raw)
    return staged


def apply_import(
    plan: Plan, data: DataFolder, *, accept_safety: bool = False, now: datetime | None = None
) -> Outcome:
    """Write the plan under the folder's lock: new photos are staged beside their final names, every profile
    goes in one atomic write of the table, and only once that is on disk are the photos moved into place (or
    removed) and the changes added to the profile history. Without ``accept_safety``, a plan that lowers
    anyone's safety changes nothing but withdrawn consent (``outcome.stopped``)."""
    now = now or datetime.now(UTC)
    staged: list[tuple[Path, Path]] = []
    with data.locked():
        try:
            with data.write(store.STORE) as db:
                raw = db.storage.read() or {}
                # an upgraded kiosk's old lists are split first, so the report compares like with like
                table, split, split_history = _table(raw, now)
                merged = merge(_rows(plan), table, str(plan.path), accept_safety=accept_safety)
                if merged.problems:
                    raise UserError(
                        [*merged.problems, f"{plan.path}: nothing was imported (fix the lines above and run it again)"]
                    )
                if merged.write or not is_current(raw):
                    staged = _write(data, merged, raw, table, db)
        except BaseException:
            for tmp, _ in staged:
                tmp.unlink(missing_ok=True)
            raise
        for tmp, final in staged:
            os.replace(tmp, final)
        if staged:
            fsync_dir(data.root / store.PHOTO_DIR)
        for resident, _jpeg in merged.write:
            if resident.photo is None:
                store.delete_photo(data, store.photo_relpath(resident.resident_id))
        source = f"import {plan.path.name}"
        docs: list[dict[str, Any]] = list(split_history)
        for resident_id in merged.outcome.added_ids:
            docs += profile_history.added(resident_id, source, now)
        for resident_id, changes in merged.applied_changes:
            docs += profile_history.entries(resident_id, changes, source, now)
        profile_history.record(data, docs)
    tell_staff(data, split)
    return merged.outcome


def import_file(
    path: Path,
    data: DataFolder,
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
    plan, problems = plan_import(path, today, data=data, date_order=date_order)
    if plan is None:
        raise UserError([*problems, f"{path}: nothing was imported (fix the lines above and run it again)"])
    try:
        if dry_run:
            outcome = preview_import(plan, data)
        else:
            outcome = apply_import(plan, data, accept_safety=accept_safety)
    except OSError as exc:
        raise UserError(
            f"{data.root}: could not write the data folder ({exc.strerror or exc}); nothing was imported"
        ) from None
    describe_effects(outcome, data, details=dry_run)
    return plan, outcome


def describe_effects(outcome: Outcome, data: DataFolder, *, details: bool) -> None:
    """Fill ``outcome``'s warnings (avoid entries that match no song) and, for a dry run, its details (what
    each avoid entry removes, the first songs, youth coverage: :mod:`kiosk.domain.preview`), against the
    library as scanned now. Details are given for the first DETAILED_MAX residents; warnings for everyone."""
    if not (outcome.in_file if details else outcome.profiles):
        return
    songs = list(TinyCatalogue(data).songs())
    if not songs:
        if details:
            outcome.details.append("the music library is empty: run `kiosk scan` to see what avoid lists remove")
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
