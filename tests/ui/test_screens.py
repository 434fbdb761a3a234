"""Real Kivy windows (SDL offscreen), one process per display size and DPI: every screen measured against
DEMENTIA_UX.md from the widget tree, and real touches driving the flows.

Sizes: the official 7" display (800x480 at 133 DPI) and Touch Display 2 run landscape (1280x720 on a
154.6 mm wide active area = 210 DPI).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("headless_checks.py")
SIZES = {"7in-800x480": (800, 480, 133), "td2-1280x720": (1280, 720, 210)}
EXPECTED_SCREENS = {"idle", "residents", "residents-page2", "now_playing", "now_playing-relax", "now_playing-move",
                    "now_playing-sing", "now_playing-sing-paged", "now_playing-paused", "now_playing-sing-paused",
                    "now_playing-at-limit", "session_end", "modes", "staff_pin",
                    "staff-session", "staff-observe", "staff-review", "staff-volume", "staff-library", "staff-usb",
                    "staff-attention", "staff-system", "staff-reports", "staff-reports-resident",
                    "staff-reports-charts"}  # fmt: skip


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1",
               KIVY_NO_CONSOLELOG="1", KIVY_LOG_MODE="PYTHON")  # fmt: skip
    procs = {
        # each process its own KIVY_HOME: two Kivys creating one fresh home at once can trip over each other
        key: subprocess.Popen(
            [sys.executable, str(SCRIPT), str(w), str(h), str(dpi)],
            env=dict(env, KIVY_HOME=str(tmp_path_factory.mktemp(f"kivy-home-{key}"))),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for key, (w, h, dpi) in SIZES.items()
    }
    out = {}
    for key, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=110)
        assert proc.returncode == 0, stderr[-3000:]
        line = next(ln for ln in stdout.splitlines() if ln.startswith("JSON:"))
        out[key] = json.loads(line[5:])
    return out


@pytest.fixture(params=list(SIZES))
def r(request: pytest.FixtureRequest, results: dict[str, dict]) -> dict:
    return results[request.param]


def test_window_and_dpi_are_the_configured_ones(r):
    key = next(k for k, v in SIZES.items() if list(v[:2]) == r["window"])
    assert r["dpi"] == SIZES[key][2]


def test_every_screen_meets_the_numbers(r):
    assert set(r["screens"]) >= EXPECTED_SCREENS
    problems = [p for probs in r["screens"].values() for p in probs]
    assert problems == []


def test_resident_screens_offer_at_most_five_choices(r):
    resident = {k: v for k, v in r["targets"].items() if not k.startswith("staff")}
    assert all(1 <= n <= 5 for n in resident.values()), resident
    assert r["targets"]["now_playing"] == 5 and r["targets"]["residents"] == 5


def test_checker_catches_small_crowded_pale_targets(r):
    assert r["bad_rules"] == ["choices", "contrast", "gap", "target", "text"]


def test_song_title_cap_height_at_least_6_mm(r):
    assert r["title_cap_mm"] >= 6.0


def test_idle_to_music_two_taps_lounge_one_tap_personal(r):
    assert r["lounge_taps"] == ["residents", "now_playing"]
    assert r["lounge_posted"][0] == "choose_residents"
    assert r["personal_taps"] == ["now_playing"]


def test_repeated_taps_within_400_ms_count_once(r):
    assert r["next_after_double"] == 1
    assert r["next_after_pause"] == 2
    assert r["song_changed"]


def test_next_frame_shows_the_pressed_colour(r):
    got, want = r["pressed_pixel"], r["pressed_expected"]
    assert all(abs(a - b) <= 3 for a, b in zip(got, want, strict=True)), (got, want, r["normal_expected"])


def test_second_finger_while_one_is_down_is_ignored(r):
    assert r["two_fingers"] == ["volume_up"]


def test_touch_feedback_is_set_before_the_next_frame(r):
    assert r["feedback_before_frame"] == {"pressed": True, "word": "Another song", "icon": "next"}
    assert r["liked_at_once"] == {"selected": True, "word": "I like it!", "icon": "heart_full"}


def test_staff_corner_pin_lockout_and_timeout(r):
    assert r["corner"] == ["now_playing", "staff_pin"]
    assert r["wrong_counts"] == [1, 2, 3, 4, 5]
    assert r["lockout"]["locked"] and "5 min" in r["lockout"]["message"]
    assert r["right_pin_while_locked"] == "staff_pin"
    assert r["after_lockout"] == "staff"
    assert r["staff_timeout"] == ["staff", "now_playing"]


def test_synced_lyrics_move_on_between_snapshots(r):
    assert r["lyrics_follow"] == ["Tea in the garden, the kettle on the hob",
                                  "Sunday in the morning and nobody at the job"]  # fmt: skip


def test_idle_blanking_wakes_without_starting_music(r):
    assert r["blank"] == {"blanked": True, "woke": True, "posted": 0, "screen": "idle"}


def test_residents_cannot_leave_the_kiosk(r):
    assert r["escape"] == {"close_refused": True, "escape_swallowed": True, "close_refused_in_staff": False,
                           "close_refused_windowed": False}  # fmt: skip


def test_staff_reports_show_figures_and_chart_images(r):
    rep = r["reports"]
    assert rep["working"] and rep["waited"] and rep["waited_7d"] and rep["waited_r1"]
    today, week, one = rep["today"], rep["week"], rep["resident"]
    assert today["sources"] == ["dash-today-home-hours.png"]
    assert week["sources"] == ["dash-7d-home-minutes.png", "dash-7d-home-when.png"]
    assert one["sources"] == ["dash-7d-resident-minutes.png", "dash-7d-resident-songs.png",
                              "dash-7d-resident-hours.png"]  # fmt: skip
    for seen in (today, week, one):
        assert seen["images"] and all(size == [760, 360] for size in seen["images"])  # real textures
        assert {"Sessions", "Music played"} <= set(seen["texts"])
        assert "Working..." not in seen["texts"]
    assert "Residents who listened" in week["texts"] and "Songs liked" in one["texts"]
    assert any(t.startswith("Whole home, ") for t in week["texts"])
    assert any(t.startswith("Arthur") for t in one["texts"])  # r1 is Arthur in the headless residents
