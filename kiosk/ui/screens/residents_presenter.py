"""Lounge picker: photo tiles with first names, at most 5 choices per page in all, no scrolling.

Every page: "Music for everyone", up to 3 residents (faces large enough to recognise), and "More people" when
there are more (it goes on, and from the last page back to the first). Residents come in the order they are
likely to be here: those whose room is the kiosk's room, then those whose schedule covers this time of day,
then who listened most recently, then by name; so the first page is usually the right one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.domain.intents import Intent, Source, Status
from kiosk.domain.models import Resident
from kiosk.domain.ports import SessionControl
from kiosk.ui.i18n import _
from kiosk.ui.router import Router

MAX_CHOICES = 5
FACES_PER_PAGE = MAX_CHOICES - 2  # beside "Music for everyone" and "More people"


@dataclass(frozen=True)
class Tile:
    kind: str  # everyone | resident | more
    label: str
    resident_id: str = ""
    photo: str = ""  # absolute path, "" = draw the initial


def paginate(residents: Sequence[Resident]) -> list[list[Resident]]:
    """Residents per page: 3 on every page (beside "everyone" and "more")."""
    people = list(residents)
    return [people[i : i + FACES_PER_PAGE] for i in range(0, len(people), FACES_PER_PAGE)] or [[]]


def likely_here_first(
    residents: Sequence[Resident],
    *,
    room: str = "",
    minute_of_day: int | None = None,
    last_listened: Mapping[str, str] | None = None,
) -> list[Resident]:
    """The picker's order: in the kiosk's ``room``, then scheduled at ``minute_of_day``, then most recent
    listener (``last_listened``: resident id -> ISO time), then by name."""
    here = room.strip().casefold()
    recent = last_listened or {}

    def scheduled(r: Resident) -> bool:
        return minute_of_day is not None and any(slot.contains(minute_of_day) for slot in r.schedule)

    by_name = sorted(residents, key=lambda r: r.display_name.casefold())
    by_recent = sorted(by_name, key=lambda r: recent.get(r.resident_id, ""), reverse=True)
    return sorted(
        by_recent, key=lambda r: (not (here and r.room.strip().casefold() == here), not scheduled(r))
    )


class ResidentsPresenter:
    def __init__(
        self,
        control: SessionControl,
        router: Router,
        residents: Callable[[], Sequence[Resident]],
        data_dir: Path,
        on_change: Callable[[], None],
        *,
        room: str = "",
        minute_of_day: Callable[[], int | None] = lambda: None,
        last_listened: Callable[[], Mapping[str, str]] = dict,
        now_iso: Callable[[], str] = lambda: "",
    ):
        self.control = control
        self.router = router
        self.residents = residents
        self.data_dir = data_dir
        self.on_change = on_change
        self.room = room
        self.minute_of_day = minute_of_day
        self.last_listened = last_listened  # read once (the stores), then kept up to date here
        self.now_iso = now_iso
        self._recent: dict[str, str] | None = None
        self.page = 0

    def _recent_listeners(self) -> dict[str, str]:
        if self._recent is None:
            try:
                self._recent = dict(self.last_listened())
            except Exception:  # noqa: BLE001 - an unreadable history only changes the order
                self._recent = {}
        return self._recent

    def _pages(self) -> list[list[Resident]]:
        people = likely_here_first(self.residents(), room=self.room, minute_of_day=self.minute_of_day(),
                                   last_listened=self._recent_listeners())  # fmt: skip
        return paginate(people)

    def _photo(self, resident: Resident) -> str:
        if not resident.photo:
            return ""
        path = (self.data_dir / resident.photo).resolve()
        if not path.is_relative_to(self.data_dir.resolve()) or not path.is_file():
            return ""
        return str(path)

    def tiles(self) -> list[Tile]:
        pages = self._pages()
        self.page %= len(pages)
        tiles = [Tile("everyone", _("Music for everyone"))]  # on every page: one tap from anywhere
        tiles += [Tile("resident", r.display_name, r.resident_id, self._photo(r)) for r in pages[self.page]]
        if len(pages) > 1:
            tiles.append(Tile("more", _("More people")))
        assert len(tiles) <= MAX_CHOICES
        return tiles

    def heading(self) -> str:
        return _("Who is listening?")

    def choose(self, tile: Tile) -> str:
        """Act on a tile at once; returns the feedback word."""
        if tile.kind == "more":
            self.page += 1
            self.on_change()
            return _("More people")
        ids = () if tile.kind == "everyone" else (tile.resident_id,)
        if ids and self.now_iso():
            self._recent_listeners()[tile.resident_id] = self.now_iso()
        self.control.post(Intent.CHOOSE_RESIDENTS, Source.TOUCH, ids)
        if self.control.view().status not in (Status.PLAYING, Status.PAUSED):
            self.control.post(Intent.MORE_MUSIC, Source.TOUCH)
        self.page = 0
        return _("Music is starting")

    def reset(self) -> None:
        self.page = 0
