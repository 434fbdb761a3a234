"""Residents' photos from an import folder: the path must stay inside that folder, the file must be a real
image, and what the kiosk keeps is re-encoded (upright, at most PHOTO_SIZE_PX, JPEG, no metadata)."""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path, PurePosixPath

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 25 * 1024 * 1024
MAX_PHOTO_PIXELS = 60_000_000
PHOTO_SIZE_PX = 800  # longest side of the stored photo
PHOTO_FORMATS = {"JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "MPO"}


def resolve_photo(base: Path, value: str) -> Path:
    """The photo file ``value`` names, which must be inside ``base`` (the residents file's folder)."""
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
    root = base.resolve()
    target = (base / PurePosixPath(text)).resolve()
    if not target.is_relative_to(root):
        raise ValueError(f"{value!r}: leads outside the residents file's folder (a link?)")
    if not target.exists():
        raise ValueError(f"{value!r}: no such file next to the residents file")
    if not target.is_file():
        raise ValueError(f"{value!r}: is not a file")
    if target.stat().st_size > MAX_PHOTO_BYTES:
        raise ValueError(f"{value!r}: larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    return target


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
