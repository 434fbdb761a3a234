"""Staff actions over the real kiosk parts (libvlc with dummy output, TinyDB stores, journal)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from datetime import time as dt_time
from pathlib import Path

import pytest

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import read_events
from kiosk.adapters.library_scan import scan_library
from kiosk.adapters.resident_records import ResidentRecords
from kiosk.adapters.rollups import RollupStore
from kiosk.app.residents_import import import_file
from kiosk.app.staff import KioskStaff
from kiosk.config import AudioConfig, Config, LibraryConfig
from kiosk.demo.generate import generate_demo
from kiosk.demo.setup import write_demo_residents
from kiosk.domain.events import ROLLUP_KEYS
from kiosk.domain.intents import Status
from kiosk.wiring import build_running_kiosk, build_staff


@pytest.fixture(scope="module")
def music(tmp_path_factory: pytest.TempPathFactory) -> Path:
    demo = generate_demo(
        tmp_path_factory.mktemp("demo"), only=["daisy-bell", "oh-susanna"], min_duration_s=4.0
    )
    return demo.music_dir


@pytest.fixture
def kiosk(tmp_path: Path, data_dir: Path, music: Path):  # type: ignore[no-untyped-def]
    data = DataFolder(data_dir)
    scan_library(data, music)
    import_file(write_demo_residents(tmp_path / "people"), ResidentRecords(data))
    config = Config(
        audio=AudioConfig(output="dummy", fade_ms=100),
        library=LibraryConfig(music_dir=music),
        problems=("x: bad",),
    )
    running = build_running_kiosk(config, data_dir)
    yield running
    running.close()


def _until(kiosk, pred, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        kiosk.control.pump()
        if pred():
            return True
        time.sleep(0.02)
    return False


def _consenting(kiosk):  # type: ignore[no-untyped-def]
    return next(r for r in kiosk.residents.all() if r.journaled)


def test_distress_review_survives_a_restart_and_goes_on_the_avoid_list(kiosk, data_dir: Path) -> None:
    staff: KioskStaff = kiosk.staff
    resident = _consenting(kiosk)
    staff.choose([resident.resident_id], None)
    assert _until(kiosk, lambda: kiosk.control.view().status is Status.PLAYING)
    title = kiosk.control.view().song.title
    staff.distress_current()
    assert _until(kiosk, lambda: kiosk.control.view().status is not Status.PLAYING)
    reviews = staff.pending_reviews()
    assert [(r.resident_name, r.song_title) for r in reviews] == [(resident.display_name, title)]
    # a restart (new staff actions over the same folder) still has it
    again = build_staff(kiosk.parts.config, data_dir, kiosk.parts, kiosk.residents)
    assert [r.review_id for r in again.pending_reviews()] == [reviews[0].review_id]
    again.resolve_review(reviews[0].review_id, add_to_avoid=True)
    assert title in kiosk.residents.get(resident.resident_id).avoid_songs
    assert staff.pending_reviews() == []
    kiosk.parts.journal.sync()
    changes = [e for e in read_events(data_dir / "events") if e["type"] == "avoid_change"]
    assert [(c["resident"], c["detail"]["action"]) for c in changes] == [(resident.resident_id, "added")]


def test_observation_volume_cap_attention_and_staff_events(kiosk, data_dir: Path) -> None:
    staff: KioskStaff = kiosk.staff
    resident = _consenting(kiosk)
    staff.choose([resident.resident_id], None)
    assert _until(kiosk, lambda: kiosk.control.view().status is Status.PLAYING)
    session_id = staff.last_session_id()
    assert session_id
    about = staff.last_session()
    assert about is not None and about.session_id == session_id and about.recorded
    assert about.names == (resident.display_name,)
    started = datetime.fromisoformat(about.started_at)
    assert abs((datetime.now(started.tzinfo) - started).total_seconds()) < 60
    staff.save_observation(session_id, {"interest": 80, "enjoyment": 90}, ["smiled", "sang"])
    kiosk.parts.rollups.flush()  # written by the rollup thread, off the UI thread
    obs = list(RollupStore(DataFolder(data_dir)).observations())
    assert [(o["session_id"], o["resident_ids"], o["reactions"]) for o in obs] == [
        (session_id, [resident.resident_id], ["smiled", "sang"])
    ]
    assert obs[0]["scales"] == {"interest": 80, "enjoyment": 90} and obs[0]["form"] == 2  # unset: absent
    staff.set_volume_cap(resident.resident_id, 35)
    assert kiosk.residents.get(resident.resident_id).volume_cap_pct == 35
    notes = staff.attention_notes()
    assert "x: bad" in notes and any("sound card" in n or "audio" in n for n in notes)
    staff.note_staff_event("login")
    kiosk.parts.journal.sync()
    assert any(
        e["type"] == "staff" and e["detail"] == {"action": "login"} for e in read_events(data_dir / "events")
    )


def test_usb_import_checks_first_then_imports(kiosk, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "people.csv").write_text("id,first_name,birth_year\nZ-1,Philippa,1931\n", encoding="utf-8")
    (stick / "bad.csv").write_text("id,first_name,birth_year\nZ-2,,1700\n", encoding="utf-8")
    staff: KioskStaff = kiosk.staff
    staff.usb_root = stick.parent
    checked = staff.usb_import(str(stick / "people.csv"), dry_run=True)
    assert (
        checked.ok and checked.count == 1 and "Philippa" not in [r.first_name for r in kiosk.residents.all()]
    )
    assert staff.usb_import(str(stick / "people.csv"), dry_run=False).ok
    assert "Philippa" in [r.first_name for r in kiosk.residents.all()]
    bad = staff.usb_import(str(stick / "bad.csv"), dry_run=False)
    assert not bad.ok and any("bad.csv:2" in m for m in bad.messages)


def _rollup(sid: str, rid: str, start: datetime, titles: list[tuple[str, str, float, bool]]) -> dict:
    """One session's rollup as the engine stores it (kiosk.domain.events ROLLUP_KEYS)."""
    plays = [
        {"song_id": f"s-{title}", "title": title, "artist": "Artist", "decade": "1950s", "outcome": outcome,
         "listened_s": secs, "liked": liked, "at": start.isoformat(timespec="milliseconds")}
        for title, outcome, secs, liked in titles
    ]  # fmt: skip
    doc = {
        "session_id": sid, "kiosk_id": "lounge-1", "resident_ids": [rid], "mode": "listen",
        "started_at": start.isoformat(timespec="milliseconds"),
        "ended_at": (start + timedelta(seconds=sum(p["listened_s"] for p in plays))).isoformat(),
        "clock_ok": True, "end_reason": "length", "listened_s": sum(p["listened_s"] for p in plays),
        "songs_started": len(plays), "songs_completed": sum(p["outcome"] == "completed" for p in plays),
        "songs_skipped": sum(p["outcome"] == "skipped" for p in plays), "songs_failed": 0,
        "likes": sum(p["liked"] for p in plays), "distress_stops": 0, "plays": plays,
    }  # fmt: skip
    assert set(doc) == set(ROLLUP_KEYS)
    return doc


