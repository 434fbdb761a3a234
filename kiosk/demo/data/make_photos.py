"""Generate the demo residents' photos: a coloured circle with initials, nothing that looks like a person.

Run from the repository: ``.venv/bin/python kiosk/demo/data/make_photos.py`` (writes kiosk/demo/data/photos/*.png).
Deterministic: the same names give the same files.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
SIZE_PX = 256
PALETTE = [(86, 130, 177), (176, 108, 73), (96, 150, 110), (150, 98, 160), (190, 150, 60), (70, 140, 150)]


def initial(first: str, preferred: str) -> str:
    """The first letter of the name the resident goes by."""
    return (preferred or first)[:1].upper()


def draw(text: str, colour: tuple[int, int, int], path: Path) -> None:
    img = Image.new("RGB", (SIZE_PX, SIZE_PX), (245, 242, 235))
    d = ImageDraw.Draw(img)
    d.ellipse((8, 8, SIZE_PX - 8, SIZE_PX - 8), fill=colour)
    font = ImageFont.load_default(size=110)
    d.text((SIZE_PX / 2, SIZE_PX / 2), text, fill=(255, 255, 255), font=font, anchor="mm")
    img.save(path, format="PNG", optimize=True)


def main() -> None:
    out = HERE / "photos"
    out.mkdir(exist_ok=True)
    with open(HERE / "residents.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if not row["photo"]:
                continue
            colour = PALETTE[int(hashlib.sha256(row["id"].encode()).hexdigest(), 16) % len(PALETTE)]
            draw(initial(row["first_name"], row["preferred_name"]), colour, HERE / row["photo"])
            print(HERE / row["photo"])


if __name__ == "__main__":
    main()
