"""The clock-trust rule (pure), the probes behind it, and retention by it (journal days, rollup months)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.adapters.clock import (
    ClockTrust,
    SystemClock,
    clock_from_rtc,
    on_raspberry_pi,
    record_staff_set,
    staff_set_this_boot,
)
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import JsonlJournal, read_events
from kiosk.adapters.retention import Retention, newest_trusted_record, prune_journal_days
from kiosk.adapters.rollups import RollupStore
from kiosk.domain.clock_trust import ClockBasis, ClockFacts, judge, retention_cutoff
from tests.fakes import FakeClock

NOW = datetime(2026, 6, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("facts", "newest", "expected"),
    [
        (ClockFacts(on_pi=True, synchronised=True), None, ClockBasis.SYNCHRONISED),
        (ClockFacts(on_pi=True, rtc=True), None, ClockBasis.RTC),
        (ClockFacts(on_pi=True, staff_set=True), None, ClockBasis.STAFF_SET),
        (ClockFacts(on_pi=True), None, ClockBasis.UNTRUSTED),  # a Pi never trusts a plausible-looking time
        (ClockFacts(on_pi=False), None, ClockBasis.PLAUSIBLE),
        (ClockFacts(on_pi=False), NOW - timedelta(days=1), ClockBasis.PLAUSIBLE),
        (ClockFacts(on_pi=False), NOW + timedelta(days=2), ClockBasis.UNTRUSTED),  # behind the newest record
        (ClockFacts(on_pi=True, synchronised=True), NOW + timedelta(days=2), ClockBasis.SYNCHRONISED),
    ],
)
def test_the_rule(facts, newest, expected) -> None:
    assert judge(NOW, facts, newest) is expected


def test_before_2024_is_never_trusted_whatever_the_grounds() -> None:
    every = ClockFacts(on_pi=False, synchronised=True, rtc=True, staff_set=True)
    assert judge(datetime(1970, 1, 1, tzinfo=UTC), every, None) is ClockBasis.UNTRUSTED


def test_only_synchronised_rtc_and_staff_set_clocks_may_prune() -> None:
    assert {b for b in ClockBasis if b.may_prune} == {
        ClockBasis.SYNCHRONISED,
        ClockBasis.RTC,
        ClockBasis.STAFF_SET,
    }


def test_the_cutoff_is_bounded_by_the_newest_trusted_record() -> None:
    today = date(2031, 1, 1)  # a clock years ahead
    assert retention_cutoff(today, date(2026, 6, 1), 1095) == date(2023, 6, 2)
    assert retention_cutoff(date(2026, 6, 1), date(2026, 5, 31), 1095) == date(2023, 6, 1)
    assert retention_cutoff(date(2026, 6, 1), None, 10) == date(2026, 5, 22)


def test_staff_set_counts_for_this_boot_only(tmp_path: Path) -> None:
    record_staff_set(tmp_path, NOW, current_boot="boot-a")
    assert (tmp_path / "clock-set.json").stat().st_mode & 0o777 == 0o600
    assert staff_set_this_boot(tmp_path, "boot-a")
    assert not staff_set_this_boot(tmp_path, "boot-b")  # after a reboot the clock must prove itself again
    clock = SystemClock(ClockTrust(tmp_path, synchronised=lambda: False, rtc=lambda: False, on_pi=lambda: True,
                                   boot=lambda: "boot-b"))  # fmt: skip
    assert clock.basis() is ClockBasis.UNTRUSTED
    clock.staff_set(clock.now())
    assert clock.basis() is ClockBasis.STAFF_SET
    assert json.loads((tmp_path / "clock-set.json").read_text())["boot_id"] == "boot-b"


def test_rtc_probe_reads_hctosys_or_the_boot_units_marker(tmp_path: Path) -> None:
    rtc = tmp_path / "rtc"
    (rtc / "rtc0").mkdir(parents=True)
    (rtc / "rtc0" / "hctosys").write_text("0\n")
    marker = tmp_path / "marker"
    assert not clock_from_rtc(rtc, marker)
    (rtc / "rtc0" / "hctosys").write_text("1\n")
    assert clock_from_rtc(rtc, marker)
    (rtc / "rtc0" / "hctosys").write_text("0\n")
    marker.write_text("")
    assert clock_from_rtc(rtc, marker)


def test_pi_probe_reads_the_device_tree_model(tmp_path: Path) -> None:
    model = tmp_path / "model"
    assert not on_raspberry_pi(model)
    model.write_bytes(b"Raspberry Pi 5 Model B Rev 1.0\x00")
    assert on_raspberry_pi(model)


def _event(at: datetime, seq: int, ok: bool) -> str:
    stamp = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps({"v": 1, "at": stamp, "clock_ok": ok, "seq": seq, "type": "like"}) + "\n"


def test_off_a_pi_a_clock_behind_the_newest_trusted_record_is_not_trusted(data_dir: Path) -> None:
    events = data_dir / "events"
    events.mkdir()
    ahead = datetime.now(UTC) + timedelta(days=3)
    (events / f"{ahead.date()}.jsonl").write_text(_event(ahead, 1, True))
    far = datetime.now(UTC) + timedelta(days=30)  # records with clock_ok false never count as the newest
    (events / f"{far.date()}.jsonl").write_text(_event(far, 2, False))
    assert newest_trusted_record(data_dir) == ahead.replace(microsecond=ahead.microsecond // 1000 * 1000)
    off_pi = ClockTrust(data_dir, synchronised=lambda: False, rtc=lambda: False, on_pi=lambda: False)
    assert SystemClock(off_pi).basis() is ClockBasis.UNTRUSTED
    (events / f"{ahead.date()}.jsonl").unlink()
    fresh = ClockTrust(data_dir, synchronised=lambda: False, rtc=lambda: False, on_pi=lambda: False)
    assert SystemClock(fresh).basis() is ClockBasis.PLAUSIBLE


def test_the_off_pi_fallback_never_prunes(data_dir: Path) -> None:
    events = data_dir / "events"
    events.mkdir()
    (events / "2020-01-01.jsonl").write_text(_event(datetime(2020, 1, 1, tzinfo=UTC), 1, True))
    journal = JsonlJournal(events, "k", FakeClock(NOW, basis="plausible"), retention_days=30)
    journal.append("like")
    assert (events / "2020-01-01.jsonl").exists()
    synced = JsonlJournal(events, "k", FakeClock(NOW), retention_days=30)
    synced.append("like")
    assert not (events / "2020-01-01.jsonl").exists()


def test_pruning_keeps_lines_written_under_an_untrusted_clock(data_dir: Path) -> None:
    events = data_dir / "events"
    events.mkdir()
    old = datetime(2020, 1, 1, tzinfo=UTC)
    mixed = _event(old, 1, True) + _event(old, 2, False) + '{"torn'
    (events / "2020-01-01.jsonl").write_text(mixed)
    (events / "2020-01-02.jsonl").write_text(_event(old, 3, False))
    (events / "2020-01-03.jsonl").write_text(_event(old, 4, True))
    assert prune_journal_days(events, date(2021, 1, 1)) == 2
    assert [e["seq"] for e in read_events(events)] == [2, 3]


def test_retention_waits_for_a_clock_that_may_prune_and_follows_real_time(data_dir: Path) -> None:
    clock = FakeClock(datetime(2031, 1, 1, tzinfo=UTC))  # synchronised, but years ahead of the records
    retention = Retention(clock, 30, lambda: datetime(2026, 6, 1, tzinfo=UTC))
    assert retention.cutoff() == date(2026, 5, 2)
    clock.advance(86400 * 10)  # ten real days later
    assert retention.cutoff() == date(2026, 5, 12)
    assert Retention(FakeClock(trusted=False), 30, lambda: None).cutoff() is None


def test_rollup_months_keep_sessions_recorded_under_an_untrusted_clock(data_dir: Path) -> None:
    store = RollupStore(DataFolder(data_dir))
    store.add({"session_id": "a", "started_at": "2020-01-05T10:00:00Z", "clock_ok": True})
    store.add({"session_id": "b", "started_at": "2020-01-06T10:00:00Z", "clock_ok": False})
    store.add_observation("2020-01-05T10:00:00Z", {"session_id": "a", "scales": {}})
    store.add_observation("2020-01-06T10:00:00Z", {"session_id": "b", "scales": {}})
    store.add({"session_id": "c", "started_at": "2020-02-05T10:00:00Z", "clock_ok": True})
    store.add({"session_id": "d", "started_at": "1970-01-01T00:00:09Z", "clock_ok": False})
    assert store.prune_before(date(2021, 1, 1)) == 2
    assert store.months() == ["rollups-1970-01", "rollups-2020-01"]
    assert [s["session_id"] for s in store.sessions()] == ["d", "b"]
    assert [o["session_id"] for o in store.observations()] == ["b"]
