"""Looking at screenshots the way an eye does: how tall the ink of some text is, what colour a region is."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image


def crop(shot: Path, rect: Sequence[float]) -> Image.Image:
    """The part of a window screenshot inside ``rect`` (Kivy window px: x0, y0, x1, y1 with y upwards)."""
    image = Image.open(shot).convert("RGB")
    height = image.height
    x0, y0, x1, y1 = rect
    return image.crop((int(x0), int(height - y1), int(x1), int(height - y0)))


def ink_height_px(shot: Path, rect: Sequence[float], *, darker_than: int = 110) -> int:
    """Rows of ``rect`` holding dark pixels (text ink on the light background), top of the ink to its bottom."""
    region = crop(shot, rect).convert("L")
    width, height = region.size
    pixels = region.load()
    rows = [y for y in range(height) if any(pixels[x, y] < darker_than for x in range(width))]
    return rows[-1] - rows[0] + 1 if rows else 0
