"""Rollups per month as a store + an appended sessions log: adding is an append, a replaced rollup is its last
line, torn lines are skipped, old months move into their logs (through kills, and after restoring an older
backup), and every reader (TinyDB views, reports, learning, retention) sees the same month."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.history import load_history
from kiosk.adapters.rollups import RollupStore, month_stamp
from kiosk.cli import main
from tests.killing import child_seconds, run_and_kill


def _rollup(i: int, day: int = 3, **extra: object) -> dict[str, object]:
    return {
        "session_id": f"s{i:05d}",
        "started_at": f"2026-06-{day:02d}T10:{i % 60:02d}:00+00:00",
        "resident_ids": ["r1"],
        "clock_ok": True,
        "plays": [{"song_id": f"song{i % 7}", "outcome": "completed", "listened_s": 60.0, "liked": False}],
        **extra,
    }


def _old_month(data_dir: Path, n: int) -> list[dict[str, object]]:
    """A month as earlier versions stored it: every session in the store's sessions table."""
    docs = [_rollup(i) for i in range(n)]
    content = {
        "sessions": {str(k): d for k, d in enumerate(docs, 1)},
        "observations": {"1": {"session_id": "s00001", "scales": {"interest": 40}}},
    }
    (data_dir / "rollups-2026-06.json").write_text(json.dumps(content))
    return docs


def _ids(data_dir: Path) -> list[str]:
    return sorted(str(s["session_id"]) for s in RollupStore(DataFolder(data_dir)).sessions())


def test_adding_is_an_append_and_the_last_line_of_a_session_wins(data_dir: Path) -> None:
    store = RollupStore(DataFolder(data_dir))
    store.add(_rollup(0))
    month = data_dir / "rollups-2026-06.json"
    before = (month.stat().st_ino, month.read_bytes())
    for i in range(1, 50):
        store.add(_rollup(i))
    store.add(_rollup(7, likes=3))  # replaced: appended again
    assert (month.stat().st_ino, month.read_bytes()) == before  # the store is never rewritten by an add
    log = (data_dir / "rollups-2026-06.jsonl").read_bytes().splitlines()
    assert len(log) == 50 and json.loads(log[-1])["likes"] == 3
    sessions = list(store.sessions())
    assert len(sessions) == 50 and [s.get("likes") for s in sessions if s["session_id"] == "s00007"] == [3]
    # a TinyDB view of the month (what reports and the retention read) shows the same sessions
    view = DataFolder(data_dir).read("rollups-2026-06").table("sessions").all()
    assert sorted(d["session_id"] for d in view) == _ids(data_dir)
    assert len(load_history(DataFolder(data_dir), ["r1"], _june())["r1"]) == 50


def _june():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime(2026, 6, 20, tzinfo=UTC)


def test_a_torn_last_line_is_skipped_then_ended(data_dir: Path) -> None:
    store = RollupStore(DataFolder(data_dir))
    store.add(_rollup(0))
    store.add(_rollup(1))
    with (data_dir / "rollups-2026-06.jsonl").open("ab") as fh:
        fh.write(b'{"session_id": "s00002", "started_at": "2026-06-0')  # a power cut mid-append
    assert _ids(data_dir) == ["s00000", "s00001"]
    store.add(_rollup(3))
    assert _ids(data_dir) == ["s00000", "s00001", "s00003"]


def test_a_locked_write_that_removes_sessions_keeps_them_removed(data_dir: Path) -> None:
    store = RollupStore(DataFolder(data_dir))
    for i in range(6):
        store.add(_rollup(i, clock_ok=i % 2 == 0))
    with DataFolder(data_dir).write("rollups-2026-06") as db:
        db.table("sessions").remove(lambda d: d.get("clock_ok") is True)
    assert _ids(data_dir) == ["s00001", "s00003", "s00005"]
    assert "sessions" not in json.loads((data_dir / "rollups-2026-06.json").read_bytes())


def test_old_months_move_into_their_logs(data_dir: Path) -> None:
    docs = _old_month(data_dir, 30)
    stamp = month_stamp(DataFolder(data_dir), "rollups-2026-06")
    assert RollupStore(DataFolder(data_dir)).migrate() == 1
    assert month_stamp(DataFolder(data_dir), "rollups-2026-06") != stamp  # report caches see the change
    stored = json.loads((data_dir / "rollups-2026-06.json").read_bytes())
    assert "sessions" not in stored and len(stored["observations"]) == 1
    assert _ids(data_dir) == sorted(str(d["session_id"]) for d in docs)
    assert RollupStore(DataFolder(data_dir)).migrate() == 0  # once


MIGRATE = """
import sys
from pathlib import Path
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.rollups import RollupStore
print(RollupStore(DataFolder(Path(sys.argv[1]))).migrate(), flush=True)
"""


def test_moving_old_months_survives_kills(tmp_path: Path) -> None:
    rng = random.Random(5)
    killed = 0
    spare = tmp_path / "spare"
    spare.mkdir(mode=0o700)
    _old_month(spare, 20000)
    full = child_seconds(MIGRATE, str(spare))  # the kills land within the time a whole migration takes
    for round_no in range(8):
        data_dir = tmp_path / f"data-{round_no}"
        data_dir.mkdir(mode=0o700)
        docs = _old_month(data_dir, 20000)
        killed += run_and_kill(MIGRATE, str(data_dir), rng=rng, within_s=(0.05, full))
        assert _ids(data_dir) == sorted(str(d["session_id"]) for d in docs), round_no
        RollupStore(DataFolder(data_dir)).migrate()  # the next start finishes it
        assert _ids(data_dir) == sorted(str(d["session_id"]) for d in docs)
        assert "sessions" not in json.loads((data_dir / "rollups-2026-06.json").read_bytes())
    assert killed


def test_restoring_an_older_backup_brings_its_rollups_back_in_the_new_layout(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = _old_month(data_dir, 5)
    assert main(["--data-dir", str(data_dir), "backup", str(tmp_path / "old")]) == 0
    RollupStore(DataFolder(data_dir)).migrate()
    RollupStore(DataFolder(data_dir)).add(_rollup(99))  # after the backup: not in it
    assert main(["--data-dir", str(data_dir), "restore", str(tmp_path / "old")]) == 0
    capsys.readouterr()
    assert _ids(data_dir) == sorted(str(d["session_id"]) for d in docs)
    assert "sessions" not in json.loads((data_dir / "rollups-2026-06.json").read_bytes())
    assert (data_dir / "rollups-2026-06.jsonl").exists()


def test_a_month_of_only_a_log_is_still_a_month_and_prunes_whole(data_dir: Path) -> None:
    store = RollupStore(DataFolder(data_dir))
    for i in range(3):
        store.add(_rollup(i))
    assert store.months() == ["rollups-2026-06"]
    assert store.prune_before(date(2027, 1, 1)) == 1
    assert store.months() == [] and not list(data_dir.glob("rollups-2026-06*"))
