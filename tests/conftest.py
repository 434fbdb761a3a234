"""Shared test set-up: headless Kivy settings before any Kivy import, temporary data folders."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Kivy reads these at import time. Never SDL_VIDEODRIVER=dummy: it kills the pytest process (exit 102).
_KIVY_HOME = tempfile.mkdtemp(prefix="kivy-home-")
os.environ.setdefault("KIVY_HOME", _KIVY_HOME)
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ["SDL_VIDEODRIVER"] = "offscreen"
os.environ.setdefault("GPIOZERO_PIN_FACTORY", "mock")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data folder for one test."""
    path = tmp_path / "data"
    path.mkdir(mode=0o700)
    return path


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads or writes the real user's or the installed Pi's folders."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("KIOSK_DATA_DIR", raising=False)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
