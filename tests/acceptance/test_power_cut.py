"""Journey 2: the power goes (SIGKILL) while a resident's music plays, and comes back.

One rule, never both: when the resume rules allow it (trusted clock, outside quiet hours, within the resume
window) the same session carries on within 10 s (its journal gets a ``session_start`` with ``resumed`` true and
it gets one rollup, at its real end); when they do not, the cut-off session is closed at that start with end
reason ``shutdown``. Either way staff get no false "damaged" note and no file is set aside.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from tests.acceptance import disk
from tests.acceptance.audio import loudest, read_capture
from tests.acceptance.conftest import STAFF_PIN
from tests.acceptance.kiosk_process import KioskConfig, KioskProcess

Start = Callable[..., KioskProcess]


def play_for_edie(kiosk: KioskProcess) -> dict:
    kiosk.touch("Touch for music")
    kiosk.touch("Edie")
    kiosk.wait_for_screen("now_playing")
    return disk.wait_until(lambda: disk.events(kiosk.data_dir, "song_start"))[-1]


def test_music_comes_back_after_a_power_cut_and_the_same_session_carries_on(
    prepared_data: Path, journey_config: KioskConfig, start_kiosk: Start, tmp_path: Path
) -> None:
    edie = disk.resident_id(prepared_data, "D-01")
    kiosk = start_kiosk(prepared_data, config=journey_config)
    song = play_for_edie(kiosk)
    title = song["detail"]["title"]
    kiosk.pause(2.0)  # a little way into the song
    kiosk.kill()

    kiosk.audio_capture = tmp_path / "after.pcm"
    back_at = time.monotonic()
    kiosk.restart()
    seen = kiosk.wait_for_screen("now_playing", words=[title], timeout_s=10)
    assert seen.mono_s - back_at < 10.0
    heard = disk.wait_until(lambda: loudest(read_capture(kiosk.audio_capture), before_s=back_at + 10) > 0.02)
    assert heard, "no sound within 10 s of the power coming back"

    starts = disk.events(prepared_data, "session_start")
    assert [(e["session"], e["detail"]["resumed"]) for e in starts] == [
        (song["session"], False),
        (song["session"], True),
    ]
    assert starts[1]["detail"]["residents"] == [edie]
    assert not disk.events(prepared_data, "session_end")  # carried on, not closed
    assert disk.set_aside(prepared_data) == []
    assert not [n for n in disk.staff_notes(prepared_data) if "damaged" in n["message"]]

    kiosk.hold_corner(mm=5, seconds=3.5)  # staff end the session: its one rollup is written now
    for digit in STAFF_PIN:
        kiosk.touch(digit)
    kiosk.touch("OK")
    kiosk.wait_for_screen("staff", timeout_s=8)
    kiosk.touch("Stop session")
    assert kiosk.stop() == 0
    ends = disk.events(prepared_data, "session_end")
    assert [(e["session"], e["detail"]["reason"]) for e in ends] == [(song["session"], "stop")]
    books = [r for r in disk.rollups(prepared_data) if r["session_id"] == song["session"]]
    assert len(books) == 1 and books[0]["end_reason"] == "stop"
    assert books[0]["resident_ids"] == [edie]
    assert [p["song_id"] for p in books[0]["plays"]].count(song["song"]) == 1  # the resumed song, once
    assert datetime.fromisoformat(books[0]["ended_at"]) > datetime.fromisoformat(
        starts[1]["at"][:19] + "+00:00"
    )


def test_a_power_cut_that_may_not_resume_is_closed_as_shutdown(
    prepared_data: Path, journey_config: KioskConfig, start_kiosk: Start, tmp_path: Path
) -> None:
    kiosk = start_kiosk(prepared_data, config=journey_config)
    song = play_for_edie(kiosk)
    kiosk.pause(1.0)
    kiosk.kill()

    now = datetime.now().astimezone()  # the power comes back during quiet hours: no music by itself
    quiet = {
        "start": (now - timedelta(hours=1)).strftime("%H:%M"),
        "end": (now + timedelta(hours=1)).strftime("%H:%M"),
    }
    kiosk.audio_capture = tmp_path / "after.pcm"
    seen = kiosk.restart(dataclasses.replace(journey_config, extra={"quiet_hours": quiet}))
    assert seen.screen == "idle", seen
    kiosk.stays(3.0, screen="idle")
    assert loudest(read_capture(kiosk.audio_capture)) == 0.0

    ends = disk.events(prepared_data, "session_end")
    assert [(e["session"], e["detail"]["reason"]) for e in ends] == [(song["session"], "shutdown")]
    assert [e["detail"]["resumed"] for e in disk.events(prepared_data, "session_start")] == [False]
    books = disk.wait_until(
        lambda: [r for r in disk.rollups(prepared_data) if r["session_id"] == song["session"]]
    )
    assert len(books) == 1 and books[0]["end_reason"] == "shutdown"
    assert disk.set_aside(prepared_data) == []
    assert not [n for n in disk.staff_notes(prepared_data) if "damaged" in n["message"]]
    assert not (prepared_data / "resume.json").exists()
