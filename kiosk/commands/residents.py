"""`kiosk residents import FILE [--dry-run] [--accept-safety-changes] | list [--json] | export FILE | remove ID |
history [ID] [--since DATE]`: resident profiles."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from kiosk.adapters import profile_history
from kiosk.adapters.atomic import atomic_write_bytes
from kiosk.adapters.csv_safe import csv_writer
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.resident_records import ResidentRecords
from kiosk.adapters.residents import ResidentsStore, resident_to_doc
from kiosk.adapters.residents_migrate import split_old_lists
from kiosk.app.residents_import import import_file
from kiosk.domain.models import Consent, Resident
from kiosk.domain.residents import COLUMNS, to_row
from kiosk.errors import UserError


def register(sub: Any) -> None:
    p = sub.add_parser("residents", help="import, list, export or remove resident profiles")
    rsub = p.add_subparsers(dest="residents_command", metavar="ACTION")
    rsub.required = True

    imp = rsub.add_parser("import", help="load profiles from a CSV or JSON file (all or nothing)")
    imp.add_argument("file", metavar="FILE", help="residents.csv or residents.json")
    imp.add_argument("--dry-run", action="store_true", help="check the file and show what would change")
    imp.add_argument(
        "--accept-safety-changes",
        action="store_true",
        help="also apply changes that lower safety (avoid entries removed, volume limit raised or cleared, "
        "consent changed to yes or not recorded); without it such an import changes nothing",
    )
    imp.set_defaults(func=run_import)

    hist = rsub.add_parser(
        "history", help="what changed in the profiles: field, old -> new, when, from where"
    )
    hist.add_argument("id", metavar="ID", nargs="?", help="one resident's id (default: everyone)")
    hist.add_argument("--since", metavar="DATE", help="only changes from this date on (2025-03-01)")
    hist.set_defaults(func=run_history)

    lst = rsub.add_parser("list", help="list the residents in the kiosk")
    lst.add_argument("--json", action="store_true", help="machine-readable output")
    lst.set_defaults(func=run_list)

    exp = rsub.add_parser("export", help="write every profile to a file that import reads back")
    exp.add_argument(
        "file", metavar="FILE", help="residents.csv (or .json); photos go into photos/ beside it"
    )
    exp.add_argument("--force", action="store_true", help="replace FILE if it exists")
    exp.set_defaults(func=run_export)

    sch = rsub.add_parser(
        "schedule",
        help='add a time slot to a resident\'s day, e.g. a calm-ahead proposal: schedule A12 "14:30-15:30 relax"',
    )
    sch.add_argument("id", metavar="ID", help="the resident's id (as in the residents file)")
    sch.add_argument("slots", metavar="SLOTS", help='e.g. "14:30-15:30 relax" (several separated by ";")')
    sch.add_argument("--replace", action="store_true", help="replace the whole schedule instead of adding")
    sch.set_defaults(func=run_schedule)

    rm = rsub.add_parser("remove", help="erase a resident's profile and photo for good")
    rm.add_argument("id", metavar="ID", help="the resident's id (as in the residents file)")
    rm.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    rm.set_defaults(func=run_remove)


def _data(ctx: Any) -> DataFolder:
    return DataFolder(ctx.data_dir)


def _data_migrated(ctx: Any) -> DataFolder:
    """The data folder, with profiles stored the old way upgraded first (once; see residents_migrate)."""
    data = _data(ctx)
    changed = split_old_lists(data)
    if changed:
        print(f"note: lists stored the old way were split at ';' for: {', '.join(changed)}")
    return data


def _date_order(ctx: Any) -> str:
    try:
        return str(ctx.config(strict=False).residents.date_order)
    except Exception:  # a broken kiosk.toml must not stop an import: the default order applies
        return "dmy"


def run_import(args: argparse.Namespace, ctx: Any) -> int:
    path = Path(args.file)
    plan, outcome = import_file(
        path,
        ResidentRecords(_data(ctx)),  # old lists are split by the import itself, under its lock
        dry_run=args.dry_run,
        accept_safety=args.accept_safety_changes,
        date_order=_date_order(ctx),
    )
    for note in plan.notes:
        print(f"note: {note}")
    print(f"{path}: {len(plan.residents)} residents read")
    if plan.columns and len(plan.columns) < len(COLUMNS):
        print(f"  columns in this file: {', '.join(plan.columns)}; every other field is left as it is")
    for line in outcome.lines():
        print(f"  {line}")
    safety = len(outcome.safety())
    if args.dry_run:
        if safety:
            print(f"{safety} change(s) lower safety: importing will need --accept-safety-changes.")
        print("Dry run: nothing was changed.")
        return 0
    if outcome.stopped:
        withdrawn = " except the consent withdrawn above, which applies at once" if outcome.withdrawn else ""
        print(
            f"Nothing was imported{withdrawn}: {safety} change(s) lower safety (listed above). Check them, "
            "then run the import again with --accept-safety-changes.",
            file=sys.stderr,
        )
        return 1
    print(
        f"Imported: {len(outcome.added)} new, {len(outcome.updated)} updated, "
        f"{len(outcome.unchanged)} unchanged."
    )
    return 0


def run_history(args: argparse.Namespace, ctx: Any) -> int:
    data = _data_migrated(ctx)
    store = ResidentsStore(data)
    resident_id = None
    if args.id:
        resident = store.by_staff_id(args.id) or store.get(args.id)
        if resident is None:
            raise UserError(f"no resident with id {args.id!r} (kiosk residents list shows the ids)")
        resident_id = resident.resident_id
    since = None
    if args.since:
        try:
            since = datetime.combine(date.fromisoformat(args.since), time(), tzinfo=UTC)
        except ValueError:
            raise UserError(
                f"--since {args.since!r}: write the date as year-month-day, e.g. 2025-03-01"
            ) from None
    names = {r.resident_id: r.staff_id for r in store.all()}
    entries = profile_history.history(data, since, resident_id)
    if not entries:
        print("No profile changes" + (f" since {args.since}." if args.since else " recorded yet."))
        return 0
    for e in entries:
        who = names.get(str(e.get("resident_id")), "(removed)")
        print(
            f"{e.get('at')}  {who}  {e.get('field')}: {e.get('old')} -> {e.get('new')}  [{e.get('source')}]"
        )
    return 0


def _consent_text(r: Resident) -> str:
    if r.consent == Consent.UNKNOWN:
        return "consent not recorded"
    when = f" ({r.consent_date})" if r.consent_date else ""
    if r.consent == Consent.NO:
        return f"no{when}: music only, nothing recorded"
    return f"yes{when}"


def run_list(args: argparse.Namespace, ctx: Any) -> int:
    residents = ResidentsStore(_data_migrated(ctx)).all()
    if args.json:
        docs = []
        for r in residents:
            doc = resident_to_doc(r)
            doc.pop("extra", None)
            doc["consent_recorded"] = r.consent != Consent.UNKNOWN
            docs.append(doc)
        print(json.dumps(docs, ensure_ascii=False, indent=2))
        return 0
    if not residents:
        print("No residents yet. Load them with: kiosk residents import residents.csv")
        return 0
    rows = [("ID", "NAME", "BORN", "ROOM", "CONSENT", "PHOTO")]
    for r in residents:
        name = r.first_name if not r.preferred_name else f"{r.preferred_name} ({r.first_name})"
        rows.append(
            (
                r.staff_id,
                name,
                str(r.birth_year),
                r.room or "lounge",
                _consent_text(r),
                "yes" if r.photo else "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    missing = sum(1 for r in residents if r.consent == Consent.UNKNOWN)
    if missing:
        print(f"\n{missing} resident(s) without recorded consent: their listening is logged as usual.")
    return 0


def _photo_name(staff_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", staff_id) + ".jpg"


def run_export(args: argparse.Namespace, ctx: Any) -> int:
    dest = Path(args.file)
    if dest.exists() and not args.force:
        raise UserError(f"{dest}: already exists (use --force to replace it)")
    if not dest.parent.is_dir():
        raise UserError(f"{dest.parent}: no such folder")
    store = ResidentsStore(_data_migrated(ctx))
    residents = store.all()
    rows = []
    for r in residents:
        photo = ""
        src = store.photo_path(r)
        if src is not None:
            photo = f"photos/{_photo_name(r.staff_id)}"
            (dest.parent / "photos").mkdir(mode=0o700, exist_ok=True)
            atomic_write_bytes(dest.parent / photo, src.read_bytes())
        rows.append(to_row(r, photo=photo))
    if dest.suffix.casefold() == ".json":
        data = json.dumps(rows, ensure_ascii=False, indent=2).encode("utf-8")
    else:
        buf = io.StringIO(newline="")
        writer = csv_writer(
            buf, lineterminator="\r\n"
        )  # formula-like cells escaped (kiosk.adapters.csv_safe)
        writer.writerow(COLUMNS)
        writer.writerows([row[c] for c in COLUMNS] for row in rows)
        data = buf.getvalue().encode("utf-8-sig")  # the BOM makes Excel show accents right
    atomic_write_bytes(dest, data)
    os.chmod(dest, 0o600)
    print(f"{dest}: {len(rows)} residents exported (the file holds personal data: keep it safe)")
    return 0


def run_schedule(args: argparse.Namespace, ctx: Any) -> int:
    """Add slots to a resident's schedule (slots they overlap are replaced); recorded in the profile history and,
    for a resident who agreed to records, in the calm-ahead log as accepted."""
    from datetime import datetime

    from kiosk.adapters.calm_ahead_store import CalmAheadStore
    from kiosk.domain.calm_ahead import with_slot
    from kiosk.domain.schedule import format_schedule, parse_schedule

    try:
        slots = parse_schedule(args.slots)
    except ValueError as exc:
        raise UserError(f"SLOTS: {exc}") from None
    if not slots:
        raise UserError('SLOTS: give at least one slot, e.g. "14:30-15:30 relax"')
    data = _data_migrated(ctx)
    store = ResidentsStore(data)
    found = [r for r in store.all() if r.staff_id == args.id]
    if not found:
        raise UserError(f"no resident with the id {args.id!r} (see `kiosk residents list`)")
    resident = found[0]
    schedule = () if args.replace else resident.schedule
    for slot in slots:
        schedule = with_slot(schedule, slot)
    store.edit(resident.resident_id, source="kiosk residents schedule", schedule=schedule)
    if resident.journaled:
        calm = CalmAheadStore(data)
        for slot in slots:
            calm.accepted(
                resident.resident_id, format_schedule((slot,)), datetime.now().astimezone(), "command line"
            )
    before = format_schedule(resident.schedule) or "(none)"
    print(f"{args.id}: schedule {before} -> {format_schedule(schedule)}")
    return 0


def run_remove(args: argparse.Namespace, ctx: Any) -> int:
    store = ResidentsStore(_data(ctx))
    resident = store.by_staff_id(args.id) or store.get(args.id)
    if resident is None:
        raise UserError(f"no resident with id {args.id!r} (kiosk residents list shows the ids)")
    if not args.yes and sys.stdin.isatty():
        name = resident.display_name
        answer = input(f"Erase {resident.staff_id} ({name}) for good: profile and photo? [y/N] ")
        if answer.strip().casefold() not in ("y", "yes"):
            print("Nothing was erased.")
            return 1
    store.remove(resident.resident_id)
    print(
        f"Removed {resident.staff_id}: profile, photo and every copy of them in the data folder erased "
        "(rotating store copies, staged photos, report cache, dashboard charts)."
    )
    print(
        "What remains: the journal and session rollups keep this resident's opaque id with listening and "
        "observation records. They are pseudonymous, not anonymous, until every backup that links the id to "
        "this person has aged out. Restoring a backup never brings the profile back."
    )
    for line in backups_holding(ctx.data_dir, resident.resident_id, date.today()):
        print(line)
    return 0


def backups_holding(data_dir: Path, resident_id: str, today: date) -> list[str]:
    """What `residents remove` says about backups that still hold the resident (from backup-log.jsonl)."""
    from kiosk.adapters import backup_log

    logged = backup_log.entries(data_dir)
    holding = [e for e in logged if resident_id in e.resident_ids]
    if not holding:
        return [f"No backup noted in {data_dir / backup_log.LOG_NAME} holds this resident."]
    lines = ["Backups that still hold the profile:"]
    for e in holding:
        made = e.made_on() or "?"
        if e.where == "local":
            lines.append(
                f"  {e.path} (on this Pi, made {made}): rewritten without them by the next nightly backup run"
            )
        elif e.where == "usb":
            out = backup_log.ages_out(e, logged, today)
            lines.append(
                f"  {e.path} (encrypted, backup stick, made {made}): deleted by the rotation around {out}, "
                f"when {e.keep} newer backups are on the stick; delete it sooner by hand if you can"
            )
        else:
            lines.append(
                f"  {e.path} (made by hand with `kiosk backup`, {made}): kept until someone deletes it"
            )
    return lines
