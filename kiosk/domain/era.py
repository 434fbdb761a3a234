"""Era rules: which year a song belongs to, and why.

The era of a song is its ORIGINAL year, not a reissue's or a compilation's: a 2005 compilation "Hits of the
60s" holding a 1964 song is a 1960s song. Evidence, strongest first:

1. a per-file entry in a sidecar ``era.toml`` (staff named this very file: ``"sidecar:file"``);
2. original-date tags (ID3 TDOR/TORY, Vorbis ORIGINALDATE/ORIGINALYEAR, M4A ``----:com.apple.iTunes:ORIGINALDATE``);
3. a folder-wide sidecar ``year``/``decade`` (``"sidecar"``);
4. the recording date (ID3 TDRC/TYER, Vorbis DATE/YEAR, M4A ``©day``) when no reissue is suspected;
5. a year or decade in a folder name ("1950s", "Fifties", "1964 - ..."; ``"folder"``), then in the album
   name ("Hits of the 60s"; ``"album"``);
6. otherwise ``"unknown"``.

Everything here is pure: dates are parsed from strings, nothing reads files. Messy dates ("1965/1966", "'65",
"c. 1960", "1965-00-00") are parsed where possible and never raise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MIN_YEAR = 1800
MAX_YEAR = 2099
# Two-digit years ("'65"): below the pivot they are 20xx, from it 19xx. Reminiscence music is mostly 19xx.
TWO_DIGIT_PIVOT = 30

_YEAR4 = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_DECADE4 = re.compile(r"(?<!\d)(1[89]\d0|20[0-9]0)'?s\b", re.IGNORECASE)
_DECADE2 = re.compile(r"(?<![\w])['’]?([1-9]0)'?s\b", re.IGNORECASE)
_APOS2 = re.compile(r"(?<![\w])['’](\d\d)(?!\d)")
_COMPACT = re.compile(r"^(1[89]\d\d|20\d\d)(\d\d)(\d\d)")

_DECADE_WORDS = {
    "twenties": 1920,
    "thirties": 1930,
    "forties": 1940,
    "fifties": 1950,
    "sixties": 1960,
    "seventies": 1970,
    "eighties": 1980,
    "nineties": 1990,
}
_DECADE_WORD = re.compile(r"\b(" + "|".join(_DECADE_WORDS) + r")\b", re.IGNORECASE)

# Album names that say "this is not the original release".
_REISSUE_WORDS = re.compile(
    r"\b(hits|greatest|best\s+of|very\s+best|collection|anthology|compilation|remaster(ed)?|reissue|"
    r"essential|essentials|gold|golden|classics|favou?rites|memories|legends|years|decade|"
    r"of\s+the\s+\S+s)\b",
    re.IGNORECASE,
)
_VARIOUS = re.compile(r"^\s*(various(\s+artists)?|va|diverse|verschiedene)\s*$", re.IGNORECASE)


def _plausible(year: int) -> int | None:
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def parse_year(text: str | None) -> int | None:
    """The year in a messy date string, or ``None``.

    ``"1965-03-01"``, ``"1965-00-00"``, ``"19650301"`` -> 1965; ``"1965/1966"`` -> 1965 (the earlier);
    ``"'65"`` -> 1965; ``"c. 1960"``, ``"circa 1960"``, ``"ca 1960?"`` -> 1960; ``"1960s"`` -> 1960;
    ``"0000"``, ``"unknown"``, ``""`` -> ``None``. Never raises.
    """
    if not text:
        return None
    s = str(text).strip()
    if not s:
        return None
    compact = _COMPACT.match(s)
    if compact:
        return _plausible(int(compact.group(1)))
    years = [int(m.group(1)) for m in _YEAR4.finditer(s)]
    if years:
        return _plausible(min(years))
    apos = _APOS2.search(s)
    if apos:
        return _two_digit(int(apos.group(1)))
    decade = _DECADE2.search(s)
    if decade:
        return _two_digit(int(decade.group(1)))
    return None


def _two_digit(yy: int) -> int:
    return 2000 + yy if yy < TWO_DIGIT_PIVOT else 1900 + yy


def year_from_name(name: str) -> int | None:
    """A year or decade in a folder or album name, or ``None``.

    ``"1950s"``, ``"50s"``, ``"the '50s"``, ``"Fifties"`` -> 1950; ``"1964 - Beatles for Sale"`` -> 1964;
    ``"Hits of the 60s"`` -> 1960. A bare two-digit number ("Disc 2", "Top 40") is not a year.
    """
    if not name:
        return None
    m = _DECADE4.search(name)
    if m:
        return int(m.group(1))
    word = _DECADE_WORD.search(name)
    if word:
        return _DECADE_WORDS[word.group(1).lower()]
    m2 = _DECADE2.search(name)
    if m2:
        return _two_digit(int(m2.group(1)))
    years = [int(y.group(1)) for y in _YEAR4.finditer(name)]
    if years:
        return _plausible(min(years))
    return None


def looks_like_reissue(album: str, album_artist: str, compilation: bool) -> str | None:
    """Why this release is probably not the song's original one (compilation, "Best of", "Remastered"...)."""
    if compilation:
        return "compilation flag"
    if album_artist and _VARIOUS.match(album_artist):
        return "various artists"
    if album and _REISSUE_WORDS.search(album):
        return "album name"
    return None


