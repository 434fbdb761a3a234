"""Journey 8b: songs nobody analysed (a library from before the upgrade, music added through the staff screen's
rescan) become songs to play along to while the kiosk runs, without a restart; the drumming circle's presses
reach the books when the kiosk is stopped (SIGTERM) or the power goes (SIGKILL), resumed or not."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.acceptance import disk
from tests.acceptance.kiosk_process import KioskConfig, KioskProcess
from tests.acceptance.staff_steps import open_panel, open_staff

pytest.importorskip("aubio")

Start = Callable[..., KioskProcess]
GRIDS_S = 120.0  # the analysis runs at the lowest CPU priority: on a busy test machine it waits its turn


def beat_entries(data_dir: Path) -> dict[str, dict[str, Any]]:
    """song_id -> the beat-summaries store's entry, read straight from the file."""
    path = data_dir / "beat-summaries.json"
    if not path.exists():
        return {}
    try:
        doc = json.loads(path.read_bytes())
    except ValueError:
        return {}
    return {str(d["song_id"]): d for d in (doc.get("beats") or {}).values()}


def catalogue_ids(data_dir: Path) -> set[str]:
    from kiosk.adapters.catalogue import TinyCatalogue
    from kiosk.adapters.docstore import DataFolder

    return {s.song_id for s in TinyCatalogue(DataFolder(data_dir)).songs()}


def start_drumming_circle(kiosk: KioskProcess) -> None:
    open_staff(kiosk)
    kiosk.touch("Play along")
    kiosk.touch("Start a drumming circle")
    kiosk.touch("Back to music")
    kiosk.wait_for_words("Drum", "Bell", timeout_s=10)


def test_unanalysed_songs_and_a_staff_rescan_get_grids_while_the_kiosk_runs(
    prepared_data: Path, journey_config: KioskConfig, start_kiosk: Start, tmp_path: Path
) -> None:
    music = tmp_path / "music"
    shutil.copytree(journey_config.music_dir, music)
    config = dataclasses.replace(journey_config, music_dir=str(music))
    songs = catalogue_ids(prepared_data)
    assert beat_entries(prepared_data) == {}  # scanned by an older version: no grids at all

    kiosk = start_kiosk(prepared_data, config=config)
    open_staff(kiosk)
    kiosk.touch("Let the resident choose a mode")
    seen = kiosk.wait_for_screen("modes")
    if not any(d["usable"] for d in beat_entries(prepared_data).values()):
        # no usable grid even now, so none when the screen was built: nothing to play along to yet (on an idle
        # machine the background analysis of five short songs can finish before staff reach this screen)
        assert "Play along" not in seen.words
    done = disk.wait_until(lambda: set(beat_entries(prepared_data)) >= songs, timeout_s=GRIDS_S)
    assert done, f"start-up analysis did not finish: {sorted(beat_entries(prepared_data))}"
    usable = {k for k, d in beat_entries(prepared_data).items() if d["usable"]}
    assert usable, "no demo song has a steady beat"

    kiosk.hold_corner(mm=5, seconds=3.5)  # back to staff, then the modes screen again: built afresh
    for digit in "1234":
        kiosk.touch(digit)
    kiosk.touch("OK")
    kiosk.wait_for_screen("staff", timeout_s=8)
    kiosk.touch("Let the resident choose a mode")
    seen = kiosk.wait_for_screen("modes", words=["Play along"])  # the same process: no restart

    from tests.adapters.test_play_along_adapters import metronome, write_wav

    x, _truth = metronome(96, seconds=25)
    write_wav(music / "new-march.wav", x)
    subprocess.run(["sox", str(music / "new-march.wav"), str(music / "new-march.flac")], check=True)
    (music / "new-march.wav").unlink()
    kiosk.hold_corner(mm=5, seconds=3.5)
    for digit in "1234":
        kiosk.touch(digit)
    kiosk.touch("OK")
    kiosk.wait_for_screen("staff", timeout_s=8)
    open_panel(kiosk, "Music library")
    kiosk.touch("Rescan library")
    kiosk.wait_for_words("Songs: 6", timeout_s=60)
    new = disk.wait_until(lambda: catalogue_ids(prepared_data) - songs)
    assert len(new) == 1
    (new_id,) = new
    entry = disk.wait_until(lambda: beat_entries(prepared_data).get(new_id), timeout_s=GRIDS_S)
    assert entry and entry["usable"] and entry["tempo_bpm"] == pytest.approx(96, rel=0.01)
    assert usable <= {k for k, d in beat_entries(prepared_data).items() if d["usable"]}  # the rescan kept all
    assert kiosk.stop() == 0  # SIGTERM: the analysis thread stops with it
    assert disk.set_aside(prepared_data) == []


