"""The session engine's song source for real residents: the pure :class:`~kiosk.domain.selection.Selector`
fed with the current catalogue, the listeners' profiles and their learned history (a
:data:`~kiosk.app.ports.HistoryLoader`: :func:`kiosk.adapters.history.load_history` over the data folder).

Built afresh at every session start and mode change (the engine calls the factory), so a rescan, an import or
a staff change to an avoid list takes effect at the next session without restarting the kiosk. Songs waiting
in "Songs to review" are left out for the residents they were stopped for (:func:`selection.under_review`).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from kiosk.app.ports import HistoryLoader, ReviewStore
from kiosk.config import Config, policy_at
from kiosk.domain.models import Mode, Resident, Song
from kiosk.domain.ports import Catalogue, Clock, ResidentStore
from kiosk.domain.selection import Choice, Selector, under_review


def _pair(choice: Choice | None) -> tuple[Song, str] | None:
    return (choice.song, choice.reason) if choice is not None else None


class SelectorSource:
    """Implements :class:`kiosk.domain.ports.SongSource` over one :class:`Selector`."""

    def __init__(self, selector: Selector):
        self.selector = selector

    def next_song(self, exclude_ids: set[str]) -> tuple[Song, str] | None:
        return _pair(self.selector.next(exclude_ids))

    def song_for_decade(self, decade: str, exclude_ids: set[str]) -> tuple[Song, str] | None:
        return _pair(self.selector.for_decade(decade, exclude_ids))


class SelectionSourceFactory:
    """Implements :class:`kiosk.domain.ports.SongSourceFactory`: who is listening + mode -> a :class:`SelectorSource`."""

    def __init__(
        self,
        config: Config,
        history: HistoryLoader,
        catalogue: Catalogue,
        residents: ResidentStore,
        clock: Clock,
        rng_factory: Callable[[], random.Random] = random.Random,
        reviews: ReviewStore | None = None,
    ):
        self.config = config
        self.reviews = reviews  # songs stopped as upsetting, awaiting staff: out for the residents concerned
        self.history = history
        self.catalogue = catalogue
        self.residents = residents
        self.clock = clock
        self.rng_factory = rng_factory

    def __call__(self, resident_ids: tuple[str, ...], mode: Mode | None) -> SelectorSource:
        profiles: list[Resident] = [r for rid in resident_ids if (r := self.residents.get(rid)) is not None]
        now = self.clock.now()
        local = now.astimezone()
        quiet = policy_at(self.config, local.hour * 60 + local.minute).quiet
        songs = [s for s in self.catalogue.songs() if not s.suspect]
        selector = Selector(
            songs,
            profiles,
            mode,
            rng=self.rng_factory(),
            now=now,
            history=self.history([r.resident_id for r in profiles], now),
            default_schedule=self.config.schedule,
            quiet=quiet,
            reviewed=under_review(self.reviews.all() if self.reviews else (), resident_ids),
        )
        return SelectorSource(selector)
