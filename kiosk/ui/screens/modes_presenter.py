"""Therapy modes: the mode tiles (from the mode specs, kiosk.domain.modes), and what the panels show.

Listen: the era picture. Relax: a breathing circle, about 6 breaths a minute (10 s: 5 in, 5 out), growing
and shrinking smoothly. Move: one simple movement prompt at a time, changing every 15 s. Sing-along: lyrics
in very large type, synced from an .lrc file, else the whole text paged by time.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.domain.intents import Intent, SessionView, Source
from kiosk.domain.lyrics import Lyrics, line_index_at, load_lyrics, page_index_at
from kiosk.domain.models import Mode
from kiosk.domain.ports import SessionControl
from kiosk.ui.i18n import N_, _

BREATH_PERIOD_S = 10.0  # 6 breaths a minute
MOVE_PROMPT_S = 15.0
LYRIC_LINES_PER_PAGE = 3
MAX_TILES = 5  # DEMENTIA_UX: at most five choices on a resident's screen


@dataclass(frozen=True)
class ModeTile:
    mode: Mode
    word: str
    icon: str


def mode_tiles() -> list[ModeTile]:
    """Every registered mode's tile (its spec's word and icon), in the registry's order."""
    return [ModeTile(mode, _(mode.spec.word), mode.spec.icon) for mode in Mode]


def instrument_words() -> dict[str, str]:
    """Play along's pads, left to right (the arcade buttons' order): the word under each."""
    return {
        "drum": _("Drum"),
        "tambourine": _("Jingles"),  # a tambourine; the short word fits a 22 mm pad at 4 mm letters
        "shaker": _("Shaker"),
        "woodblock": _("Wood block"),
        "bell": _("Bell"),
    }


@dataclass(frozen=True)
class Movement:
    """One seated movement: its words and the picture (an icon name in kiosk.ui.icons) that shows it."""

    word: str
    picture: str


# THE table of Move prompts: seated movements only (safe for frail residents), each picture drawn to match its
# words. A picture without a row here, or a row whose picture does not match its words, fails a test.
SEATED_MOVES = (
    (N_("Clap your hands"), "seated_clap"),
    (N_("Tap your feet"), "seated_tap_feet"),
    (N_("Sway side to side"), "seated_sway"),
    (N_("Roll your shoulders"), "seated_shoulder_roll"),
    (N_("Circle your arms"), "seated_circle_arms"),
    (N_("Nod along"), "seated_nod"),
)


def movements() -> list[Movement]:
    return [Movement(_(word), picture) for word, picture in SEATED_MOVES]


def move_prompts() -> list[str]:
    return [m.word for m in movements()]


def breath_scale(t_s: float) -> float:
    """Circle size 0-1 at time ``t_s``: smooth (cosine), 0 at the start of breathing in."""
    return (1 - math.cos(2 * math.pi * (t_s % BREATH_PERIOD_S) / BREATH_PERIOD_S)) / 2


def breath_word(t_s: float) -> str:
    return _("Breathe in") if (t_s % BREATH_PERIOD_S) < BREATH_PERIOD_S / 2 else _("Breathe out")


def movement_at(position_ms: int) -> Movement:
    """The movement to show ``position_ms`` into the song (a new one every MOVE_PROMPT_S)."""
    moves = movements()
    return moves[int(position_ms / 1000 // MOVE_PROMPT_S) % len(moves)]


def move_prompt(position_ms: int) -> str:
    return movement_at(position_ms).word


class ModesPresenter:
    def __init__(
        self,
        control: SessionControl,
        music_dir: Path,
        on_close: Callable[[], None],
        play_along_songs: Callable[[], int] = lambda: 0,
    ):
        self.control = control
        self.music_dir = music_dir
        self.on_close = on_close
        self.play_along_songs = play_along_songs  # how many songs have a beat grid (the tile shows when > 0)
        self._lyrics_for: str | None = None
        self._lyrics = Lyrics()

    def tiles(self) -> list[ModeTile]:
        """The mode tiles, at most MAX_TILES; a mode that needs a beat grid (Play along) only when some song has
        one to play along to."""
        has_grid = self.play_along_songs() > 0
        return [t for t in mode_tiles() if has_grid or not t.mode.spec.needs_beat_grid][:MAX_TILES]

    def play(self, instrument: str) -> None:
        """A Play along pad: the instrument sounds (on the beat when one is at most 150 ms away)."""
        self.control.post(Intent.PLAY_INSTRUMENT, Source.TOUCH, instrument)

    def heading(self) -> str:
        return _("What shall we do?")

    def choose(self, mode: Mode) -> str:
        self.control.post(Intent.CHOOSE_MODE, Source.TOUCH, mode)
        if self.control.view().song is None:
            self.control.post(Intent.MORE_MUSIC, Source.TOUCH)
        self.on_close()
        return {t.mode: t.word for t in mode_tiles()}[mode]

    def lyrics(self, view: SessionView) -> Lyrics:
        """The song's lyrics (read once per song; a missing or unreadable file shows none)."""
        song = view.song
        if song is None:
            return Lyrics()
        if self._lyrics_for != song.song_id:
            self._lyrics_for = song.song_id
            self._lyrics = Lyrics()
            if song.lyrics_path:
                path = Path(song.lyrics_path)
                if not path.is_absolute():
                    path = self.music_dir / path
                try:
                    text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    text = ""
                if text:
                    self._lyrics = load_lyrics(
                        text, is_lrc=path.suffix.lower() == ".lrc", lines_per_page=LYRIC_LINES_PER_PAGE
                    )
        return self._lyrics

    def lyric_lines(self, view: SessionView) -> tuple[str, str, str]:
        """(line before, the line to sing now, next line) for synced lyrics; for plain lyrics the whole page
        (its lines joined) as the middle item."""
        lyrics = self.lyrics(view)
        if lyrics.timed:
            i = line_index_at(lyrics.timed, view.position_ms)

            def at(k: int) -> str:
                return lyrics.timed[k].text if 0 <= k < len(lyrics.timed) else ""

            if i < 0:  # the introduction: show the first line ready to sing
                return "", at(0), at(1)
            return at(i - 1), at(i), at(i + 1)
        if lyrics.pages:
            duration_ms = int((view.song.duration_s if view.song else 0) * 1000)
            page = lyrics.pages[page_index_at(len(lyrics.pages), view.position_ms, duration_ms)]
            return "", "\n".join(page), ""
        return "", _("No words for this song"), ""
