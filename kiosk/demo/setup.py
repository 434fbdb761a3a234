"""Make a data folder ready for `kiosk run --demo`: demo music, its catalogue, and the fictional residents.

Idempotent: each step is skipped when its result is already there, so `make demo` starts fast the second time.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from kiosk.adapters.docstore import DataFolder

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


def prepare_demo(data_dir: Path, say: Callable[[str], None] = print) -> Path:
    """Generate, scan and import the demo content into ``data_dir`` where missing; returns the music folder."""
    from kiosk.adapters.library_scan import scan_library
    from kiosk.adapters.residents import ResidentsStore
    from kiosk.demo.generate import generate_demo
    from kiosk.residents_import import import_file

    data = DataFolder(data_dir)
    demo_dir = data.root / "demo"
    report = generate_demo(demo_dir)
    if not report.skipped:
        say(f"Demo music: {len(report.tracks)} songs made in {report.music_dir}")
    scan = scan_library(data, report.music_dir)
    if scan.written:
        say(f"Demo catalogue: {scan.songs} songs indexed")
    if not ResidentsStore(data).all():
        csv_path = write_demo_residents(demo_dir / "residents")
        _plan, _outcome = import_file(csv_path, data)
        say(f"Demo residents: {len(ResidentsStore(data).all())} fictional residents imported")
    return report.music_dir
