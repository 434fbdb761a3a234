"""`kiosk backup DIR`, `kiosk restore DIR`: a consistent copy of the data folder, and putting it back.
`kiosk backup-record` and `kiosk scrub-backups` serve the nightly backup script (deploy/kiosk-backup.sh).

Logic in :mod:`kiosk.adapters.backup`, :mod:`kiosk.adapters.restore`, :mod:`kiosk.adapters.backup_log` and
:mod:`kiosk.adapters.backup_scrub`. All exit 1 with a clear message for a bad or missing backup.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from kiosk.errors import UserError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "backup",
        help="copy the data folder into DIR (consistent, taken under the lock)",
        description="Copy residents, catalogue, settings, the event journal, rollups and photos into DIR "
        "(a new or empty folder), with a manifest of sizes and checksums and the list of erased residents. "
        "The backup is noted in the data folder's backup-log.jsonl.",
    )
    p.add_argument("dir", metavar="DIR", help="a new or empty folder, e.g. /media/usb/encore-2026-11-27")
    p.add_argument(
        "--no-log", action="store_true", help="do not note it in backup-log.jsonl (kiosk-backup.sh notes it)"
    )
    p.set_defaults(func=run)
    r = sub.add_parser(
        "restore",
        help="replace the data folder with the backup in DIR (erased residents stay erased)",
        description="Check the backup in DIR, then replace the data folder's content with it. Residents "
        "erased here or in the backup's own list are left out. Stop the kiosk first "
        "(sudo systemctl stop kiosk).",
    )
    r.add_argument("dir", metavar="DIR", help="a folder made by 'kiosk backup'")
    r.set_defaults(func=run)
    rec = sub.add_parser(
        "backup-record",
        help="note a finished backup in backup-log.jsonl (used by kiosk-backup.sh)",
        description="Add a line to the data folder's backup-log.jsonl for the backup at PATH, from its "
        "manifest (which residents it holds, when it was made).",
    )
    rec.add_argument("path", metavar="PATH", help="where the backup now is (folder or .tar.gpg file)")
    rec.add_argument("--where", choices=("usb", "local", "other"), required=True)
    rec.add_argument("--manifest", metavar="FILE", help="its manifest.json ('-': standard input)")
    rec.add_argument("--keep", type=int, default=14, metavar="N", help="how many backups are kept there")
    rec.set_defaults(func=run_record)
    scrub = sub.add_parser(
        "scrub-backups",
        help="rewrite the backups in FOLDER without erased residents (the nightly root run)",
        description="Every backup folder in FOLDER that holds a resident erased in the data folder is "
        "rewritten without them (or deleted when it is too damaged to rewrite).",
    )
    scrub.add_argument("folder", metavar="FOLDER", help="e.g. /var/backups/kiosk")
    scrub.set_defaults(func=run_scrub)


def _mb(size_bytes: int) -> str:
    return f"{size_bytes / 1e6:.1f} MB"


def run(args: argparse.Namespace, ctx: Any) -> int:
    from kiosk.adapters import backup_log
    from kiosk.adapters.backup import BackupError, create_backup
    from kiosk.adapters.docstore import DataFolder
    from kiosk.adapters.restore import restore_backup
    from kiosk.wiring import upgrade_data_layout

    target = Path(args.dir).expanduser()
    try:
        if args.command == "backup":
            if not ctx.data_dir.is_dir():
                raise UserError(f"{ctx.data_dir}: no data folder here; nothing to back up")
            made = create_backup(DataFolder(ctx.data_dir), target)
            for rel in made.skipped:
                print(f"note: skipped {ctx.data_dir / rel}: it vanished during the copy", file=sys.stderr)
            if not args.no_log:
                entry = backup_log.LoggedBackup(
                    target.name, made.created_at, "other", str(target.absolute()), tuple(made.resident_ids)
                )
                backup_log.append(ctx.data_dir, entry)
            print(f"Backed up {made.files} files ({_mb(made.size_bytes)}) from {ctx.data_dir} to {target}.")
            return 0
        data = DataFolder(ctx.data_dir)
        done = restore_backup(data, target)
        upgrade_data_layout(data)  # a backup from an earlier version: its files in today's layout
    except BackupError as exc:
        raise UserError(exc.problems) from None
    print(f"Restored {done.files} files from {target} (backup taken {done.created_at}) into {ctx.data_dir}.")
    if done.removed:
        print(f"Removed {done.removed} files that were not in the backup.")
    if done.erased_again:
        print(f"{done.erased_again} resident(s) erased since the backup was taken were left out.")
    return 0


def run_record(args: argparse.Namespace, ctx: Any) -> int:
    from kiosk.adapters import backup_log

    where = Path(args.path)
    source = args.manifest or str(where / "manifest.json")
    try:
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        manifest = json.loads(raw)
        made_at = str(manifest["created_at"])
        ids = tuple(str(i) for i in manifest.get("resident_ids") or [])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UserError(f"{source}: not a backup manifest ({exc})") from None
    if not ctx.data_dir.is_dir():
        raise UserError(f"{ctx.data_dir}: no data folder here")
    name = where.name.removesuffix(".tar.gpg")
    backup_log.append(
        ctx.data_dir, backup_log.LoggedBackup(name, made_at, args.where, str(where), ids, args.keep)
    )
    return 0


def run_scrub(args: argparse.Namespace, ctx: Any) -> int:
    from kiosk.adapters import backup_log
    from kiosk.adapters.backup_scrub import scrub_backups
    from kiosk.adapters.erasures import erasures_at

    erasures = erasures_at(ctx.data_dir)
    done = scrub_backups(Path(args.folder), erasures)
    for path in done.rewritten:
        print(f"rewrote {path} without erased residents")
    for path in done.deleted:
        print(f"deleted {path}: it held an erased resident and was too damaged to rewrite")
    logged = {e.path: e for e in backup_log.entries(ctx.data_dir)}
    for path in [*done.rewritten, *done.deleted]:
        entry = logged.get(str(path))
        if entry is not None:  # the log says at once that this copy no longer holds them
            ids = tuple(i for i in entry.resident_ids if i not in erasures)
            backup_log.append(ctx.data_dir, replace(entry, resident_ids=ids))
    return 0