def test_dashboard_reflects_the_rollups_and_renders_private_charts(kiosk, data_dir: Path) -> None:
    staff: KioskStaff = kiosk.staff
    first, second = sorted(kiosk.residents.all(), key=lambda r: r.resident_id)[:2]
    today = kiosk.parts.engine.clock.now().astimezone().date()
    at = lambda back, hour: datetime.combine(today - timedelta(days=back), dt_time(hour, 5)).astimezone()  # noqa: E731
    store = RollupStore(DataFolder(data_dir))
    store.add(_rollup("t1", first.resident_id, at(0, 0), [("Moon River", "completed", 180.0, True)]))
    store.add(_rollup("t2", second.resident_id, at(0, 0), [("Sh-Boom", "skipped", 10.0, False)]))
    store.add(_rollup("w1", first.resident_id, at(3, 10), [("Moon River", "completed", 600.0, False),
                                                           ("Sh-Boom", "completed", 120.0, True)]))  # fmt: skip
    home_today = staff.dashboard("today", None)
    figures = dict(home_today.figures)
    assert (figures["Sessions"], figures["Residents who listened"]) == ("2", "2")
    assert figures["Music played"] == "3 min" and "Moon River" in figures["Most loved songs"]
    assert [p.name for p in home_today.charts] == ["dash-today-home-hours.png"]
    week = staff.dashboard("7d", first.resident_id)
    mine = dict(week.figures)
    assert (mine["Sessions"], mine["Songs liked"], mine["Music played"]) == ("2", "2", "15 min")
    assert week.heading.startswith(first.display_name)
    assert len(week.charts) == 3
    for path in (*home_today.charts, *week.charts):
        assert path.is_file() and path.stat().st_size > 1000
        assert path.stat().st_mode & 0o077 == 0  # it may name a resident
        assert path.parent.parent == data_dir / "dashboard"
    staff.dashboard("7d", None)  # a third run: the oldest is removed, the one on screen is kept
    runs = sorted((data_dir / "dashboard").iterdir())
    assert len(runs) == 2 and week.charts[0].is_file() and not home_today.charts[0].exists()
    third = next(
        r for r in kiosk.residents.all() if r.resident_id not in {first.resident_id, second.resident_id}
    )
    nobody = staff.dashboard("today", third.resident_id)  # no music today: still named, no charts
    assert nobody.charts == () and dict(nobody.figures)["Sessions"] == "0"
    assert nobody.heading.startswith(third.display_name)
    with pytest.raises(ValueError):
        staff.dashboard("month", None)


