"""Guided imagery and relaxation scripts for Relax: plain text a home can edit and translate (pure).

One file per script (``content/scripts/*.txt``, UTF-8)::

    # A walk by the sea            <- the first "#" line is the title; other "#" lines are notes
    Let's take a slow walk by the sea.
    [pause 4]                      <- four seconds of quiet: only the music
    Feel the warm sand under your feet.
    [breathe 3]                    <- three slow breaths with the breathing circle (5 s in, 5 s out)

Every other non-empty line is spoken as one piece. A pause is real silence for the voice: the music plays on,
at its own level. Problems come back as ``(line, message)`` so the caller can say FILE:LINE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BREATH_PERIOD_S = 10.0  # the breathing circle on the Relax screen: 6 breaths a minute, 5 s in, 5 s out
MAX_PAUSE_S = 120.0
MAX_BREATHS = 12
MAX_LINE_CHARS = 300
_MARKER = re.compile(r"^\[\s*([a-z]+)\s*([^\]]*)\]$", re.IGNORECASE)


@dataclass(frozen=True)
class Say:
    """Speak ``text``; the next part starts ``slot_s`` after this one began (0: as soon as it ends)."""

    text: str
    slot_s: float = 0.0


@dataclass(frozen=True)
class Pause:
    """Quiet for ``seconds``: the music alone."""

    seconds: float


Part = Say | Pause


@dataclass(frozen=True)
class Script:
    name: str
    title: str
    parts: tuple[Part, ...]

    def texts(self) -> list[str]:
        """Every distinct spoken text, in order (to render ahead)."""
        seen: list[str] = []
        for part in self.parts:
            if isinstance(part, Say) and part.text not in seen:
                seen.append(part.text)
        return seen


def breaths(count: int) -> list[Part]:
    """``count`` slow breaths paced with the breathing circle: "Breathe in..." then "and out..."."""
    half = BREATH_PERIOD_S / 2
    parts: list[Part] = []
    for _ in range(count):
        parts += [Say("Breathe in, slowly.", half), Say("And out.", half)]
    return parts


def parse_script(name: str, text: str) -> tuple[Script, list[tuple[int, str]]]:
    """The script in ``text`` and its problems (line number, message); bad lines are left out."""
    problems: list[tuple[int, str]] = []
    title = ""
    parts: list[Part] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        if line.startswith("#"):
            title = title or line.lstrip("#").strip()
            continue
        marker = _MARKER.match(line)
        if marker:
            word, arg = marker.group(1).lower(), marker.group(2).strip()
            try:
                value = float(arg)
            except ValueError:
                problems.append((number, f"[{word} {arg}]: write a number, e.g. [{word} 4]"))
                continue
            if word == "pause" and 0 < value <= MAX_PAUSE_S:
                parts.append(Pause(value))
            elif word == "breathe" and value == int(value) and 1 <= value <= MAX_BREATHS:
                parts += breaths(int(value))
            elif word in ("pause", "breathe"):
                limit = f"0-{MAX_PAUSE_S:.0f} seconds" if word == "pause" else f"1-{MAX_BREATHS} breaths"
                problems.append((number, f"[{word} {arg}]: use {limit}"))
            else:
                problems.append(
                    (number, f"[{word}]: unknown marker (use [pause SECONDS] or [breathe COUNT])")
                )
            continue
        if line.startswith("["):
            problems.append((number, f"{line[:40]}: a marker looks like [pause 4] or [breathe 3]"))
            continue
        if len(line) > MAX_LINE_CHARS:
            problems.append((number, f"a spoken line is at most {MAX_LINE_CHARS} characters (split it)"))
            continue
        parts.append(Say(line))
    if not any(isinstance(p, Say) for p in parts):
        problems.append((0, "nothing to say: the script has no spoken lines"))
    return Script(name, title or name.replace("-", " ").replace("_", " "), tuple(parts)), problems
