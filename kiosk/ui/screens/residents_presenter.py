"""Lounge picker: photo tiles with first names, at most 5 choices per page in all, no scrolling.

Page 1: "Music for everyone", up to 3 residents, "More people" (when there are more). Later pages: up to 4
residents and "More people" (which goes on, and from the last page back to the first).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.domain.intents import Intent, Source, Status
from kiosk.domain.models import Resident
from kiosk.domain.ports import SessionControl
from kiosk.ui.i18n import _
from kiosk.ui.router import Router

MAX_CHOICES = 5


@dataclass(frozen=True)
class Tile:
    kind: str  # everyone | resident | more
    label: str
    resident_id: str = ""
    photo: str = ""  # absolute path, "" = draw the initial


def paginate(residents: Sequence[Resident]) -> list[list[Resident]]:
    """Residents per page: 3 on the first (beside "everyone" and "more"), 4 after; fewer when all fit."""
    people = list(residents)
    if len(people) <= MAX_CHOICES - 1:
        return [people]
    pages = [people[: MAX_CHOICES - 2]]
    rest = people[MAX_CHOICES - 2 :]
    while rest:
        pages.append(rest[: MAX_CHOICES - 1])
        rest = rest[MAX_CHOICES - 1 :]
    return pages


class ResidentsPresenter:
    def __init__(
        self,
        control: SessionControl,
        router: Router,
        residents: Callable[[], Sequence[Resident]],
        data_dir: Path,
        on_change: Callable[[], None],
    ):
        self.control = control
        self.router = router
        self.residents = residents
        self.data_dir = data_dir
        self.on_change = on_change
        self.page = 0

    def _pages(self) -> list[list[Resident]]:
        people = sorted(self.residents(), key=lambda r: r.display_name.casefold())
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
        tiles: list[Tile] = []
        if self.page == 0:
            tiles.append(Tile("everyone", _("Music for everyone")))
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
        self.control.post(Intent.CHOOSE_RESIDENTS, Source.TOUCH, ids)
        if self.control.view().status not in (Status.PLAYING, Status.PAUSED):
            self.control.post(Intent.MORE_MUSIC, Source.TOUCH)
        self.page = 0
        return _("Music is starting")

    def reset(self) -> None:
        self.page = 0
