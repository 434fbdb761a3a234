"""Journey 3: staff stop a song as upsetting. The resident sees a calm, neutral screen (no praise), then idle;
the song goes to "Songs to review", and until staff decide it is left out for that resident and for any group
they are in, over favourites and everything else."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.acceptance import disk
from tests.acceptance.kiosk_process import KioskConfig, KioskProcess
from tests.acceptance.staff_steps import open_staff

Start = Callable[..., KioskProcess]


def stop_edies_song_as_upsetting(kiosk: KioskProcess) -> dict:
    kiosk.touch("Touch for music")
    kiosk.touch("Edie")
    kiosk.wait_for_screen("now_playing")
    song = disk.wait_until(lambda: disk.events(kiosk.data_dir, "song_start"))[-1]
    open_staff(kiosk)
    seen = kiosk.touch("This song upsets")
    assert seen.shows("session ended") and seen.shows("Songs to review"), seen  # says what really happened
    return song


def test_staff_stop_a_song_as_upsetting_and_it_stays_out_for_her_and_her_group(
    prepared_data: Path, journey_config: KioskConfig, start_kiosk: Start
) -> None:
    edie = disk.resident_id(prepared_data, "D-01")
    kiosk = start_kiosk(prepared_data, config=journey_config)
    song = stop_edies_song_as_upsetting(kiosk)
    ends = disk.events(prepared_data, "session_end")
    assert [e["detail"]["reason"] for e in ends] == ["distress"]
    reviews = json.loads((prepared_data / "reviews.json").read_bytes())["reviews"].values()
    assert [(r["song_id"], r["resident_id"]) for r in reviews] == [(song["song"], edie)]

    kiosk.touch("Edie")  # staff start music for Edie and Bert together
    kiosk.touch("Bert")
    kiosk.touch("Start music")
    kiosk.touch("Back to music")
    kiosk.wait_for_screen("now_playing")
    for n in range(2, 5):  # the four other songs: never the one under review
        kiosk.pause(0.5)  # a person's pace: taps on one button closer than 400 ms count once (tremor)
        kiosk.touch("Another song")
        assert disk.wait_until(lambda n=n: len(disk.events(prepared_data, "song_start")) >= n + 1)
    group = disk.events(prepared_data, "session_start")[-1]
    assert sorted(group["detail"]["residents"]) == sorted([edie, disk.resident_id(prepared_data, "D-02")])
    played = [e["song"] for e in disk.events(prepared_data, "song_start") if e["session"] == group["session"]]
    assert len(played) == 4 and song["song"] not in played and len(set(played)) == 4


def test_the_calm_screen_gives_way_to_idle(
    prepared_data: Path, journey_config: KioskConfig, start_kiosk: Start
) -> None:
    kiosk = start_kiosk(prepared_data, config=journey_config)
    stop_edies_song_as_upsetting(kiosk)
    seen = kiosk.touch("Back to music")
    assert seen.screen == "calm" and seen.shows("The music has stopped"), seen
    assert not seen.shows("lovely") and not seen.buttons, seen  # no praise, no "More music"
    kiosk.screenshot("calm")
    seen = kiosk.wait_for_screen("idle", timeout_s=12)  # after about 10 s: at rest, one tap from music
    assert seen.shows("Touch for music"), seen
