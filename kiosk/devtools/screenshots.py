"""`make screenshots`: a PNG of every screen at both display sizes, in build/screenshots/.

Each size runs in its own process (Kivy has one window and one DPI per process):
``python -m kiosk.devtools.screenshots [OUT_DIR]``. Files: ``<screen>-<width>x<height>.png``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

# Official 7" display (800x480, ~133 DPI) and Touch Display 2 run landscape (1280x720 on a 154.6 mm wide
# active area: 1280 / (154.56 / 25.4) = 210 DPI).
SIZES = ((800, 480, 133.0), (1280, 720, 210.0))


def one_size(out_dir: Path, width: int, height: int, dpi: float) -> list[str]:
    from kiosk.devtools import headless

    h = headless.start(width, height, dpi)
    written = []
    for name, _resident in headless.visit_all(h):
        path = out_dir / f"{name}-{width}x{height}.png"
        h.ui.root.export_to_png(str(path))
        written.append(path.name)
    return written


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--one":
        w_text, h_text, dpi_text = argv[2].split(":")
        names = one_size(Path(argv[1]), int(w_text), int(h_text), float(dpi_text))
        print("\n".join(names))
        return 0
    out_dir = Path(argv[0] if argv else "build/screenshots")
    out_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1",
               KIVY_NO_CONSOLELOG="1", KIVY_LOG_MODE="PYTHON")  # fmt: skip
    env.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
    rc = 0
    for w, h, dpi in SIZES:
        done = subprocess.run(
            [sys.executable, "-m", "kiosk.devtools.screenshots", "--one", str(out_dir), f"{w}:{h}:{dpi}"],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        if done.returncode:
            print(done.stderr[-3000:], file=sys.stderr)
            rc = 1
        print(f"{w}x{h} @ {dpi:.0f} DPI: {len(done.stdout.split())} screenshots in {out_dir}")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
