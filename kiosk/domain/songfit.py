"""How a song fits: the reminiscence bump, the mode tiers, the avoid lists, and which mode applies now."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from kiosk.domain.matching import SongText, Terms, song_text
from kiosk.domain.models import Mode, Resident, ScheduleSlot, Song
from kiosk.domain.schedule import mode_at

UNKNOWN_ERA_WEIGHT = 0.05

# When group members' schedules disagree, the calmer mode wins.
_GROUP_MODE_PRIORITY = (Mode.RELAX, Mode.LISTEN, Mode.SING, Mode.MOVE)


def era_weight(age: int) -> float:
    """The reminiscence bump: the resident's age when the song came out -> weight."""
    if 13 <= age <= 19:
        return 1.0
    if 10 <= age <= 30:
        return 0.55
    if 5 <= age <= 40:
        return 0.15
    if -10 <= age <= 60:
        return 0.06
    return 0.03


def mode_fit(song: Song, mode: Mode) -> int:
    """2 = fits the mode, 1 = unknown / neutral, 0 = contrary (e.g. an upbeat song in relax)."""
    if mode is Mode.LISTEN:
        return 2
    if mode is Mode.SING:
        return 2 if song.has_lyrics else 1
    mood, bpm = song.mood, song.bpm
    if mode is Mode.RELAX:
        if mood == "calm":
            return 2
        if mood == "upbeat":
            return 0
        if bpm is not None:
            return 2 if bpm <= 95 else (0 if bpm >= 120 else 1)
        return 1
    # MOVE
    if mood == "upbeat":
        return 2
    if mood == "calm":
        return 0
    if bpm is not None:
        return 2 if bpm >= 110 else (0 if bpm <= 85 else 1)
    return 1


class AvoidRules:
    """The union of avoid lists: hard exclusions, matched forgivingly (see :mod:`kiosk.domain.matching`).

    An avoided song also matches by its song_id, and removes songs whose title contains it (the safe side).
    """

    def __init__(
        self,
        artists: Iterable[str] = (),
        songs: Iterable[str] = (),
        genres: Iterable[str] = (),
        keywords: Iterable[str] = (),
    ):
        songs = list(songs)
        self.artists = Terms(artists)
        self.songs = Terms(songs)
        self.genres = Terms(genres)
        self.keywords = Terms(keywords)
        self.song_ids = frozenset(s.strip() for s in songs if s.strip())
        self._artist_verdict: dict[str, bool] = {}

    @classmethod
    def of(cls, residents: Iterable[Resident]) -> AvoidRules:
        rs = list(residents)
        return cls(
            artists=[a for r in rs for a in r.avoid_artists],
            songs=[s for r in rs for s in r.avoid_songs],
            genres=[g for r in rs for g in r.avoid_genres],
            keywords=[k for r in rs for k in r.avoid_keywords],
        )

    @property
    def empty(self) -> bool:
        return not (self.artists or self.songs or self.genres or self.keywords)

    def why(self, song: Song, text: SongText | None = None) -> str | None:
        """Why ``song`` must not play (``"avoided artist"``...), or None when it may."""
        if text is None:
            text = song_text(song)
        if self.artists.active:
            key = text.artist + "\0" + text.album_artist
            verdict = self._artist_verdict.get(key)
            if verdict is None:
                verdict = self.artists.found_in(text.artist) or self.artists.found_in(text.album_artist)
                self._artist_verdict[key] = verdict
            if verdict:
                return "avoided artist"
        if self.songs.active and (song.song_id in self.song_ids or self.songs.found_in(text.title)):
            return "avoided song"
        if self.genres.active and self.genres.found_in(text.genre):
            return "avoided genre"
        if self.keywords.active and self.keywords.found_in(text.everything):
            return "avoided keyword"
        return None


def local_minute(now: datetime) -> int:
    """Minutes after local midnight (an aware time is converted to this machine's local time)."""
    local = now.astimezone() if now.tzinfo is not None else now
    return local.hour * 60 + local.minute


def resolve_mode(
    mode: Mode | str | None,
    residents: Sequence[Resident],
    now: datetime,
    default_schedule: tuple[ScheduleSlot, ...] = (),
    quiet: bool = False,
) -> tuple[Mode, str]:
    """The mode to play and where it came from. Chosen > quiet hours > residents' schedules > the kiosk's."""
    if mode:
        return Mode(mode), "chosen"
    if quiet:
        return Mode.RELAX, "quiet hours"
    minute = local_minute(now)
    wanted = {m for r in residents if (m := mode_at(minute, r.schedule)) is not None}
    for candidate in _GROUP_MODE_PRIORITY:
        if candidate in wanted:
            return candidate, "resident's schedule" if len(residents) == 1 else "residents' schedules"
    kiosk = mode_at(minute, default_schedule)
    if kiosk is not None:
        return kiosk, "kiosk schedule"
    return Mode.LISTEN, "default"
