"""Backup freshness: is there a copy of the kiosk's data off this Pi, and is it recent?

Reads ``<data>/backup-log.jsonl`` (one JSON object a line, written by kiosk-backup.sh and ``kiosk backup``:
``name``, ``made_at`` in ISO 8601 UTC, ``where`` = usb | local | other, ``path``, ``resident_ids``). A copy on
the Pi's own SD card dies with the card, so only ``usb`` and ``other`` count. Old or missing is a WARN, never a
FAIL: the kiosk plays music all the same, but staff should plug the backup stick in.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kiosk.doctor.rows import OK, WARN, Check

LOG_NAME = "backup-log.jsonl"
OFF_PI = ("usb", "other")
MAX_AGE = timedelta(days=3)
HINT = (
    "plug in the USB stick named ENCOREBKUP and leave it in overnight (or: sudo systemctl start kiosk-backup)"
)


def newest_off_pi_backup(data_dir: Path) -> datetime | None:
    """When the newest backup that left the Pi was made; None when the log has none. Bad lines are skipped."""
    try:
        text = (data_dir / LOG_NAME).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    newest: datetime | None = None
    for line in text.splitlines():
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict) or entry.get("where") not in OFF_PI:
                continue
            made = datetime.fromisoformat(str(entry["made_at"]))
        except (ValueError, KeyError, TypeError):
            continue  # a torn last line after a power cut, or a hand-edited one
        made = made.replace(tzinfo=UTC) if made.tzinfo is None else made.astimezone(UTC)
        if newest is None or made > newest:
            newest = made
    return newest


def check_backups(data_dir: Path, now: datetime | None = None) -> Check:
    now = now or datetime.now(UTC)
    newest = newest_off_pi_backup(Path(data_dir))
    if newest is None:
        return Check(
            WARN, "backup", "no backup has left this Pi yet (a dead SD card would lose everything)", HINT
        )
    age = now - newest
    stamp = newest.strftime("%Y-%m-%d %H:%M UTC")
    if age > MAX_AGE:
        return Check(WARN, "backup", f"newest backup off this Pi: {stamp}, {age.days} days old", HINT)
    return Check(OK, "backup", f"newest backup off this Pi: {stamp}")
