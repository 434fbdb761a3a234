"""Residents' photos from an import folder: the path must stay inside that folder, the file must be a real
image, and what the kiosk keeps is re-encoded (upright, at most PHOTO_SIZE_PX, JPEG, no metadata)."""

from __future__ import annotations

import io
import os
import re
import stat
import warnings
from pathlib import Path, PurePosixPath

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 25 * 1024 * 1024
MAX_PHOTO_PIXELS = 60_000_000
PHOTO_SIZE_PX = 800  # longest side of the stored photo
PHOTO_FORMATS = {"JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "MPO"}


def resolve_photo(base: Path, value: str, real_dirs: dict[str, str] | None = None) -> Path:
    """The photo file ``value`` names, which must be inside ``base`` (the residents file's folder).

    ``real_dirs`` (folder -> real path) may be shared across the rows of one import, so 10,000 photos in a
    few folders cost one ``realpath`` per folder, not one per photo (only a link needs resolving then)."""
    text = value.replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text) or text.startswith("~"):
        raise ValueError(
            f"{value!r}: absolute paths are not allowed; put the photo in the folder of the residents file "
            "and write e.g. photos/mary.jpg"
        )
    parts = PurePosixPath(text).parts
    if ".." in parts:
        raise ValueError(
            f"{value!r}: '..' is not allowed; the photo must be inside the residents file's folder"
        )
    cache = real_dirs if real_dirs is not None else {}

    def real(folder: str) -> str:
        if folder not in cache:
            cache[folder] = os.path.realpath(folder)
        return cache[folder]

    root = real(str(base))
    joined = os.path.join(str(base), text)
    try:
        st = os.lstat(joined)
    except OSError:
        raise ValueError(f"{value!r}: no such file next to the residents file") from None
    if stat.S_ISLNK(st.st_mode):
        target = os.path.realpath(joined)  # a link: follow it, wherever it leads
    else:
        folder, name = os.path.split(joined)
        target = os.path.join(real(folder), name)
    if not (target.startswith(root.rstrip("/") + "/") and target != root):
        raise ValueError(f"{value!r}: leads outside the residents file's folder (a link?)")
    try:
        st = os.stat(target)
    except OSError:
        raise ValueError(f"{value!r}: no such file next to the residents file") from None
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{value!r}: is not a file")
    if st.st_size > MAX_PHOTO_BYTES:
        raise ValueError(f"{value!r}: larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    return Path(target)


def reencode_photo(path: Path) -> bytes:
    """``path`` as a JPEG at most PHOTO_SIZE_PX on its longest side, upright, with no metadata."""
    name = path.name
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                if im.format not in PHOTO_FORMATS:
                    raise ValueError(f"{name!r}: a {im.format} image; use a JPEG or PNG photo")
                if im.width * im.height > MAX_PHOTO_PIXELS:
                    raise ValueError(f"{name!r}: {im.width}x{im.height} pixels is too large for a photo")
                im.draft("RGB", (PHOTO_SIZE_PX, PHOTO_SIZE_PX))
                upright = ImageOps.exif_transpose(im) or im
                rgb = upright.convert("RGB")
                rgb.thumbnail((PHOTO_SIZE_PX, PHOTO_SIZE_PX))
                out = io.BytesIO()
                rgb.save(out, format="JPEG", quality=85)  # no exif/icc passed on: metadata stripped
                return out.getvalue()
    except ValueError:
        raise
    except UnidentifiedImageError:
        raise ValueError(f"{name!r}: not an image (use a JPEG or PNG photo)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(f"{name!r}: too many pixels for a photo") from None
    except (OSError, SyntaxError) as exc:
        raise ValueError(f"{name!r}: damaged image ({exc})") from None
