"""`kiosk backup DIR` and `kiosk restore DIR`: a consistent copy of the data folder, and putting it back.

Logic in :mod:`kiosk.adapters.backup`. Both exit 1 with a clear message for a bad or missing backup.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kiosk.errors import UserError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "backup",
        help="copy the data folder into DIR (consistent, taken under the lock)",
        description="Copy residents, catalogue, settings, the event journal, rollups and photos into DIR "
        "(a new or empty folder), with a manifest of sizes and checksums.",
    )
    p.add_argument("dir", metavar="DIR", help="a new or empty folder, e.g. /media/usb/encore-2026-11-27")
    p.set_defaults(func=run)
    r = sub.add_parser(
        "restore",
        help="replace the data folder with the backup in DIR (erased residents stay erased)",
        description="Check the backup in DIR, then replace the data folder's content with it. Residents "
        "erased since the backup was taken are removed again. Stop the kiosk first "
        "(sudo systemctl stop kiosk).",
    )
    r.add_argument("dir", metavar="DIR", help="a folder made by 'kiosk backup'")
    r.set_defaults(func=run)


def _mb(size_bytes: int) -> str:
    return f"{size_bytes / 1e6:.1f} MB"


def run(args: argparse.Namespace, ctx: Any) -> int:
    from kiosk.adapters.backup import BackupError, create_backup, restore_backup
    from kiosk.adapters.docstore import DataFolder

    target = Path(args.dir).expanduser()
    try:
        if args.command == "backup":
            if not ctx.data_dir.is_dir():
                raise UserError(f"{ctx.data_dir}: no data folder here; nothing to back up")
            made = create_backup(DataFolder(ctx.data_dir), target)
            print(f"Backed up {made.files} files ({_mb(made.size_bytes)}) from {ctx.data_dir} to {target}.")
            return 0
        done = restore_backup(DataFolder(ctx.data_dir), target)
    except BackupError as exc:
        raise UserError(exc.problems) from None
    print(f"Restored {done.files} files from {target} (backup taken {done.created_at}) into {ctx.data_dir}.")
    if done.removed:
        print(f"Removed {done.removed} files that were not in the backup.")
    if done.erased_again:
        print(f"{done.erased_again} resident(s) erased since the backup was taken were removed again.")
    return 0
