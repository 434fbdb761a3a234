"""What the gentle voice says, and when it may speak (pure).

The voice is off by default, per kiosk (``[voice]`` in kiosk.toml) and per resident (the ``voice`` column).
Rules kept here, so they can be tested without sound:

- Introductions are short ("Here is Vera Lynn, from 1942."), slow and warm, at most about 8 seconds. In
  personal mode, and only when staff switched it on, the resident's age when the song came out is added, and
  only when the song's exact year is known. In lounge mode nothing personal is ever said: no name, no age.
- Orientation ("Good afternoon. It's Tuesday, the first of December.") only on a clock that is synchronised,
  RTC-backed or set by staff since boot (:mod:`kiosk.domain.clock_trust`), never on the off-Pi fallback.
- Numbers are written as words, so every voice reads them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kiosk.domain.clock_trust import ClockBasis
from kiosk.domain.models import Resident, Song


class IntroEvery(StrEnum):
    """How often songs are introduced."""

    OFF = "off"
    EVERY = "every"  # every song
    THIRD = "third"  # the 1st, 4th, 7th... song of a session
    START = "start"  # the session's first song only


@dataclass(frozen=True)
class VoiceSettings:
    """The kiosk's voice settings (``[voice]`` in kiosk.toml); everything off by default."""

    enabled: bool = False
    intros: IntroEvery = IntroEvery.OFF
    intro_age: bool = False  # personal mode only: "when you were seventeen" (exact years only)
    orientation: bool = False
    lyric_coach: bool = False  # sing-along: each lyric line spoken just before it is sung
    imagery: bool = False  # relax: a guided imagery / relaxation script over calm music
    imagery_script: str = ""  # a script's file name (without .txt); "" takes them in turn
    home_mix: bool = False  # also speak when nobody is chosen (the home's mix)
    personal: bool = False  # the kiosk is in personal mode (from [kiosk] mode)
    duck_db: float = -8.0  # music under a lyric cue or an imagery line
    cue_lead_s: float = 1.5  # a lyric cue starts at least this long before its line
    cue_margin_s: float = 0.3  # and ends at least this long before it
    # A level change on a playing song is heard this long after it is made (libvlc decodes ~1.15 s ahead:
    # measured on its decoded samples), a clip started fresh at once: the music dips this long before the voice.
    duck_lead_s: float = 1.2
    imagery_delay_s: float = 20.0  # the script starts this long into the session's first song
    intro_max_s: float = 8.0  # a longer rendered introduction is not played


@dataclass(frozen=True)
class VoiceSwitches:
    """The kiosk-wide switches on the staff screen's Voice panel (staff's choice, else kiosk.toml's), and
    whether the kiosk can speak at all: ``silent_because`` says why not in plain words ("" when it can)."""

    enabled: bool = False
    intros: IntroEvery = IntroEvery.OFF
    orientation: bool = False
    lyric_coach: bool = False
    imagery: bool = False
    silent_because: str = ""  # e.g. "no natural voice is installed ..."
    speaks_with: str = ""  # the installed voice and its licence, when it can speak


SWITCH_NAMES = ("enabled", "intros", "orientation", "lyric_coach", "imagery")  # what staff may switch


MAX_INTRO_WORDS = 16  # about 8 s at a slow pace (~2 words a second, with pauses)
EXACT_YEAR_SOURCES = ("tag:", "sidecar:file")  # the era evidence that names the song's own year

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINAL_ONES = [
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
]
_ORDINAL_TENS = {20: "twentieth", 30: "thirtieth"}
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def number_words(n: int) -> str:
    """0..99 as English words ("seventeen", "forty-two")."""
    if not 0 <= n < 100:
        raise ValueError(f"{n} is outside 0..99")
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + ("" if ones == 0 else "-" + _ONES[ones])


def ordinal_words(n: int) -> str:
    """1..31 as ordinal words ("first", "twenty-second")."""
    if not 1 <= n <= 31:
        raise ValueError(f"{n} is outside 1..31")
    if n < 20:
        return _ORDINAL_ONES[n]
    tens, ones = divmod(n, 10)
    return _ORDINAL_TENS[tens * 10] if ones == 0 else _TENS[tens] + "-" + _ORDINAL_ONES[ones]


