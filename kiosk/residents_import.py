"""Reading a residents file (CSV or JSON) that staff made in a spreadsheet: defensively, all at once.

:func:`read_rows` turns a file into rows with line numbers, whatever Excel or a USB stick did to it (BOM,
Windows-1252, ``;``-separated, UTF-16 "Unicode text"), and refuses big or binary files with a message.
:func:`plan_import` validates every row (rules in :mod:`kiosk.domain.residents`), resolves and re-encodes
photos, and collects every problem as ``FILE:LINE: field: message``. :func:`apply_import` then writes the whole
plan in one locked, atomic transaction: all or nothing.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import json
import os
import re
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from kiosk.adapters import residents as store
from kiosk.adapters.atomic import fsync_dir
from kiosk.adapters.docstore import DataFolder
from kiosk.domain.models import Consent, Resident
from kiosk.domain.residents import COLUMNS, REQUIRED, changed_fields, validate_row
from kiosk.errors import UserError

MAX_FILE_BYTES = 5 * 1024 * 1024  # a residents file is a few KB; anything past this is the wrong file
MAX_PHOTO_BYTES = 25 * 1024 * 1024
MAX_PHOTO_PIXELS = 60_000_000
PHOTO_SIZE_PX = 800  # longest side of the stored photo
PHOTO_FORMATS = {"JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "MPO"}
MAX_PROBLEMS_SHOWN = 100


@dataclass
class Row:
    line: int
    values: dict[str, Any]


@dataclass
class Source:
    """The rows of a file, the list separator its cells use, and notes about how it was read."""

    rows: list[Row]
    list_sep: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Planned:
    line: int
    fields: dict[str, Any]
    photo_jpeg: bytes | None = None
    photo_sha256: str | None = None


@dataclass
class Plan:
    path: Path
    residents: list[Planned]
    notes: list[str]


# --- reading the file ---------------------------------------------------------------------------------------


def _decode(raw: bytes, name: str) -> tuple[str, list[str]]:
    notes: list[str] = []
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), notes
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), [f"{name}: read as UTF-16 (Excel 'Unicode text')"]
        except UnicodeDecodeError:
            raise ValueError("looks like UTF-16 but is damaged: save it again as 'CSV UTF-8'") from None
    if b"\x00" in raw:
        raise ValueError("is not a text file (it contains binary data): save the spreadsheet as 'CSV UTF-8'")
    try:
        return raw.decode("utf-8"), notes
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
        used = "Windows-1252"
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
        used = "Latin-1"
    notes.append(
        f"{name}: not UTF-8, read as {used} (Excel's older 'CSV' format): check that accented names look "
        "right below, or save it as 'CSV UTF-8' next time"
    )
    return text, notes


def _check_text(text: str, name: str) -> None:
    bad = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise ValueError(
            f"line {line} contains control characters: this does not look like a CSV or JSON file of residents"
        )


def _column_name(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().strip('"').strip().casefold())


_ALIASES = {
    "name": "first_name",
    "born": "birth_year",
    "year_of_birth": "birth_year",
    "volume": "volume_cap_pct",
}


def _suggest(col: str) -> str:
    """A " (did you mean ...?)" hint for an unknown column or key."""
    guess = _ALIASES.get(col) or col.replace("favorite", "favourite").replace("fav_", "favourite_")
    close = [guess] if guess in COLUMNS else difflib.get_close_matches(guess, COLUMNS, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _check_header(names: list[str], where: str, problems: list[str]) -> None:
    seen: set[str] = set()
    for raw in names:
        col = _column_name(raw)
        if not col:
            continue
        if col in seen:
            problems.append(f"{where}: {col}: column appears twice")
        seen.add(col)
        if col not in COLUMNS:
            problems.append(f"{where}: {raw.strip()[:40]}: unknown column{_suggest(col)}")
    for col in REQUIRED:
        if col not in seen:
            problems.append(f"{where}: {col}: required column is missing")


def _read_csv(text: str, name: str) -> Source:
    skipped = 0
    first_line = text.split("\n", 1)[0]
    hint = re.fullmatch(r'"?sep=(.)"?\s*', first_line)  # Excel's "sep=;" line
    if hint:
        delimiter = hint.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
        skipped = 1
    else:
        counts = {d: first_line.count(d) for d in (",", ";", "\t")}
        delimiter = max(counts, key=lambda d: counts[d])
        if counts[delimiter] == 0:
            delimiter = ","
    list_sep = "," if delimiter == ";" else ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[str] = []
    rows: list[Row] = []
    try:
        header = next(reader, None)
        if header is None:
            raise ValueError("is empty")
        _check_header(header, f"{name}:{1 + skipped}", problems)
        columns = [_column_name(h) for h in header]
        prev_end = reader.line_num
        for cells in reader:
            line = prev_end + 1 + skipped
            prev_end = reader.line_num
            if not any(c.strip() for c in cells):
                continue  # blank lines and Excel's trailing ";;;;" rows
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
                problems.append(
                    f"{name}:{line}: row: has {len(cells)} values but the header has {len(columns)} columns"
                    " (a missing quote, or a separator inside a value?)"
                )
                continue
            values = {col: cells[i] for i, col in enumerate(columns) if col in COLUMNS and i < len(cells)}
            rows.append(Row(line, values))
    except csv.Error as exc:
        raise ValueError(f"line {reader.line_num + skipped}: not valid CSV ({exc})") from None
    if problems:
        raise _Problems(problems)
    notes = []
    if delimiter == ";":
        notes.append(f"{name}: columns separated by ';' (Excel), so list items are separated by ','")
    return Source(rows, list_sep, notes)


def _read_json(text: str, name: str) -> Source:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Problems([f"{name}:{exc.lineno}: not valid JSON ({exc.msg})"]) from None
    except RecursionError:
        raise ValueError("is nested too deeply to be a residents file") from None
    items = doc.get("residents") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise ValueError('must hold a list of residents: [{"id": ..., "first_name": ..., "birth_year": ...}]')
    # Line numbers: walk the top-level array again with raw_decode to find where each element starts.
    lines: list[int] = []
    decoder = json.JSONDecoder()
    start = text.find("[") if isinstance(doc, list) else text.find("[", text.find('"residents"'))
    pos = start + 1
    for _ in items:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        lines.append(text.count("\n", 0, pos) + 1)
        try:
            _, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            break
    problems: list[str] = []
    rows: list[Row] = []
    for i, item in enumerate(items):
        line = lines[i] if i < len(lines) else 0
        if not isinstance(item, dict):
            problems.append(f"{name}:{line}: entry: must be an object with id, first_name, birth_year")
            continue
        for key, value in item.items():
            if key not in COLUMNS:
                problems.append(f"{name}:{line}: {str(key)[:40]}: unknown field{_suggest(str(key))}")
            elif isinstance(value, dict):
                problems.append(f"{name}:{line}: {key}: must be text, a number or a list")
        rows.append(Row(line, {k: v for k, v in item.items() if k in COLUMNS and not isinstance(v, dict)}))
    if problems:
        raise _Problems(problems)
    return Source(rows, ";")


class _Problems(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def read_rows(path: Path) -> tuple[Source | None, list[str]]:
    """The rows of a residents file, or None and the problems (each starting with the file name)."""
    name = str(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None, [f"{name}: no such file"]
    except IsADirectoryError:
        return None, [f"{name}: is a folder, not a file"]
    except OSError as exc:
        return None, [f"{name}: cannot be read ({exc.strerror})"]
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            f"{name}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, so it was not read "
            "(a residents file is a few KB): is this the right file?"
        ]
    if not raw.strip():
        return None, [f"{name}: is empty"]
    try:
        text, notes = _decode(raw, name)
        _check_text(text, name)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        is_json = path.suffix.casefold() == ".json" or text.lstrip()[:1] in ("[", "{")
        source = _read_json(text, name) if is_json else _read_csv(text, name)
    except _Problems as exc:
        return None, exc.problems
    except (ValueError, UnicodeDecodeError) as exc:
        return None, [f"{name}: {exc}"]
    source.notes[:0] = notes
    if not source.rows:
        return None, [f"{name}: has no residents (only a header?)"]
    return source, []


# --- photos ---------------------------------------------------------------------------------------------------


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


# --- plan and apply ---------------------------------------------------------------------------------------


def plan_import(path: Path, today: date | None = None) -> tuple[Plan | None, list[str]]:
    """Read and check everything (photos too) without touching the data folder; every problem at once."""
    today = today or date.today()
    source, problems = read_rows(path)
    if source is None:
        return None, problems
    name = str(path)
    base = path.parent
    planned: list[Planned] = []
    first_line: dict[str, int] = {}
    notes = list(source.notes)
    for row in source.rows:
        fields, row_problems = validate_row(row.values, today=today, list_sep=source.list_sep)
        for p in row_problems:
            problems.append(f"{name}:{row.line}: {p.field}: {p.message}")
        staff_id = fields["staff_id"]
        key = staff_id.casefold()
        if staff_id and key in first_line:
            problems.append(f"{name}:{row.line}: id: {staff_id!r} is also on line {first_line[key]}")
        elif staff_id:
            first_line[key] = row.line
        item = Planned(row.line, fields)
        photo = fields.pop("photo")
        if photo and fields["consent"] == Consent.NO:
            notes.append(f"{name}:{row.line}: photo: not kept, because consent is 'no'")
        elif photo:
            try:
                src = resolve_photo(base, photo)
                item.photo_sha256 = hashlib.sha256(src.read_bytes()).hexdigest()
                item.photo_jpeg = reencode_photo(src)
            except ValueError as exc:
                problems.append(f"{name}:{row.line}: photo: {exc}")
        planned.append(item)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        hidden = len(problems) - MAX_PROBLEMS_SHOWN
        problems = [*problems[:MAX_PROBLEMS_SHOWN], f"{name}: ... and {hidden} more problems"]
    if problems:
        return None, problems
    return Plan(path, planned, notes), []


@dataclass
class Outcome:
    added: list[str] = field(default_factory=list)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.added:
            out.append(f"new ({len(self.added)}): {', '.join(self.added)}")
        for staff_id, changed in self.updated:
            out.append(f"updated {staff_id}: {', '.join(changed)}")
        if self.unchanged:
            out.append(f"unchanged ({len(self.unchanged)}): {', '.join(self.unchanged)}")
        if self.not_in_file:
            out.append(
                f"in the kiosk but not in this file, left as they are ({len(self.not_in_file)}): "
                f"{', '.join(self.not_in_file)} (to erase one: kiosk residents remove ID)"
            )
        return out


def _same_picture(old: Resident | None, sha: str | None) -> bool:
    """Whether the photo given is the one already stored (the original, or the kiosk's own exported copy)."""
    if old is None or not old.photo or sha is None:
        return False
    return sha in (old.extra.get("photo_sha256"), old.extra.get("photo_stored_sha256"))


def _merge(plan: Plan, docs: list[dict[str, Any]]) -> tuple[list[tuple[Resident, bytes | None]], Outcome]:
    """What each changed row becomes (with the photo to write, if any), against the residents stored now."""
    existing: dict[str, Resident] = {}
    for doc in docs:
        try:
            existing[str(doc.get("staff_id", "")).casefold()] = store.resident_from_doc(doc)
        except ValueError:
            continue  # a damaged document: the row is imported as new
    outcome = Outcome()
    result: list[tuple[Resident, bytes | None]] = []
    seen: set[str] = set()
    for item in plan.residents:
        fields = dict(item.fields)
        old = existing.get(fields["staff_id"].casefold())
        seen.add(fields["staff_id"].casefold())
        resident_id = old.resident_id if old else str(uuid.uuid4())
        extra = dict(old.extra) if old else {}
        photo: str | None = None
        jpeg: bytes | None = None
        if item.photo_jpeg is not None:
            photo = store.photo_relpath(resident_id)
            if not _same_picture(old, item.photo_sha256):
                jpeg = item.photo_jpeg
                extra["photo_sha256"] = item.photo_sha256
                extra["photo_stored_sha256"] = hashlib.sha256(jpeg).hexdigest()
        else:
            extra.pop("photo_sha256", None)
            extra.pop("photo_stored_sha256", None)
        new = Resident(resident_id=resident_id, photo=photo, extra=extra, **fields)
        if old is None:
            outcome.added.append(new.staff_id)
            result.append((new, jpeg))
            continue
        changed = changed_fields(old, new)
        if changed:
            outcome.updated.append((new.staff_id, changed))
            result.append((new, jpeg))
        else:
            outcome.unchanged.append(new.staff_id)
    outcome.not_in_file = sorted(
        str(d.get("staff_id")) for d in docs if str(d.get("staff_id", "")).casefold() not in seen
    )
    return result, outcome


def preview_import(plan: Plan, data: DataFolder) -> Outcome:
    """What :func:`apply_import` would do now (for ``--dry-run``)."""
    docs = [dict(d) for d in data.read(store.STORE).table(store.TABLE).all()]
    return _merge(plan, docs)[1]


def apply_import(plan: Plan, data: DataFolder) -> Outcome:
    """Write the plan under the folder's lock: new photos are staged beside their final names, every profile
    goes in one atomic write, and only once that is on disk are the photos moved into place (or removed).
    If anything fails before, the staged photos are deleted and nothing has changed."""
    staged: list[tuple[Path, Path]] = []
    with data.locked():
        try:
            with data.write(store.STORE) as db:
                table = db.table(store.TABLE)
                merged, outcome = _merge(plan, [dict(d) for d in table.all()])
                for resident, jpeg in merged:
                    if jpeg is not None:
                        final = data.root / store.photo_relpath(resident.resident_id)
                        staged.append((store.stage_photo(data, resident.resident_id, jpeg), final))
                    store.upsert_doc(table, resident)
        except BaseException:
            for tmp, _ in staged:
                tmp.unlink(missing_ok=True)
            raise
        for tmp, final in staged:
            os.replace(tmp, final)
        if staged:
            fsync_dir(data.root / store.PHOTO_DIR)
        for resident, jpeg in merged:
            if jpeg is None and resident.photo is None:
                store.delete_photo(data, store.photo_relpath(resident.resident_id))
    return outcome


def import_file(path: Path, data: DataFolder, *, dry_run: bool = False) -> tuple[Plan, Outcome]:
    """Check ``path`` and (unless ``dry_run``) import it: the whole of ``kiosk residents import``, for
    callers such as ``kiosk demo-content``. Raises :class:`UserError` with every problem; nothing changes then."""
    plan, problems = plan_import(path)
    if plan is None:
        raise UserError([*problems, f"{path}: nothing was imported (fix the lines above and run it again)"])
    try:
        outcome = preview_import(plan, data) if dry_run else apply_import(plan, data)
    except OSError as exc:
        raise UserError(
            f"{data.root}: could not write the data folder ({exc.strerror or exc}); nothing was imported"
        ) from None
    return plan, outcome
