"""Staff actions over the real kiosk parts (libvlc with dummy output, TinyDB stores, journal)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import read_events
from kiosk.adapters.library_scan import scan_library
from kiosk.adapters.rollups import RollupStore
from kiosk.config import AudioConfig, Config, LibraryConfig
from kiosk.demo.generate import generate_demo
from kiosk.demo.setup import write_demo_residents
from kiosk.domain.intents import Status
from kiosk.residents_import import import_file
from kiosk.staff import KioskStaff
from kiosk.wiring import build_running_kiosk


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
    import_file(write_demo_residents(tmp_path / "people"), data)
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
    again = KioskStaff(kiosk.parts.config, data_dir, kiosk.parts.engine, kiosk.residents, kiosk.parts.rollups,
                       kiosk.parts.journal)  # fmt: skip
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
    staff.save_observation(session_id, {"interest": 80, "enjoyment": 90}, ["smiled", "sang"])
    obs = list(RollupStore(DataFolder(data_dir)).observations())
    assert [(o["session_id"], o["resident_ids"], o["reactions"]) for o in obs] == [
        (session_id, [resident.resident_id], ["smiled", "sang"])
    ]
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
