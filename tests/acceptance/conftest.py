"""Fixtures for the acceptance journeys: a small real music library made once per run, a fresh data folder
per journey (catalogue scanned, the fictional demo residents imported), and real `kiosk run` processes that
are always ended when the journey does."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.acceptance.kiosk_process import KioskConfig, KioskProcess

SONGS = ("oh-susanna", "daisy-bell", "danny-boy", "entertainer", "blue-danube")
STAFF_PIN = "1234"


@pytest.fixture(scope="session")
def prepared_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(data folder template, music folder, PIN hash): made once, copied by each journey."""
    from kiosk.adapters.docstore import DataFolder
    from kiosk.adapters.library_scan import scan_library
    from kiosk.adapters.resident_records import ResidentRecords
    from kiosk.app.residents_import import import_file
    from kiosk.demo.generate import generate_demo
    from kiosk.demo.setup import write_demo_residents
    from kiosk.pin import hash_pin

    root = tmp_path_factory.mktemp("journey-library")
    demo = generate_demo(root / "demo", only=SONGS, min_duration_s=40.0)
    template = root / "data"
    data = DataFolder(template)
    scan = scan_library(data, demo.music_dir)
    assert scan.songs == len(SONGS), scan
    import_file(write_demo_residents(root / "people"), ResidentRecords(data))
    return template, demo.music_dir, hash_pin(STAFF_PIN)


@pytest.fixture
def prepared_data(tmp_path: Path, prepared_template: tuple[Path, Path, str]) -> Path:
    """A data folder of this journey's own: the library scanned, the demo residents imported."""
    dest = tmp_path / "data"
    shutil.copytree(prepared_template[0], dest)
    return dest


@pytest.fixture
def journey_config(prepared_template: tuple[Path, Path, str]) -> KioskConfig:
    """kiosk.toml for a prepared folder: its music, staff PIN 1234, dummy audio, 800x480 at 133 DPI."""
    return KioskConfig(music_dir=str(prepared_template[1]), pin_hash=prepared_template[2])


@pytest.fixture
def start_kiosk(tmp_path: Path) -> Iterator[Callable[..., KioskProcess]]:
    """``start_kiosk(data_dir, **options)`` -> a running :class:`KioskProcess`; all are ended afterwards."""
    started: list[KioskProcess] = []

    def start(data_dir: Path, **options: Any) -> KioskProcess:
        options.setdefault("logs", tmp_path / f"journey-{len(started) + 1}")
        kiosk = KioskProcess(data_dir, **options)
        started.append(kiosk)
        return kiosk

    yield start
    for kiosk in started:
        kiosk.close()
