"""Touch Display 2 on its side: the installer's settings, and a real Kivy window that turns picture and touch.

The panel is portrait (720 x 1280). A real Kivy window (SDL offscreen) made with the kiosk's own settings and
rotation_deg = 90 lays out 1280 x 720, and a touch reported in the panel's own coordinates (as the touch
controller sends them) lands where the rotated picture shows that spot; without the rotation it would not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY, run
from tests.deploy.test_install import PI_ENV

PROBE = r"""
import json, sys
from kiosk.config import DisplayConfig
from kiosk.ui.kivy_setup import configure_kivy
rotation = int(sys.argv[1])
configure_kivy(DisplayConfig(width=720, height=1280, rotation_deg=rotation), windowed=True)
from kivy.core.window import Window
from kivy.input.motionevent import MotionEvent

class Touch(MotionEvent):
    def depack(self, args):
        self.is_touch = True
        self.sx, self.sy = args
        super().depack(args)

out = {"rotation": Window.rotation, "size": list(Window.size), "system_size": list(Window.system_size)}
# The panel's own corners, as its touch controller reports them (0..1 along its 720 and 1280 pixel sides).
for name, panel in {"panel_origin": (0.0, 0.0), "panel_far_x": (1.0, 0.0)}.items():
    touch = Touch("probe", 1, panel)
    Window.transform_motion_event_2d(touch)
    out[name] = [round(touch.x), round(touch.y)]
print(json.dumps(out))
"""


def _probe(tmp_path: Path, rotation: int) -> dict:
    env = dict(os.environ)
    env.update(
        SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1", KIVY_NO_CONSOLELOG="1",
        KIVY_HOME=str(tmp_path / f"kivy{rotation}"),
    )  # fmt: skip
    env.pop("DISPLAY", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(rotation)],
        capture_output=True,
        text=True,
        env=env,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_kivy_turns_picture_and_touch_together(tmp_path: Path) -> None:
    upright = _probe(tmp_path, 0)
    assert upright["size"] == [720, 1280]
    turned = _probe(tmp_path, 90)
    assert turned["rotation"] == 90
    assert turned["size"] == [1280, 720]  # the layout is landscape
    # The panel's short side (its x axis, 720 px) runs along the landscape layout's height now.
    width, height = turned["size"]
    for name in ("panel_origin", "panel_far_x"):
        x, y = turned[name]
        assert 0 <= x <= width and 0 <= y <= height, (name, turned)
    moved = [turned["panel_far_x"][i] - turned["panel_origin"][i] for i in (0, 1)]
    # along the panel's x = along the layout's y (720 px, less one: pixel positions end at 719)
    assert moved[0] == 0 and abs(moved[1]) in (719, 720), turned
    assert upright["panel_far_x"][0] - upright["panel_origin"][0] in (719, 720)  # without rotation: along x
    assert upright["panel_far_x"][1] == upright["panel_origin"][1]


def test_installer_sets_touch_display_2_landscape(fake_root: Path) -> None:
    done = run(
        [str(DEPLOY / "install.sh"), "--root", str(fake_root), "--yes", "--display", "touch2-landscape"],
        env=PI_ENV,
    )
    assert done.returncode == 0, done.stderr
    display = tomllib.loads((fake_root / "etc/kiosk/kiosk.toml").read_text())["display"]
    assert (display["width"], display["height"], display["rotation_deg"]) == (720, 1280, 90)
    assert display["dpi"] == 210
    config_txt = (fake_root / "boot/firmware/config.txt").read_text().splitlines()
    assert "dtoverlay=vc4-kms-dsi-ili9881-7inch,rotation=90" in config_txt  # the boot console, to match
    portrait = run(
        [str(DEPLOY / "install.sh"), "--root", str(fake_root), "--yes", "--display", "touch2"], env=PI_ENV
    )
    assert portrait.returncode == 0
    display = tomllib.loads((fake_root / "etc/kiosk/kiosk.toml").read_text())["display"]
    assert (display["width"], display["height"], display["rotation_deg"]) == (720, 1280, 0)


@pytest.mark.parametrize(("value", "message"), [(45, "multiple of 90"), (360, "0-270")])
def test_a_bad_rotation_is_a_clear_config_problem(tmp_path: Path, value: int, message: str) -> None:
    from kiosk.config import load_config

    config = tmp_path / "kiosk.toml"
    config.write_text(f"[display]\nrotation_deg = {value}\n")
    loaded = load_config(config, strict=False)
    assert loaded.display.rotation_deg == 0
    assert any(message in problem for problem in loaded.problems), loaded.problems
