"""The staff screen's Voice panel over the real kiosk parts: kiosk-wide switches stored in the data folder
(over kiosk.toml, across a restart) and applied to the running engine at once; a resident's own switch
through the residents store, recorded in the profile history; why the kiosk does not speak."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.library_scan import scan_library
from kiosk.adapters.profile_history import history
from kiosk.adapters.resident_records import ResidentRecords
from kiosk.adapters.voice_switches import STORE, TABLE, effective_config, stored_switches
from kiosk.app.residents_import import import_file
from kiosk.config import AudioConfig, Config, LibraryConfig, VoiceConfig
from kiosk.demo.generate import generate_demo
from kiosk.demo.setup import write_demo_residents
from kiosk.doctor.voice import check_voice
from kiosk.domain.voice import IntroEvery
from kiosk.wiring import build_running_kiosk, build_staff


@pytest.fixture(scope="module")
def music(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_demo(tmp_path_factory.mktemp("demo"), only=["daisy-bell"], min_duration_s=4.0).music_dir


def _config(music: Path) -> Config:
    return Config(audio=AudioConfig(output="dummy", fade_ms=100), library=LibraryConfig(music_dir=music))


@pytest.fixture
def folder(tmp_path: Path, data_dir: Path, music: Path) -> Path:
    data = DataFolder(data_dir)
    scan_library(data, music)
    import_file(write_demo_residents(tmp_path / "people"), ResidentRecords(data))
    return data_dir


def test_without_a_natural_voice_the_panel_says_why_and_the_switches_are_kept(
    folder: Path, music: Path
) -> None:
    config = _config(music)
    kiosk = build_running_kiosk(config, folder)
    try:
        assert kiosk.parts.engine.voice is None  # voice off in kiosk.toml and none installed: no voice parts
        before = kiosk.staff.voice()
        assert not before.enabled and before.intros is IntroEvery.OFF
        assert before.silent_because.startswith("no natural voice is installed")
        after = kiosk.staff.set_voice({"enabled": True, "intros": "third"})
        assert (
            after.enabled
            and after.intros is IntroEvery.THIRD
            and after.silent_because == before.silent_because
        )
        rows = check_voice(config, folder)  # the doctor (and "needs attention") follow staff's switch
        assert rows[0].status == "WARN" and "does not speak: no natural voice" in rows[0].detail
    finally:
        kiosk.close()
    # a restart keeps staff's choice over kiosk.toml's
    again = build_staff(config, folder, kiosk.parts, kiosk.residents)
    assert (again.voice().enabled, again.voice().intros) == (True, IntroEvery.THIRD)


def test_a_switch_reaches_the_running_engine_and_a_residents_switch_is_in_the_history(
    folder: Path, music: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIOSK_TEST_VOICE", "espeak-ng")  # a voice to speak with (the tests' own)
    kiosk = build_running_kiosk(_config(music), folder)
    try:
        parts = kiosk.parts.engine.voice
        assert parts is not None and not parts.settings.enabled  # built, switched off: staff may switch it on
        assert kiosk.staff.voice().silent_because == "" and "test voice" in kiosk.staff.voice().speaks_with
        kiosk.staff.set_voice({"enabled": True, "intros": "every", "orientation": True})
        assert (
            parts.settings.enabled
            and parts.settings.intros is IntroEvery.EVERY
            and parts.settings.orientation
        )
        kiosk.staff.set_voice({"orientation": False})
        assert parts.settings.enabled and not parts.settings.orientation  # one switch, the others kept
        who = kiosk.residents.all()[0]
        assert not who.voice
        kiosk.staff.set_resident_voice(who.resident_id, True)
        assert kiosk.residents.get(who.resident_id).voice
        entries = history(DataFolder(folder), resident_id=who.resident_id)
        assert [(e["field"], e["source"]) for e in entries if e["field"] == "voice"] == [
            ("voice", "staff screen")
        ]
    finally:
        kiosk.close()


def test_damaged_or_unknown_switches_are_ignored(data_dir: Path) -> None:
    data = DataFolder(data_dir)
    with data.write(STORE) as db:
        db.table(TABLE).insert({"enabled": "yes", "intros": "loud", "imagery": True, "pace": 3})
    assert stored_switches(data) == {"imagery": True}  # only well-formed switches count
    assert effective_config(VoiceConfig(intros="start"), stored_switches(data)) == VoiceConfig(
        intros="start", imagery=True
    )
