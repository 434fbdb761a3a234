"""Resume after kill -9: a real kiosk process is SIGKILLed mid-song; a new one carries on (or rightly not)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.adapters.journal import read_events
from kiosk.adapters.resume import ResumeFile
from kiosk.config import Config
from kiosk.domain.intents import Status
from kiosk.domain.models import Song
from kiosk.domain.playback import PolicyNow
from kiosk.domain.session_record import EngineSettings
from kiosk.domain.session_sources import ShuffleSource
from kiosk.wiring import build_kiosk
from tests.fakes import FakeClock

CHILD = """
import sys
from pathlib import Path
from kiosk.adapters.mainloop import HeadlessLoop
from kiosk.config import Config
from kiosk.domain.intents import Intent, Source
from kiosk.domain.models import Song
from kiosk.domain.session_record import EngineSettings
from kiosk.domain.session_sources import ShuffleSource
from kiosk.wiring import build_kiosk

songs = [Song(f"s{i}", sys.argv[2], f"Song {i}", year=1950, duration_s=20.0) for i in range(3)]
parts = build_kiosk(Config(), Path(sys.argv[1]), song_source=ShuffleSource(songs, 1), audio_output="dummy",
                    settings=EngineSettings(autosave_s=0.3, fade_ms=200))
parts.engine.post(Intent.PLAY_PAUSE, Source.TOUCH)
HeadlessLoop(parts.engine).run_for(60)
"""

SETTINGS = EngineSettings(fade_ms=200, resume_window_s=1800)


@pytest.fixture(scope="module")
def killed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object], Path]:
    """A data folder left by a kiosk killed with SIGKILL about 2 s into a song."""
    root = tmp_path_factory.mktemp("resume")
    tone = root / "tone.wav"
    subprocess.run(
        ["sox", "-n", "-r", "44100", "-c", "2", str(tone), "synth", "20", "sine", "440"], check=True
    )
    data = root / "data"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(data), str(tone)], env=env)
    state: dict[str, object] = {}
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            state = ResumeFile(data).load() or {}  # resume.json with the newest position beside it
            if int(state.get("position_ms", 0)) >= 2000:  # type: ignore[call-overload]
                break
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
    assert state, "the kiosk never saved a resume point"
    assert (data / "resume.json").stat().st_mode & 0o777 == 0o600
    return data, state, tone


def fresh(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


def boot(data: Path, tone: Path, clock: object = None, policy: object = None):  # type: ignore[no-untyped-def]
    songs = [Song(f"s{i}", str(tone), f"Song {i}", year=1950, duration_s=20.0) for i in range(3)]
    return build_kiosk(
        Config(),
        data,
        song_source=ShuffleSource(songs, 2),
        audio_output="dummy",
        clock=clock,  # type: ignore[arg-type]
        policy=policy,  # type: ignore[arg-type]
        settings=SETTINGS,
    )


@pytest.mark.timeout(60)
def test_resumes_the_same_session_song_and_position(killed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src, state, tone = killed
    data = fresh(src, tmp_path / "d")
    parts = boot(data, tone)
    try:
        assert parts.engine.start_up() is True
        view = parts.engine.view()
        assert view.status is Status.PLAYING
        assert view.song is not None and view.song.song_id == state["song"]["song_id"]  # type: ignore[index]
        saved_ms = int(state["position_ms"])  # type: ignore[call-overload]
        assert saved_ms - 2500 <= view.position_ms <= saved_ms  # backs up a little
    finally:
        parts.close()
    events = list(read_events(data / "events"))
    starts = [e for e in events if e["type"] == "session_start"]
    assert [s["detail"]["resumed"] for s in starts] == [False, True]
    assert starts[0]["session"] == starts[1]["session"] == state["session_id"]


@pytest.mark.timeout(60)
def test_no_resume_on_an_untrusted_clock(killed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src, _state, tone = killed
    data = fresh(src, tmp_path / "d")
    parts = boot(data, tone, clock=FakeClock(datetime.now(UTC), trusted=False))
    try:
        assert parts.engine.start_up() is False
        assert parts.engine.view().status is Status.IDLE  # the clean idle screen
    finally:
        parts.close()
    assert not (data / "resume.json").exists()
    ends = [e for e in read_events(data / "events") if e["type"] == "session_end"]
    assert [e["detail"]["reason"] for e in ends] == ["shutdown"]


@pytest.mark.timeout(60)
def test_no_resume_in_quiet_hours_or_after_the_window(killed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src, _state, tone = killed
    data = fresh(src, tmp_path / "q")
    parts = boot(data, tone, policy=lambda _at: PolicyNow(True, 30, False))
    try:
        assert parts.engine.start_up() is False
        assert parts.engine.view().song is None
    finally:
        parts.close()
    data = fresh(src, tmp_path / "w")
    later = FakeClock(datetime.now(UTC))
    later.advance(31 * 60)
    parts = boot(data, tone, clock=later)
    try:
        assert parts.engine.start_up() is False
    finally:
        parts.close()


@pytest.mark.timeout(60)
def test_a_session_that_ended_is_never_resumed(killed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Cut between ``session_end`` and the removal of resume.json: the next start rests idle, ends nothing twice."""
    from kiosk.adapters.mainloop import HeadlessLoop
    from kiosk.domain.intents import Intent, Source

    src, state, tone = killed
    data = fresh(src, tmp_path / "e")
    parts = boot(data, tone)
    try:
        assert parts.engine.start_up() is True
        left_behind = (data / "resume.json").read_bytes()  # what a kill before its removal would leave
        parts.engine.post(Intent.STOP, Source.TOUCH)
        assert HeadlessLoop(parts.engine).run_until(lambda: parts.engine.view().status is Status.ENDED, 10)
    finally:
        parts.close()
    assert not (data / "resume.json").exists()
    (data / "resume.json").write_bytes(left_behind)
    os.chmod(data / "resume.json", 0o600)
    ends_before = [e for e in read_events(data / "events") if e["type"] == "session_end"]
    assert [e["session"] for e in ends_before] == [state["session_id"]]

    parts = boot(data, tone)
    try:
        assert parts.engine.start_up() is False
        assert parts.engine.view().status is Status.IDLE
    finally:
        parts.close()
    assert not (data / "resume.json").exists()
    events = list(read_events(data / "events"))
    assert [e["type"] for e in events if e["type"] in ("session_start", "session_end")] == [
        "session_start",
        "session_start",
        "session_end",
    ]  # the original start, its resume, one end: never resumed again, never ended twice