def test_usb_import_lowering_safety_needs_a_second_confirmation(kiosk, tmp_path: Path) -> None:
    """Issue 16: a volume limit cleared by a USB import waits for staff to confirm it; withdrawn consent
    applies at once; the staff screen's single edits need no second step but go into the history."""
    from kiosk.adapters.profile_history import history

    staff: KioskStaff = kiosk.staff
    residents = {r.staff_id: r for r in kiosk.residents.all()}
    capped = next(r for r in residents.values() if r.volume_cap_pct < 100 and r.consent.value != "no")
    consenting = next(r for r in residents.values() if r.consent.value == "yes" and r is not capped)
    stick = tmp_path / "stick"
    stick.mkdir()
    path = stick / "caps.csv"
    path.write_text(f"id,volume_cap_pct,consent\r\n{capped.staff_id},,yes\r\n{consenting.staff_id},,no\r\n")
    checked = staff.usb_import(str(path), dry_run=True)
    assert checked.ok and any("lower safety" in m for m in checked.messages)
    stopped = staff.usb_import(str(path), dry_run=False)
    assert not stopped.ok and stopped.needs_confirmation
    assert any(f"{capped.staff_id} (" in m and "cleared" in m for m in stopped.messages)
    after = {r.staff_id: r for r in kiosk.residents.all()}
    assert after[capped.staff_id].volume_cap_pct == capped.volume_cap_pct  # not applied
    assert after[consenting.staff_id].consent.value == "no"  # withdrawal applied at once
    confirmed = staff.usb_import(str(path), dry_run=False, accept_safety=True)
    assert confirmed.ok
    assert kiosk.residents.get(capped.resident_id).volume_cap_pct == 100
    staff.set_volume_cap(capped.resident_id, 55)
    assert kiosk.residents.get(capped.resident_id).volume_cap_pct == 55
    entries = history(DataFolder(staff.data_dir), resident_id=capped.resident_id)
    fields = [(e["field"], e["old"], e["new"], e["source"]) for e in entries]
    assert (
        "volume_cap_pct",
        f"{capped.volume_cap_pct}",
        "100 (no limit of its own)",
        "import caps.csv",
    ) in fields
    assert ("volume_cap_pct", "100 (no limit of its own)", "55", "staff screen") in fields


def test_restless_now_proposes_calm_ahead_and_staff_accept_it(kiosk, data_dir: Path) -> None:
    from kiosk.adapters.calm_ahead_store import CalmAheadStore
    from kiosk.domain.calm_ahead import clock_text

    staff: KioskStaff = kiosk.staff
    resident = _consenting(kiosk)
    rid = resident.resident_id
    now = datetime.now().astimezone().replace(second=0, microsecond=0)
    calm = CalmAheadStore(DataFolder(data_dir))
    for days_ago in (2, 5):  # two earlier days at this time of day: one more note makes three days
        calm.add_note(rid, now - timedelta(days=days_ago))
    assert staff.restless_now(rid, start_relax=True) is True
    assert _until(kiosk, lambda: kiosk.control.view().status is Status.PLAYING)
    assert kiosk.control.view().mode.value == "relax"
    begin = (now.hour * 60 + now.minute - 30) // 15 * 15
    end = min(24 * 60, max(0, begin) + 60)  # a slot ends at 24:00 at the latest (never wraps to 00:00)
    want = f"{clock_text(max(0, begin))}-{end // 60:02d}:{end % 60:02d} relax"
    assert staff.calm_ahead_check(rid) == want
    kiosk.parts.rollups.flush()
    notes = [o for o in RollupStore(DataFolder(data_dir)).observations() if o.get("kind") == "restless_now"]
    assert [(o["resident_ids"], o["session_id"], o["reactions"]) for o in notes] == [
        ([rid], None, ["restless"])
    ]
    kiosk.parts.journal.sync()
    assert any(
        e["type"] == "observation" and e["resident"] == rid and e["session"] is None
        for e in read_events(data_dir / "events")
    )
    before = kiosk.residents.get(rid).schedule
    assert "added to" in staff.accept_schedule(rid, want)
    from kiosk.domain.calm_ahead import with_slot
    from kiosk.domain.schedule import format_schedule, parse_schedule

    assert kiosk.residents.get(rid).schedule == with_slot(before, parse_schedule(want)[0])
    assert want in format_schedule(kiosk.residents.get(rid).schedule)
    assert [(d["action"], d["slot"]) for d in calm.log(rid)] == [("proposed", want), ("accepted", want)]
    assert staff.calm_ahead_check(rid) == ""  # in place now: nothing more to propose


def test_restless_now_for_consent_no_starts_relax_and_records_nothing(kiosk, data_dir: Path) -> None:
    staff: KioskStaff = kiosk.staff
    refused = next(r for r in kiosk.residents.all() if not r.journaled)
    assert staff.restless_now(refused.resident_id, start_relax=True) is False
    assert _until(kiosk, lambda: kiosk.control.view().status is Status.PLAYING)
    assert kiosk.control.view().mode.value == "relax"
    assert staff.calm_ahead_check(refused.resident_id) == ""
    kiosk.parts.rollups.flush()
    kiosk.parts.journal.sync()
    assert not (data_dir / "calm-ahead.json").exists()
    assert all(
        refused.resident_id not in o.get("resident_ids", [])
        for o in RollupStore(DataFolder(data_dir)).observations()
    )
    events = list(read_events(data_dir / "events")) if (data_dir / "events").exists() else []
    assert all(e.get("resident") != refused.resident_id for e in events)