def year_words(year: int) -> str:
    """1942 -> "nineteen forty-two"; 1905 -> "nineteen oh five"; 1900 -> "nineteen hundred"."""
    high, low = divmod(year, 100)
    if not 10 <= high <= 99:
        return str(year)
    if low == 0:
        return f"{number_words(high)} hundred"
    if low < 10:
        return f"{number_words(high)} oh {number_words(low)}"
    return f"{number_words(high)} {number_words(low)}"


def decade_words(year: int) -> str:
    """1942 -> "the nineteen-forties"."""
    high, low = divmod(year // 10 * 10, 100)
    tens = _TENS[low // 10] if low >= 20 else ("hundreds" if low == 0 else "tens")
    plural = tens[:-1] + "ies" if tens.endswith("y") else tens
    return f"the {number_words(high)}-{plural}"


def exact_year(song: Song) -> bool:
    """Whether the song's year is its own (a tag or the song's own sidecar entry), not a decade guess."""
    return song.year is not None and song.era_source.startswith(EXACT_YEAR_SOURCES)


def intro_text(song: Song, *, listener: Resident | None = None, with_age: bool = False) -> str:
    """The introduction for ``song``: "Here is Vera Lynn, from 1942." ("" when there is nothing to say).

    ``listener`` and ``with_age`` are for personal mode only (the caller passes neither in lounge mode): the
    age is added only when the song's exact year is known and the age is a plausible one (5..99).
    """
    who = song.artist.strip() or song.title.strip()
    if not who:
        return ""
    text = f"Here is {who}"
    if song.year is not None and exact_year(song):
        text += f", from {year_words(song.year)}"
        if with_age and listener is not None and listener.birth_year:
            age = song.year - listener.birth_year
            if 5 <= age <= 99:
                text += f", when you were {number_words(age)}"
    elif song.year is not None:
        text += f", from {decade_words(song.year)}"
    words = text.split()
    if len(words) > MAX_INTRO_WORDS:  # a very long artist name: keep it short, drop the year
        text = " ".join(f"Here is {who}".split()[:MAX_INTRO_WORDS])
    return text + "."


def part_of_day(hour: int) -> str:
    return "morning" if 5 <= hour < 12 else "afternoon" if 12 <= hour < 18 else "evening"


def orientation_text(local: datetime) -> str:
    """ "Good afternoon. It's Tuesday, the first of December." (local time)."""
    weekday = _WEEKDAYS[local.weekday()]
    return (
        f"Good {part_of_day(local.hour)}. It's {weekday}, the {ordinal_words(local.day)} of "
        f"{_MONTHS[local.month - 1]}."
    )


SPEAKING_CLOCKS = frozenset({ClockBasis.SYNCHRONISED, ClockBasis.RTC, ClockBasis.STAFF_SET})


def may_say_date(basis: ClockBasis) -> bool:
    """The date may be spoken only on a clock known to be right (never on the off-Pi plausible fallback)."""
    return basis in SPEAKING_CLOCKS


def intro_due(every: IntroEvery, song_index: int) -> bool:
    """Whether the session's ``song_index``-th song (0 = first) is introduced."""
    if every is IntroEvery.EVERY:
        return True
    if every is IntroEvery.THIRD:
        return song_index % 3 == 0
    if every is IntroEvery.START:
        return song_index == 0
    return False


def voice_allowed(settings: VoiceSettings, listeners: list[Resident | None]) -> bool:
    """The voice speaks only when the kiosk has it on AND every listener has it on (unknown listener: no);
    with nobody chosen, only when the kiosk speaks for the home's mix too."""
    if not settings.enabled:
        return False
    if not listeners:
        return settings.home_mix
    return all(p is not None and p.voice for p in listeners)


@dataclass(frozen=True)
class CueTiming:
    """When a lyric cue plays, relative to the song (milliseconds)."""

    start_ms: int
    line_ms: int


def cue_timing(
    line_ms: int, previous_ms: int, cue_s: float, *, lead_s: float = 1.5, margin_s: float = 0.3
) -> CueTiming | None:
    """A lyric cue for the line sung at ``line_ms`` (the previous line at ``previous_ms``, 0 for the first).

    The cue starts ``max(lead_s, cue_s + margin_s)`` before the line, so it ends at least ``margin_s`` before
    it; None when the gap since the previous line is too short for that (the line is then not spoken).
    """
    lead_ms = round(max(lead_s, cue_s + margin_s) * 1000)
    if line_ms - previous_ms < lead_ms:
        return None
    return CueTiming(line_ms - lead_ms, line_ms)
