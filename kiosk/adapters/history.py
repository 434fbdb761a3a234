"""What selection learns from: each resident's recent plays, read from the session rollups.

Rollups are stored per month in ``rollups-YYYY-MM`` (see :mod:`kiosk.domain.events`); each has
``resident_ids`` and ``plays`` ``[{song_id, outcome, listened_s, liked, at}]``. This is the one place that
reads them for selection: swap it for a journal-based reader without touching the domain.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from kiosk.adapters.docstore import DataFolder


def _months_back(now: datetime, count: int) -> list[str]:
    year, month = now.year, now.month
    out = []
    for _ in range(count):
        out.append(f"rollups-{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out


def load_history(
    data: DataFolder, resident_ids: Iterable[str], now: datetime
) -> dict[str, list[dict[str, Any]]]:
    """resident_id -> plays of the last 13 months (empty when there are no rollups yet)."""
    wanted = set(resident_ids)
    history: dict[str, list[dict[str, Any]]] = {rid: [] for rid in wanted}
    for name in _months_back(now, 13):
        if not data.path(name).exists():
            continue
        try:
            db = data.read(name)
            docs = [doc for table in sorted(db.tables()) for doc in db.table(table).all()]
        except ValueError:  # a damaged month: learning simply has less to go on
            continue
        for doc in docs:
            ids = doc.get("resident_ids") or []
            plays = doc.get("plays") or []
            if not isinstance(ids, list) or not isinstance(plays, list):
                continue
            for rid in ids:
                if rid in wanted:
                    history[rid].extend(p for p in plays if isinstance(p, dict))
    return history
