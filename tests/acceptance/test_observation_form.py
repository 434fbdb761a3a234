"""Journey 7: staff fill in the observation form. It names the resident and when the music started, every
scale starts unset, Save waits until a scale is moved or a reaction ticked, and only what a person set is
stored (never an untouched 50)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.acceptance import disk
from tests.acceptance.kiosk_process import KioskConfig, KioskProcess
from tests.acceptance.staff_steps import open_panel, open_staff, touch_px

Start = Callable[..., KioskProcess]
SCALES = ("Interest", "Response", "Initiation", "Involvement", "Enjoyment")


def observations(data_dir: Path) -> list[dict[str, Any]]:
    out = []
    for month in sorted(Path(data_dir).glob("rollups-*.json")):
        out += list(json.loads(month.read_bytes()).get("observations", {}).values())
    return out


def test_staff_fill_in_the_observation_form_and_only_what_they_set_is_stored(
    prepared_data: Path, journey_config: KioskConfig, start_kiosk: Start
) -> None:
    kiosk = start_kiosk(prepared_data, config=journey_config)
    kiosk.touch("Touch for music")
    kiosk.touch("Edie")
    kiosk.wait_for_screen("now_playing")
    open_staff(kiosk)
    seen = open_panel(kiosk, "Observation")
    assert re.search(r"About Edie, music from \d+ \w+ \d\d:\d\d", seen.text), seen  # who, and when
    assert all(seen.shows(f"{scale}: not set") for scale in SCALES), seen
    wait_word = "Save (set a scale or tick a reaction first)"
    assert seen.button(wait_word) == {**seen.button(wait_word), "enabled": False}, seen  # type: ignore[arg-type]
    kiosk.screenshot("observation-untouched")
    kiosk.touch(wait_word)  # an untouched form cannot be saved
    seen = kiosk.touch("Smiled")
    save = seen.button("Save observation")
    assert save is not None and save["enabled"], seen

    smiled = seen.button("Smiled")
    assert smiled is not None
    x1 = seen.button("Memories")["rect"][2]  # type: ignore[index]  # the last of the top row: the right edge
    per_mm = kiosk.px_per_mm
    _lx0, ly0, lx1, ly1 = seen.label("Enjoyment: not set")[
        "rect"
    ]  # its slider sits on the same row, beside it
    row_y = (ly0 + ly1) / 2
    slider_x0 = lx1 + 1.5 * per_mm
    seen = touch_px(kiosk, slider_x0 + (x1 - slider_x0) * 0.7, row_y)
    enjoyment = int(re.search(r"Enjoyment: (\d+)", seen.text).group(1))  # type: ignore[union-attr]
    assert 40 <= enjoyment <= 90 and seen.shows("Interest: not set"), seen
    kiosk.screenshot("observation-set")
    kiosk.touch("Save observation")
    seen = kiosk.wait_for_words("Observation saved")
    assert all(seen.shows(f"{scale}: not set") for scale in SCALES), seen  # a fresh form for the next one

    (stored,) = disk.wait_until(lambda: observations(prepared_data), timeout_s=5)
    assert stored["scales"] == {"enjoyment": enjoyment} and stored["reactions"] == ["smiled"]
    assert stored["form"] == 2 and stored["resident_ids"] == [disk.resident_id(prepared_data, "D-01")]
