"""`kiosk doctor`: check this machine and the kiosk's settings; a table of OK / WARN / FAIL with hints."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.doctor.rows import Check


def register(sub: Any) -> None:
    p = sub.add_parser(
        "doctor",
        help="check audio, libvlc, display, GPIO, storage, disk, clock and the config",
        description="Prints OK / WARN / FAIL per check with a hint. Exit 1 when anything FAILs.",
    )
    p.add_argument("--json", action="store_true", help="print the checks as JSON")
    p.set_defaults(func=run)


def format_table(rows: list[Check]) -> str:
    """The plain-text table: status, check, detail; a hint line under each WARN/FAIL row."""
    from kiosk.doctor.rows import FAIL, OK, WARN  # here: every `kiosk` command imports this module

    width = max((len(r.name) for r in rows), default=5)
    out = [f"{'':4}  {'CHECK':<{width}}  DETAIL"]
    for row in rows:
        first, *more = row.detail.splitlines() or [""]
        out.append(f"{row.status:<4}  {row.name:<{width}}  {first}")
        out.extend(f"{'':4}  {'':<{width}}    {line}" for line in more)
        if row.hint and row.status != OK:
            out.append(f"{'':4}  {'':<{width}}  -> {row.hint}")
    counts = {s: sum(r.status == s for r in rows) for s in (FAIL, WARN, OK)}
    out.append("")
    out.append(f"{counts[FAIL]} FAIL, {counts[WARN]} WARN, {counts[OK]} OK")
    return "\n".join(out)


def run(args: argparse.Namespace, ctx: Any) -> int:
    from kiosk.doctor import run_checks
    from kiosk.doctor.rows import FAIL

    config = ctx.config(strict=False)  # a bad config is a FAIL row, not an early exit
    rows = run_checks(config, ctx.data_dir, ctx.config_path)
    failed = any(r.status == FAIL for r in rows)
    if args.json:
        print(json.dumps({"ok": not failed, "checks": [r._asdict() for r in rows]}, indent=2))
    else:
        print(f"Encore kiosk doctor: config {ctx.config_path}, data {ctx.data_dir}\n")
        print(format_table(rows))
    return 1 if failed else 0
