"""What a person (or staff's IT volunteer) would find in the data folder: journal lines, rollups, set-aside
files and staff notes. Read straight from the files, as JSON, without the kiosk's own readers."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def events(data_dir: Path, type_: str | None = None) -> list[dict[str, Any]]:
    """Every complete journal line, oldest first (of one ``type`` when given)."""
    out = []
    for day in sorted((Path(data_dir) / "events").glob("*.jsonl")):
        for line in day.read_text(encoding="utf-8").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a torn last line
            if type_ is None or event.get("type") == type_:
                out.append(event)
    return out


def rollups(data_dir: Path) -> list[dict[str, Any]]:
    """Every session rollup in the monthly stores."""
    out = []
    for month in sorted(Path(data_dir).glob("rollups-*.json")):
        doc = json.loads(month.read_bytes())
        by_id = {d["session_id"]: d for d in doc.get("sessions", {}).values()}
        log = month.with_suffix(".jsonl")  # the month's appended rollups: the last line of a session wins
        for line in log.read_bytes().splitlines() if log.exists() else []:
            with contextlib.suppress(ValueError):
                d = json.loads(line)
                by_id.pop(d["session_id"], None)
                if not d.get("_deleted"):
                    by_id[d["session_id"]] = d
        out += list(by_id.values())
    return out


def set_aside(data_dir: Path) -> list[str]:
    """Files the kiosk renamed as damaged."""
    return sorted(p.name for p in Path(data_dir).rglob("*.damaged-*"))


def staff_notes(data_dir: Path) -> list[dict[str, Any]]:
    """The "needs attention" notes for staff."""
    path = Path(data_dir) / "attention.json"
    return list(json.loads(path.read_bytes())) if path.exists() else []


def resident_id(data_dir: Path, staff_id: str) -> str:
    """The opaque id of the resident imported as ``staff_id`` (e.g. "D-01")."""
    doc = json.loads((Path(data_dir) / "residents.json").read_bytes())
    for resident in doc["residents"].values():
        if resident.get("staff_id") == staff_id or resident.get("id") == staff_id:
            return str(resident["resident_id"])
    raise LookupError(f"no resident {staff_id} in {data_dir}")


def wait_until(what: Callable[[], T], timeout_s: float = 5.0, every_s: float = 0.1) -> T:
    """Poll ``what()`` until it returns something truthy (files written by the kiosk's own threads)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = what()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(every_s)