@dataclass(frozen=True)
class SidecarEntry:
    """What a sidecar says about a song (every field optional)."""

    year: int | None = None
    mood: str | None = None
    language: str | None = None
    themes: tuple[str, ...] = ()  # theme names (kiosk.domain.themes); folder and file themes add up
    source: str = ""  # "path/to/era.toml" or "path/to/era.toml [files.\"x.mp3\"]", for era_source notes


@dataclass(frozen=True)
class EraEvidence:
    """Everything known about a song's date. Date tags are ``(tag name, raw value)`` pairs."""

    original_dates: Sequence[tuple[str, str]] = ()
    recording_dates: Sequence[tuple[str, str]] = ()
    album: str = ""
    album_artist: str = ""
    compilation: bool = False
    file_sidecar: SidecarEntry | None = None
    folder_sidecar: SidecarEntry | None = None
    folder_names: Sequence[str] = ()  # nearest folder first, up to (not including) the music folder
    extra_notes: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class Era:
    year: int | None
    source: str  # "sidecar:file", "tag:TDOR", "sidecar", "tag:TDRC", "folder", "album", "unknown"
    note: str = ""  # a plain-language reason for staff ("recording date 2005 ignored: compilation flag")


def _first_year(tags: Iterable[tuple[str, str]]) -> tuple[str, int] | None:
    found = [(y, name) for name, raw in tags if (y := parse_year(raw)) is not None]
    if not found:
        return None
    year, name = min(found)  # the earliest date among the tags of one kind
    return name, year


def decide_era(ev: EraEvidence) -> Era:
    """The song's original year and the evidence that gave it (see the module docstring for the order)."""
    if ev.file_sidecar and ev.file_sidecar.year is not None:
        return Era(ev.file_sidecar.year, "sidecar:file", ev.file_sidecar.source)
    original = _first_year(ev.original_dates)
    if original:
        return Era(original[1], f"tag:{original[0]}")
    if ev.folder_sidecar and ev.folder_sidecar.year is not None:
        return Era(ev.folder_sidecar.year, "sidecar", ev.folder_sidecar.source)
    recorded = _first_year(ev.recording_dates)
    folder_year = next((y for n in ev.folder_names if (y := year_from_name(n)) is not None), None)
    reissue = looks_like_reissue(ev.album, ev.album_artist, ev.compilation)
    if recorded and not reissue and folder_year is not None and folder_year // 10 < recorded[1] // 10:
        reissue = f"folder says {folder_year // 10 * 10}s"
    note = ""
    if recorded:
        if not reissue:
            return Era(recorded[1], f"tag:{recorded[0]}")
        note = f"date {recorded[1]} ignored ({reissue})"
    if folder_year is not None:
        return Era(folder_year, "folder", note)
    album_year = year_from_name(ev.album) if ev.album else None
    if album_year is not None and (not recorded or album_year < recorded[1]):
        return Era(album_year, "album", note)
    return Era(None, "unknown", note)


# --- mode tags -------------------------------------------------------------------------------------------

CALM_BPM_MAX = 95.0
UPBEAT_BPM_MIN = 110.0
MOODS = ("calm", "upbeat")

