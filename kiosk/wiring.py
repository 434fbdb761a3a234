"""The composition root: the one place that builds things (config -> stores -> player -> session engine).

The lead extends it for the UI and GPIO. Everything built here is torn down in reverse by
:meth:`KioskParts.close` (call it in ``finally``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.adapters.clock import SystemClock
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import JsonlJournal
from kiosk.adapters.player import AudioCapture, VlcPlayer
from kiosk.adapters.resume import ResumeFile
from kiosk.adapters.rollups import RollupStore
from kiosk.config import Config
from kiosk.domain.models import Resident
from kiosk.domain.playback import PolicyNow
from kiosk.domain.schedule import parse_time
from kiosk.domain.session import SessionEngine
from kiosk.domain.session_record import EngineSettings
from kiosk.domain.session_sources import ShuffleSource
from kiosk.ports import Catalogue, Clock, ResidentStore, SessionControl, SongSourceFactory


def engine_settings(config: Config) -> EngineSettings:
    a, s = config.audio, config.session
    return EngineSettings(
        start_volume_pct=a.start_volume_pct,
        max_volume_pct=a.max_volume_pct,
        fade_ms=a.fade_ms,
        replaygain=a.replaygain,
        idle_pause_end_s=s.idle_pause_end_min * 60.0,
        failures_before_stop=s.failures_before_stop,
        resume_window_s=s.resume_window_min * 60.0,
        lounge=config.kiosk.mode == "lounge",
    )


def quiet_hours_policy(config: Config) -> Callable[[datetime], PolicyNow]:
    """(quiet, cap, may autostart) for a time, from ``[quiet_hours]`` (local time; the lead may swap in the
    config engineer's schedule policy, which has the same shape)."""
    q = config.quiet_hours
    if not q.start or not q.end:
        return lambda _at: PolicyNow()
    start, end = parse_time(q.start), parse_time(q.end)

    def policy(at: datetime) -> PolicyNow:
        local = at.astimezone()
        minute = local.hour * 60 + local.minute
        quiet = start <= minute < end if start <= end else minute >= start or minute < end
        if quiet:
            return PolicyNow(quiet_hours=True, volume_cap_pct=q.max_volume_pct, may_autostart=False)
        return PolicyNow()

    return policy


@dataclass
class KioskParts:
    config: Config
    clock: Clock
    journal: JsonlJournal
    rollups: RollupStore
    resume: ResumeFile
    player: VlcPlayer
    engine: SessionEngine
    catalogue: Catalogue | None = None
    residents: ResidentStore | None = None
    _closers: list[Callable[[], Any]] = field(default_factory=list, repr=False)

    @property
    def control(self) -> SessionControl:
        """What the UI, GPIO and headless driver drive the session through."""
        return self.engine

    def close(self) -> None:
        """Tear down in reverse order of building; every step runs even when one fails."""
        while self._closers:
            closer = self._closers.pop()
            with contextlib.suppress(Exception):
                closer()


def build_kiosk(
    config: Config,
    data_dir: Path,
    *,
    clock: Clock | None = None,
    song_source: SongSourceFactory | None = None,
    audio_output: str | None = None,
    catalogue: Catalogue | None = None,
    residents: ResidentStore | None = None,
    policy: Callable[[datetime], PolicyNow] | None = None,
    capture: AudioCapture | None = None,
    settings: EngineSettings | None = None,
) -> KioskParts:
    """Build the engine's parts over ``data_dir``. ``song_source`` defaults to a shuffle of the catalogue."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    clock = clock or SystemClock()
    closers: list[Callable[[], Any]] = []
    try:
        journal = JsonlJournal(data_dir / "events", config.kiosk.id, clock)
        closers.append(journal.close)
        rollups = RollupStore(DataFolder(data_dir))
        resume = ResumeFile(data_dir)
        player = VlcPlayer(
            audio_output or config.audio.output,
            config.audio.device,
            max_level=config.audio.max_volume_pct / 100.0,
            capture=capture,
        )
        closers.append(player.close)
        if song_source is None:
            song_source = ShuffleSource(catalogue.songs() if catalogue is not None else [])
        lookup: Callable[[str], Resident | None] | None = residents.get if residents is not None else None
        engine = SessionEngine(
            player=player,
            clock=clock,
            journal=journal,
            songs=song_source,
            settings=settings or engine_settings(config),
            policy=policy or quiet_hours_policy(config),
            residents=lookup,
            rollups=rollups,
            on_suspect=catalogue.mark_suspect if catalogue is not None else None,
            resume_store=resume,
            kiosk_id=config.kiosk.id,
        )
    except BaseException:
        for closer in reversed(closers):
            with contextlib.suppress(Exception):
                closer()
        raise
    return KioskParts(config, clock, journal, rollups, resume, player, engine, catalogue, residents, closers)
