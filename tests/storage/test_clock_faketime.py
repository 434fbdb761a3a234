"""A wrong clock costs no history: the composed kiosk run under faked clocks (libfaketime, fixed offsets at
process start; the working combination is written in tests/storage/kit.py), with the sync state injected.

Issue 14 items 1-3: a clock years ahead must not prune today's events or this month's rollups; records made
under an untrusted (1970) clock survive the next normal start; seq numbers never repeat after a step back.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import read_events
from tests.storage.kit import prepare_data, run_kiosk


@pytest.fixture
def kiosk_data(tmp_path: Path, data_dir: Path) -> tuple[Path, Path]:
    return data_dir, prepare_data(data_dir, tmp_path)


def _day_files(data_dir: Path) -> dict[str, list[dict]]:
    return {
        p.stem: [json.loads(line) for line in p.read_text().splitlines() if line.strip()]
        for p in sorted((data_dir / "events").glob("*.jsonl"))
    }


def _sessions(data_dir: Path, month_store: str) -> list[dict]:
    return [dict(d) for d in DataFolder(data_dir).read(month_store).table("sessions").all()]


@pytest.mark.parametrize(
    ("sync", "pi"),
    [(True, True), (False, False)],
    ids=["synchronised-but-wrong-on-a-pi", "off-pi-fallback"],
)
def test_a_clock_years_ahead_deletes_no_history(kiosk_data, sync: bool, pi: bool) -> None:
    data_dir, music = kiosk_data
    first = run_kiosk(data_dir, music, sync=True, pi=True)
    assert first["basis"] == "synchronised"
    before = _day_files(data_dir)
    (today,) = before
    month = f"rollups-{today[:7]}"
    (rollup,) = _sessions(data_dir, month)
    ahead = run_kiosk(data_dir, music, offset="+1500d", sync=sync, pi=pi)
    assert ahead["now"][:4] > today[:4]
    after = _day_files(data_dir)
    assert after[today] == before[today]  # today's events untouched
    assert _sessions(data_dir, month) == [rollup]  # and this month's rollups
    assert len(after) == 2  # the run ahead wrote its own day file beside it


def test_records_made_under_a_1970_clock_survive_the_next_normal_start(kiosk_data) -> None:
    data_dir, music = kiosk_data
    old = run_kiosk(data_dir, music, offset="@1970-01-01 00:00:00", sync=False, pi=True)
    assert old["basis"] == "untrusted"
    events_1970 = _day_files(data_dir)["1970-01-01"]
    assert events_1970 and all(e["clock_ok"] is False for e in events_1970)
    (session_1970,) = _sessions(data_dir, "rollups-1970-01")
    assert session_1970["clock_ok"] is False
    normal = run_kiosk(data_dir, music, sync=True, pi=True)  # the clock is right again: retention may prune
    assert normal["basis"] == "synchronised"
    assert _day_files(data_dir)["1970-01-01"] == events_1970
    assert _sessions(data_dir, "rollups-1970-01") == [session_1970]


def test_sequence_numbers_never_repeat_after_the_clock_steps_back(kiosk_data) -> None:
    data_dir, music = kiosk_data
    first = run_kiosk(data_dir, music, sync=True, pi=True)
    back = run_kiosk(data_dir, music, offset="-2d", sync=False, pi=False)
    again = run_kiosk(data_dir, music, sync=True, pi=True)
    assert first["seq"] and back["seq"] and again["seq"]  # each run wrote events
    assert len(_day_files(data_dir)) == 2
    seqs = [e["seq"] for e in read_events(data_dir / "events")]
    assert len(seqs) == len(set(seqs)), f"duplicate seq numbers: {sorted(seqs)}"
    assert sorted(seqs) == list(range(1, len(seqs) + 1))
    assert back["basis"] == "untrusted"  # off a Pi, behind the newest trusted record