_CALM_GENRES = re.compile(
    r"ballad|lullaby|classical|easy\s*listening|ambient|hymn|sacred|lounge|new\s*age|chanson|"
    r"nocturne|romance|meditation|relax|slow|folk|torch|crooner|waltz|gospel|choral|instrumental",
    re.IGNORECASE,
)
_UPBEAT_GENRES = re.compile(
    r"swing|rock|dance|disco|big\s*band|jive|ragtime|polka|march|charleston|twist|boogie|jazz|"
    r"rhythm|r&b|soul|funk|country|skiffle|music\s*hall|pop|ska|samba|salsa|mambo|cha|foxtrot|"
    r"quickstep|upbeat|party",
    re.IGNORECASE,
)


def mood_of(bpm: float | None, sidecar_mood: str | None, genre: str) -> tuple[str | None, str]:
    """``("calm" | "upbeat" | None, source)``: the sidecar's word, else the BPM tag, else genre rules.

    BPM below 95 is calm, 110 and above upbeat; in between (and with no genre hint) it stays ``None``.
    """
    if sidecar_mood in MOODS:
        return sidecar_mood, "sidecar"
    if bpm is not None and bpm > 0:
        if bpm < CALM_BPM_MAX:
            return "calm", "bpm"
        if bpm >= UPBEAT_BPM_MIN:
            return "upbeat", "bpm"
    if genre:
        calm = _CALM_GENRES.search(genre)
        upbeat = _UPBEAT_GENRES.search(genre)
        if calm and not upbeat:
            return "calm", "genre"
        if upbeat and not calm:
            return "upbeat", "genre"
    return None, "unknown"


_LANGUAGES = {
    "eng": "en",
    "english": "en",
    "en": "en",
    "deu": "de",
    "ger": "de",
    "german": "de",
    "deutsch": "de",
    "de": "de",
    "fra": "fr",
    "fre": "fr",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "fr": "fr",
    "nld": "nl",
    "dut": "nl",
    "dutch": "nl",
    "nederlands": "nl",
    "nl": "nl",
    "spa": "es",
    "spanish": "es",
    "español": "es",
    "es": "es",
    "ita": "it",
    "italian": "it",
    "italiano": "it",
    "it": "it",
    "pol": "pl",
    "polish": "pl",
    "polski": "pl",
    "pl": "pl",
    "gle": "ga",
    "irish": "ga",
    "ga": "ga",
    "cym": "cy",
    "wel": "cy",
    "welsh": "cy",
    "cy": "cy",
    "gla": "gd",
    "gd": "gd",
    "por": "pt",
    "portuguese": "pt",
    "pt": "pt",
    "swe": "sv",
    "sv": "sv",
    "dan": "da",
    "da": "da",
    "nor": "no",
    "no": "no",
    "nob": "no",
    "hin": "hi",
    "hi": "hi",
    "urd": "ur",
    "ur": "ur",
    "pan": "pa",
    "pa": "pa",
    "yid": "yi",
    "yi": "yi",
    "heb": "he",
    "he": "he",
    "gre": "el",
    "ell": "el",
    "el": "el",
    "tur": "tr",
    "tr": "tr",
}
_NO_LANGUAGE = {"xxx", "zxx", "und", "mul", "none", "instrumental"}


def normalise_language(raw: str | None) -> str:
    """An ISO 639-1 code (``"eng"``, ``"English"``, ``"en-GB"`` -> ``"en"``); ``"zxx"`` (no words) -> ``""``.

    Unknown values are kept, lower-cased, so nothing staff wrote is lost.
    """
    if not raw:
        return ""
    s = str(raw).strip().lower().replace("_", "-")
    if not s or s in _NO_LANGUAGE:
        return ""
    if s in _LANGUAGES:
        return _LANGUAGES[s]
    head = s.split("-")[0].split(",")[0].split(";")[0].strip()
    if head in _NO_LANGUAGE:
        return ""
    return _LANGUAGES.get(head, head)


def parse_bpm(raw: str | float | int | None) -> float | None:
    """A BPM tag (``"120"``, ``"96.5"``, ``"120 BPM"``) as a number, or ``None``."""
    if raw is None:
        return None
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        m = re.search(r"\d+(?:[.,]\d+)?", str(raw))
        if not m:
            return None
        value = float(m.group(0).replace(",", "."))
    return value if 20.0 <= value <= 300.0 else None


def parse_track_no(raw: str | int | None) -> int | None:
    """``"3"``, ``"3/12"``, ``"03"`` -> 3; anything else -> ``None``."""
    if raw is None:
        return None
    if isinstance(raw, int):
        return raw if raw > 0 else None
    m = re.match(r"\s*(\d+)", str(raw))
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None
