"""Shared helpers for the residents CLI tests: run the real CLI on a temporary data folder, make files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.residents import ResidentsStore
from kiosk.cli import main

REPO = Path(__file__).resolve().parents[2]
HEADER = "id,first_name,birth_year"

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def kiosk(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        rc = main(["--data-dir", str(data_dir), *args])
        out, err = capsys.readouterr()
        return rc, out, err

    return run


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def photo(path: Path, size: tuple[int, int] = (64, 48), fmt: str = "JPEG", exif: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", size, (120, 80, 200))
    if exif:
        ex = Image.Exif()
        ex[0x010F] = "CameraMaker"  # Make
        ex[0x9286] = "secret comment"
        img.save(path, format=fmt, exif=ex)
    else:
        img.save(path, format=fmt)
    return path


def store(data_dir: Path) -> ResidentsStore:
    return ResidentsStore(DataFolder(data_dir))
