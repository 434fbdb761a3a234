"""The fictional sample residents of the demo (`kiosk demo-content`, `kiosk run --demo`).

:func:`kiosk.wiring.prepare_demo` makes a data folder ready for `kiosk run --demo` with them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def write_demo_residents(dest: Path) -> Path:
    """Copy the fictional sample residents (CSV + generated photos) into ``dest``; returns the CSV path."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DATA / "residents.csv", dest / "residents.csv")
    photos = dest / "photos"
    photos.mkdir(exist_ok=True)
    for png in sorted((DATA / "photos").glob("*.png")):
        shutil.copyfile(png, photos / png.name)
    return dest / "residents.csv"
