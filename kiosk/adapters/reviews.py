"""Songs stopped as upsetting, waiting for staff to decide: the store "reviews" (table "reviews").

Written when "this song upsets" stops a song (one document per resident present, each naming the resident
whatever their consent: a safety record, not a listening record), removed when staff decide. Selection reads
it at every session start, so the song stays out for those residents until then, across restarts.
"""

from __future__ import annotations

from typing import Any

from kiosk.adapters.docstore import DataFolder

STORE = "reviews"
TABLE = "reviews"


def review_docs(data: DataFolder) -> list[dict[str, Any]]:
    """Every review still waiting (empty when the store was never written)."""
    if not data.path(STORE).exists():
        return []
    return [dict(d) for d in data.read(STORE).table(TABLE).all()]
