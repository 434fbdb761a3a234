from __future__ import annotations

from datetime import date

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.rollups import RollupStore


def test_rollups_split_by_month_and_filter_by_date(data_dir):
    store = RollupStore(DataFolder(data_dir))
    store.add({"session_id": "a", "started_at": "2026-05-31T20:00:00+00:00"})
    store.add({"session_id": "b", "started_at": "2026-06-01T09:00:00+00:00"})
    store.add({"session_id": "b", "started_at": "2026-06-01T09:00:00+00:00", "likes": 2})
    assert sorted(p.name for p in data_dir.glob("rollups-*.json")) == [
        "rollups-2026-05.json",
        "rollups-2026-06.json",
    ]
    june = list(store.sessions(date(2026, 6, 1), date(2026, 6, 30)))
    assert [(s["session_id"], s.get("likes")) for s in june] == [("b", 2)]
    assert {s["session_id"] for s in store.sessions()} == {"a", "b"}
