"""Calm ahead's store ``"calm-ahead"``: recent "Restless now" notes and the log of proposals and acceptances.

Table ``"notes"``: ``{"resident_id", "at"}`` (ISO, with offset), kept for :data:`KEEP_DAYS` days (the rule looks
back 4 weeks), so the store stays small and a tap never reads a month of rollups. The same note is also an
observation in the monthly rollups (for reports) and a journal event. Table ``"log"``: ``{"resident_id",
"action": "proposed" | "accepted", "slot": "14:30-15:30 relax", "at", "source", "notes", "days"}``, one entry per
new proposal and per acceptance. Residents appear only as their opaque id; erasing one removes their entries
(:func:`erase`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.erase_rows import erase_rows
from kiosk.domain.calm_ahead import LOOKBACK_DAYS, Proposal, propose
from kiosk.domain.models import ScheduleSlot

STORE = "calm-ahead"
KEEP_DAYS = LOOKBACK_DAYS + 7


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


class CalmAheadStore:
    def __init__(self, data: DataFolder):
        self.data = data

    def add_note(self, resident_id: str, at: datetime) -> None:
        """Remember a note (and forget notes older than KEEP_DAYS)."""
        cutoff = _iso(at - timedelta(days=KEEP_DAYS))
        with self.data.write(STORE) as db:
            table = db.table("notes")
            old = [d.doc_id for d in table.all() if str(d.get("at", "")) < cutoff]
            if old:
                table.remove(doc_ids=old)
            table.insert({"resident_id": resident_id, "at": _iso(at)})

    def notes(self, resident_id: str) -> list[datetime]:
        if not self.data.path(STORE).exists():
            return []
        out = []
        for d in self.data.read(STORE).table("notes").all():
            if d.get("resident_id") == resident_id:
                try:
                    out.append(datetime.fromisoformat(str(d["at"])))
                except (KeyError, ValueError):
                    continue
        return out

    def log(self, resident_id: str | None = None) -> list[dict[str, Any]]:
        if not self.data.path(STORE).exists():
            return []
        docs = [dict(d) for d in self.data.read(STORE).table("log").all()]
        return [d for d in docs if resident_id is None or d.get("resident_id") == resident_id]

    def check(
        self, resident_id: str, now: datetime, schedule: Sequence[ScheduleSlot], source: str
    ) -> Proposal | None:
        """The proposal the notes call for now (None when none, or when the schedule has it already); a new
        one (not proposed before for this slot) is logged."""
        proposal = propose(
            [n.astimezone(now.tzinfo) for n in self.notes(resident_id)], now, schedule=schedule
        )
        if proposal is None:
            return None
        known = {d.get("slot") for d in self.log(resident_id) if d.get("action") == "proposed"}
        if proposal.text not in known:
            self._append(
                {
                    "resident_id": resident_id,
                    "action": "proposed",
                    "slot": proposal.text,
                    "at": _iso(now),
                    "source": source,
                    "notes": proposal.notes,
                    "days": proposal.days,
                }
            )
        return proposal

    def accepted(self, resident_id: str, slot_text: str, now: datetime, source: str) -> None:
        self._append(
            {
                "resident_id": resident_id,
                "action": "accepted",
                "slot": slot_text,
                "at": _iso(now),
                "source": source,
            }
        )

    def _append(self, doc: dict[str, Any]) -> None:
        with self.data.write(STORE) as db:
            db.table("log").insert(doc)

    def erase(self, *resident_ids: str) -> int:
        """Remove every note and log entry of these residents (erasure), from the store and its rotating
        copies; how many were removed from the store. Cheap when none is mentioned (runs at every start)."""
        return erase_rows(self.data, STORE, ("notes", "log"), resident_ids)
