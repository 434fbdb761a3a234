"""Checking kiosk.toml values: key positions, "did you mean", types, ranges, choices and times.

Kept apart from :mod:`kiosk.config` (the schema and the loader) so each stays short. A setting's rule is
written beside its field in the schema with :func:`setting` (a :class:`Rule` in the field's metadata);
:func:`check_value` applies it. Every check returns a :class:`Problem` instead of raising, so the loader can
report all of them at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.domain.schedule import parse_time


@dataclass(frozen=True)
class Problem:
    """One thing wrong in kiosk.toml: the dotted key path (``""`` = the whole file) and a plain message."""

    key: str
    message: str
    line: int | None = None

    def format(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


@dataclass(frozen=True)
class Rule:
    """What a setting's value may be, beyond its type (the type of its default)."""

    between: tuple[float, float] | None = None  # a number's range, inclusive (every number has one)
    step: int | None = None  # whole multiples only
    # the texts allowed: a tuple, or an enum-like class whose members are them (read when checked, so a mode
    # registered later is allowed too); the value becomes that class's member
    choices: Iterable[str] | None = None
    blank: bool = False  # "" is allowed too (with choices: "none of them")
    time: bool = False  # "" or "HH:MM" (TOML's unquoted 21:00:00 too)


def setting(default: Any, **rule: Any) -> Any:
    """A kiosk.toml setting: its default and its :class:`Rule` side by side, e.g.
    ``fade_ms: int = setting(1500, between=(0, 20000))``."""
    return dataclasses.field(default=default, metadata={"rule": Rule(**rule)})


def rule_of(cls: type[Any], name: str) -> Rule:
    """The rule written beside field ``name`` of the settings dataclass ``cls`` (none: the type alone)."""
    for f in dataclasses.fields(cls):
        if f.name == name:
            rule = f.metadata.get("rule")
            return rule if isinstance(rule, Rule) else Rule()
    raise KeyError(name)


KIOSK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def did_you_mean(name: str, choices: Iterable[str], fmt: str = "'{}'") -> str:
    """``" (did you mean 'x'?)"`` for the closest of ``choices``, or ``""`` when nothing is close."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {fmt.format(close[0])}?)" if close else ""


def kind_of(value: Any) -> str:
    """How a TOML value's type reads to a person."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a section"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dt.date | dt.time):
        return "a date/time"
    return type(value).__name__


def _show(value: Any) -> str:
    return (
        repr(value)
        if isinstance(value, str)
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
    )


def _number_text(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def check_value(value: Any, default: Any, rule: Rule | None = None) -> tuple[Any, str | None]:
    """Convert ``value`` to the type of ``default`` and check ``rule``: (converted, None) or (None, message)."""
    rule = rule or Rule()
    if isinstance(default, bool):
        if not isinstance(value, bool):
            return None, f"must be true or false, got {_show(value)} ({kind_of(value)})"
        return value, None
    if isinstance(default, int | float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if isinstance(default, int) and isinstance(value, float):
            if not value.is_integer():
                return None, f"must be a whole number, got {value}"
            value = int(value)
        if not ok:
            what = "a whole number" if isinstance(default, int) else "a number"
            return None, f"must be {what}, got {_show(value)} ({kind_of(value)})"
        low, high = rule.between or (float("-inf"), float("inf"))
        if not low <= value <= high:
            return None, f"must be {_number_text(low)}-{_number_text(high)}, got {value}"
        if rule.step and value % rule.step:
            return None, f"must be a multiple of {rule.step}, got {value}"
        return (float(value) if isinstance(default, float) else value), None
    if rule.time and isinstance(value, dt.time):  # TOML's unquoted 21:00:00
        value = f"{value.hour:02d}:{value.minute:02d}"
    if not isinstance(value, str):
        return None, f"must be text in quotes, got {_show(value)} ({kind_of(value)})"
    if rule.choices is not None:
        return _choose(value.strip().lower(), value, rule)
    if rule.time and value.strip():
        try:
            minute = parse_time(value)
        except ValueError as exc:
            return None, f"{exc}"
        return f"{minute // 60:02d}:{minute % 60:02d}", None
    if isinstance(default, Path):
        if not value.strip():
            return None, "must name a folder, got an empty text"
        return Path(value).expanduser(), None
    return value, None


def _choose(text: str, value: str, rule: Rule) -> tuple[Any, str | None]:
    """One of ``rule.choices`` (as that enum's member when the choices are an enum-like class), or "" if blank."""
    assert rule.choices is not None
    allowed = [str(getattr(c, "value", c)) for c in rule.choices]
    if rule.blank and not text:
        return "", None
    if text not in allowed:
        hint = did_you_mean(text, allowed)
        return None, f"must be one of {', '.join(allowed)}; got {value!r}{hint}"
    return (rule.choices(text) if isinstance(rule.choices, type) else text), None


_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_PART = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=")
_INLINE_KEY = re.compile(rf"[{{,]\s*({_DOTTED})\s*=")


def _split(dotted: str) -> list[str]:
    parts = re.findall(_PART, dotted)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def key_lines(text: str) -> dict[str, int]:
    """Map each dotted key path (and each section) of TOML ``text`` to its 1-based line number.

    tomllib gives no positions, so this scans the text: section headers, ``key =`` lines (dotted keys too),
    keys of one-line inline tables, skipping multi-line strings. Good enough to point a person at a line.
    """
    lines: dict[str, int] = {}
    table: list[str] = []
    in_multiline: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if raw.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        header = _HEADER.match(raw)
        if header:
            table = _split(header.group(1))
            lines.setdefault(".".join(table), number)
            continue
        key = _KEY.match(raw)
        if not key:
            continue
        path = table + _split(key.group(1))
        lines.setdefault(".".join(path), number)
        rest = raw[key.end() :]
        for quote in ('"""', "'''"):
            if rest.count(quote) % 2 == 1:
                in_multiline = quote
        if rest.lstrip().startswith("{"):
            for inner in _INLINE_KEY.finditer(rest):
                lines.setdefault(".".join(path + _split(inner.group(1))), number)
    return lines


def line_of(lines: dict[str, int], key: str) -> int | None:
    """The line of ``key``, else of its nearest enclosing key or section that has one."""
    parts = key.split(".")
    while parts:
        found = lines.get(".".join(parts))
        if found:
            return found
        parts.pop()
    return None


def toml_error_line(message: str) -> int | None:
    """The line number inside a :class:`tomllib.TOMLDecodeError` message ("... (at line 3, column 5)")."""
    m = re.search(r"at line (\d+)", message)
    return int(m.group(1)) if m else None
