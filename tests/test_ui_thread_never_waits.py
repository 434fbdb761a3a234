"""The UI thread never waits for the data folder's lock: while another process holds it (a backup copying
photos), the real composed kiosk's pump keeps running through song starts, a distress stop (a song to review),
failed songs (flagged suspect) and session ends; the writes land once the lock is free.

A wait there would stall the screen and trip the systemd watchdog (30 s)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.library_scan import scan_library
from kiosk.adapters.resident_records import ResidentRecords
from kiosk.app.residents_import import import_file
from kiosk.config import AudioConfig, Config, LibraryConfig
from kiosk.demo.generate import generate_demo
from kiosk.demo.setup import write_demo_residents
from kiosk.domain.intents import Status
from kiosk.wiring import build_running_kiosk

HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()  # until the test closes our stdin
"""


@pytest.fixture(scope="module")
def music(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_demo(
        tmp_path_factory.mktemp("demo"), only=["daisy-bell", "oh-susanna"], min_duration_s=4.0
    ).music_dir


def _hold_lock(data_dir: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(data_dir / ".lock")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_the_pump_never_waits_for_the_folder_lock(tmp_path, data_dir, music):
    data = DataFolder(data_dir)
    scan_library(data, music)
    import_file(write_demo_residents(tmp_path / "people"), ResidentRecords(data))
    config = Config(
        audio=AudioConfig(output="dummy", fade_ms=100),
        library=LibraryConfig(music_dir=music),
    )
    kiosk = build_running_kiosk(config, data_dir)
    resident = next(r for r in kiosk.residents.all() if r.journaled)
    holder = _hold_lock(data_dir)  # from here on, any wait for the lock would hang the loop below
    reached: list[str] = []

    def until(pred, seconds: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            kiosk.control.pump()
            if pred():
                return True
            time.sleep(0.02)
        return False

    def ui_loop() -> None:
        status = lambda: kiosk.control.view().status  # noqa: E731
        kiosk.staff.choose([resident.resident_id], None)
        if until(lambda: status() is Status.PLAYING):
            reached.append("playing")
        kiosk.staff.distress_current()  # a song to review: persisted by a listener on this thread
        if until(lambda: status() is not Status.PLAYING):
            reached.append("distress stopped")
        for song in music.rglob("*.*"):  # every file gone: songs fail and are flagged suspect
            if song.suffix in (".mp3", ".ogg", ".flac", ".m4a", ".wav", ".opus"):
                song.rename(song.with_name(song.name + ".gone"))
        kiosk.staff.choose([resident.resident_id], None)
        if until(lambda: bool(kiosk.control.view().message) and status() is not Status.PLAYING):
            reached.append("failures stopped the session")

    ui = threading.Thread(target=ui_loop, name="ui", daemon=True)
    try:
        ui.start()
        ui.join(timeout=90)
        assert not ui.is_alive(), f"the UI loop waited for the folder lock (got as far as {reached})"
        assert reached == ["playing", "distress stopped", "failures stopped the session"]
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
    # once the lock is free the deferred writes land
    kiosk.close()
    reviews = DataFolder(data_dir).read("reviews").table("reviews").all()
    assert [d.get("resident_id") for d in reviews] == [resident.resident_id]
    songs = TinyCatalogue(DataFolder(data_dir)).songs()  # a fresh reader: what is on disk
    assert any(s.suspect for s in songs)
