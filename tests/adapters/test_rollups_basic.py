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


def test_writer_thread_stores_off_the_callers_thread_and_reads_see_every_write(data_dir):
    import threading

    from kiosk.adapters.rollups import RollupWriter

    threads: list[str] = []

    class Watched(RollupStore):
        def add(self, rollup):  # type: ignore[no-untyped-def]
            threads.append(threading.current_thread().name)
            if rollup["session_id"] == "bad":
                raise ValueError("a bug")  # logged, dropped; a refusing disk (OSError) is held: tests/storage
            super().add(rollup)

    writer = RollupWriter(Watched(DataFolder(data_dir)))
    writer.add({"session_id": "bad", "started_at": "2026-06-01T09:00:00+00:00"})  # logged, not fatal
    for i in range(5):
        writer.add({"session_id": f"s{i}", "started_at": "2026-06-01T09:00:00+00:00"})
    writer.add_observation("2026-06-01T09:00:00+00:00", {"session_id": "s1", "scales": {"interest": 50}})
    assert sorted(s["session_id"] for s in writer.sessions()) == ["s0", "s1", "s2", "s3", "s4"]
    assert [o["session_id"] for o in writer.observations()] == ["s1"]
    assert set(threads) == {"rollup-writer"}
    writer.add({"session_id": "s5", "started_at": "2026-06-02T09:00:00+00:00"})
    writer.close()  # drains the queue before the thread stops
    assert "s5" in {s["session_id"] for s in RollupStore(DataFolder(data_dir)).sessions()}