def presses_saved(data_dir: Path) -> int:
    path = data_dir / "resume.json"
    try:
        return int(json.loads(path.read_bytes())["presses"][0])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return -1


@pytest.fixture
def analysed(prepared_data: Path, journey_config: KioskConfig) -> Path:
    """The prepared folder with its beat grids (what `kiosk scan` does after adding music)."""
    import sys

    subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(prepared_data), "scan", "--music-dir",
         journey_config.music_dir],
        capture_output=True, text=True, timeout=180, check=True,
    )  # fmt: skip
    assert any(d["usable"] for d in beat_entries(prepared_data).values())
    return prepared_data


def test_a_drumming_circle_stopped_by_sigterm_is_closed_with_its_presses(
    analysed: Path, journey_config: KioskConfig, start_kiosk: Start
) -> None:
    kiosk = start_kiosk(analysed, config=journey_config)
    start_drumming_circle(kiosk)
    for word in ("Drum", "Bell", "Drum"):
        kiosk.touch(word)
        kiosk.pause(0.3)
    assert kiosk.stop() == 0  # systemd stops the kiosk: the resume point gets the last presses at once
    assert presses_saved(analysed) == 3
    assert not disk.events(analysed, "play_along")  # not yet: the session may still carry on

    now = datetime.now().astimezone()  # it comes back in quiet hours: no resume, the books close
    quiet = {"start": (now - timedelta(hours=1)).strftime("%H:%M"),
             "end": (now + timedelta(hours=1)).strftime("%H:%M")}  # fmt: skip
    seen = kiosk.restart(dataclasses.replace(journey_config, extra={"quiet_hours": quiet}))
    assert seen.screen == "idle"
    (event,) = disk.wait_until(lambda: disk.events(analysed, "play_along"))
    assert event["detail"]["presses"] == 3 and event["detail"]["by_instrument"] == {"bell": 1, "drum": 2}
    assert event["resident"] is None  # a drumming circle: nobody named
    (end,) = disk.events(analysed, "session_end")
    assert end["detail"]["reason"] == "shutdown" and end["session"] == event["session"]
    books = disk.wait_until(
        lambda: [r for r in disk.rollups(analysed) if r["session_id"] == event["session"]]
    )
    assert books and books[0]["play_along"]["presses"] == 3


def test_presses_before_a_power_cut_count_in_the_resumed_session(
    analysed: Path, journey_config: KioskConfig, start_kiosk: Start
) -> None:
    kiosk = start_kiosk(analysed, config=journey_config)
    start_drumming_circle(kiosk)
    kiosk.touch("Shaker")
    kiosk.pause(0.3)
    kiosk.touch("Shaker")
    assert disk.wait_until(lambda: presses_saved(analysed) == 2, timeout_s=15)  # within seconds, not 30 s
    kiosk.kill()  # the power goes

    kiosk.restart()
    kiosk.wait_for_words("Drum", "Bell", timeout_s=15)  # the same drumming circle carries on
    kiosk.touch("Wood block")
    open_staff(kiosk)
    kiosk.touch("Stop session")
    assert kiosk.stop() == 0
    (event,) = disk.events(analysed, "play_along")
    assert event["detail"]["presses"] == 3
    assert event["detail"]["by_instrument"] == {"shaker": 2, "woodblock": 1}
    ends = disk.events(analysed, "session_end")
    assert [(e["session"], e["detail"]["reason"]) for e in ends] == [(event["session"], "stop")]
