"""Each kiosk.toml rule sits beside its field (kiosk.config_check.setting): every number has a range, the mode
settings are enums, and a bad value still names its FILE:LINE."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kiosk.config import SECTIONS, KioskMode, load_config
from kiosk.config_check import Rule, rule_of
from kiosk.config_gpio import GpioOptions
from kiosk.domain.models import Mode
from kiosk.errors import UserError


def test_every_number_has_its_range_beside_it():
    numbers = [
        (name, cls, f.name)
        for name, cls in [*SECTIONS.items(), ("gpio", GpioOptions)]
        for f in dataclasses.fields(cls)
        if f.type in ("int", "float")
    ]
    assert len(numbers) >= 18  # dpi, width, ..., cache_mb, bounce_time_ms, staff_hold_s
    assert [f"{n}.{key}" for n, cls, key in numbers if rule_of(cls, key).between is None] == []


def test_a_rule_is_data_on_the_field():
    from kiosk.config import DisplayConfig

    assert rule_of(DisplayConfig, "rotation_deg") == Rule(between=(0, 270), step=90)
    assert rule_of(DisplayConfig, "fullscreen") == Rule()


def test_mode_settings_are_enums(tmp_path: Path):
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\nmode = "Personal"\nresident = "R7"\n[quiet_hours]\nmode = "move"\n')
    config = load_config(path)
    assert config.kiosk.mode is KioskMode.PERSONAL
    assert config.quiet_hours.mode is Mode.MOVE


def test_a_bad_mode_names_its_line_and_the_modes(tmp_path: Path):
    path = tmp_path / "kiosk.toml"
    path.write_text('[display]\ndpi = 133\n\n[quiet_hours]\nmode = "snooze"\n')
    with pytest.raises(UserError) as caught:
        load_config(path)
    names = ", ".join(m.value for m in Mode)
    assert str(caught.value) == f"{path}:5: quiet_hours.mode: must be one of {names}; got 'snooze'"
