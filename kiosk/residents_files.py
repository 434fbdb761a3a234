"""Reading a residents file (CSV or JSON) that staff made in a spreadsheet, whatever Excel or a USB stick did
to it: BOM, Windows-1252, UTF-16 "Unicode text", ``;``-separated with a ``sep=`` line. Big or binary files are
refused with a message (at most MAX_FILE_BYTES is ever read). Rows come back with their line numbers.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.domain.csv_cells import unescape_cell
from kiosk.domain.residents import COLUMNS, REQUIRED

MAX_FILE_BYTES = 5 * 1024 * 1024  # a residents file is a few KB; anything past this is the wrong file


@dataclass
class Row:
    line: int
    values: dict[str, Any]


@dataclass
class Source:
    """The rows of a file, notes about how it was read, and problems with the file as a whole (its header),
    reported together with every row's problems."""

    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    columns: tuple[str, ...] | None = None  # a CSV's known columns (JSON: each entry has its own keys)


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
    "forename": "first_name",
    "given_name": "first_name",
    "surname": "preferred_name",
    "last_name": "preferred_name",
    "family_name": "preferred_name",
    "nickname": "preferred_name",
    "known_as": "preferred_name",
    "born": "birth_year",
    "year_of_birth": "birth_year",
    "date_of_birth": "birth_year",
    "dob": "birth_year",
    "volume": "volume_cap_pct",
    "volume_limit": "volume_cap_pct",
    "avoid": "avoid_keywords",
    "dislikes": "avoid_keywords",
    "favourites": "favourite_songs",
}


def _suggest(col: str) -> str | None:
    """The column staff probably meant by an unknown one, if any."""
    guess = _ALIASES.get(col) or col.replace("favorite", "favourite").replace("fav_", "favourite_")
    close = [guess] if guess in COLUMNS else difflib.get_close_matches(guess, COLUMNS, n=1)
    return close[0] if close else None


def unknown_column(raw: str, col: str, what: str = "column") -> str:
    """What to do about a column (or JSON key) the kiosk does not store."""
    target = _suggest(col)
    if target:
        advice = f"delete it or rename it to {target}"
    else:
        advice = "delete it (the columns the kiosk reads are those of content/residents-template.csv)"
    return f"{raw.strip()[:40]}: this {what} is not stored: {advice}"


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
            problems.append(f"{where}: {unknown_column(raw, col)}")
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
            # a short row (cells missing at its end) reads as empty cells: the columns are in the file
            values = {
                col: unescape_cell(cells[i]) if i < len(cells) else ""
                for i, col in enumerate(columns)
                if col in COLUMNS
            }
            rows.append(Row(line, values))
    except csv.Error as exc:
        raise ValueError(f"line {reader.line_num + skipped}: not valid CSV ({exc})") from None
    return Source(rows, problems=problems, columns=tuple(c for c in columns if c in COLUMNS))


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
                problems.append(f"{name}:{line}: {unknown_column(str(key), _column_name(str(key)), 'key')}")
            elif isinstance(value, dict):
                problems.append(f"{name}:{line}: {key}: must be text, a number or a list")
        rows.append(Row(line, {k: v for k, v in item.items() if k in COLUMNS and not isinstance(v, dict)}))
    return Source(rows, problems=problems)


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
        return None, [*source.problems, f"{name}: has no residents (only a header?)"]
    return source, []
