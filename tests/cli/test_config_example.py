"""content/kiosk.example.toml can never drift from the schema's defaults."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

from kiosk.config import SECTIONS, SPECIAL_SECTIONS, Config, load_config

EXAMPLE = Path(__file__).resolve().parents[2] / "content" / "kiosk.example.toml"


def test_example_loads_strictly_and_equals_the_defaults():
    config = load_config(EXAMPLE)
    assert config == Config()


def test_example_shows_every_setting_with_a_comment():
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for section, cls in SECTIONS.items():
        for f in dataclasses.fields(cls):
            assert f.name in raw[section], f"[{section}] {f.name} missing from the example"
    for section, keys in SPECIAL_SECTIONS.items():
        for key in keys:
            assert key in raw[section], f"[{section}] {key} missing from the example"
    for number, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#") and not line.startswith("["):
            assert lines[number - 1].lstrip().startswith("#"), f"no comment above: {line}"
