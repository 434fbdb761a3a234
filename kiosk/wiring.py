"""The composition root: the one place that builds things (config -> stores -> player -> session engine).

The lead extends it for the UI and GPIO. Everything built here is torn down in reverse by
:meth:`KioskParts.close` (call it in ``finally``).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.adapters.beat_store import SideFileGrids
from kiosk.adapters.beat_worker import BeatAnalyser
from kiosk.adapters.calm_ahead_store import CalmAheadStore
from kiosk.adapters.clock import ClockTrust, StaffClock, SystemClock
from kiosk.adapters.covers import CoverCache
from kiosk.adapters.deferred import DeferredWriter
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.erasures import apply_at_start
from kiosk.adapters.journal import JsonlJournal, consent_refused
from kiosk.adapters.mixer import Capture, open_percussion
from kiosk.adapters.pin_lockout import PinLockoutFile
from kiosk.adapters.player import AudioCapture, VlcPlayer
from kiosk.adapters.residents import ResidentsStore
from kiosk.adapters.resume import ResumeFile
from kiosk.adapters.retention import Retention, newest_trusted_record
from kiosk.adapters.rollups import RollupStore, RollupWriter
from kiosk.adapters.sdnotify import Notifier, Watchdog
from kiosk.adapters.speech import SpeechService
from kiosk.adapters.voice_setup import build_voice
from kiosk.app.heartbeat import PumpHeartbeat
from kiosk.app.ports import ScanFigures
from kiosk.app.staff import KioskStaff, StaffPorts
from kiosk.app.staff_api import Progress
from kiosk.config import Config, policy_at
from kiosk.domain.models import Resident
from kiosk.domain.playback import PolicyNow
from kiosk.domain.ports import Catalogue, Clock, ResidentStore, SessionControl, SongSourceFactory
from kiosk.domain.session import SessionEngine
from kiosk.domain.session_record import EngineSettings
from kiosk.domain.session_sources import ShuffleSource

log = logging.getLogger(__name__)


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
    )


def quiet_hours_policy(config: Config) -> Callable[[datetime], PolicyNow]:
    """(quiet, cap, may autostart) for a time, from the config's schedule policy (:func:`kiosk.config.policy_at`,
    local time). Residents' own caps are applied by the engine on top."""

    def policy(at: datetime) -> PolicyNow:
        local = at.astimezone()
        now = policy_at(config, local.hour * 60 + local.minute)
        if not now.quiet:
            return PolicyNow()
        return PolicyNow(
            quiet_hours=True, volume_cap_pct=now.volume_cap_pct, may_autostart=now.may_start_by_itself
        )

    return policy


@dataclass
class KioskParts:
    config: Config
    clock: Clock
    journal: JsonlJournal
    rollups: RollupWriter
    resume: ResumeFile
    player: VlcPlayer
    engine: SessionEngine
    retention: Retention
    catalogue: Catalogue | None = None
    residents: ResidentStore | None = None
    _closers: list[Callable[[], Any]] = field(default_factory=list, repr=False)
    speech: SpeechService | None = None  # the gentle voice's renderer ([voice] enabled), else None

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
    profiles_stamp: Callable[[], object] | None = None,
    percussion_capture: Capture | None = None,
) -> KioskParts:
    """Build the engine's parts over ``data_dir``. ``song_source`` defaults to a shuffle of the catalogue.

    ``profiles_stamp`` (e.g. :meth:`ResidentsStore.stamp`) lets the engine re-read the listeners' profiles
    when the residents store changes during a session (volume limit, consent, avoid lists)."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    clock = clock or SystemClock(ClockTrust(data_dir))
    closers: list[Callable[[], Any]] = []
    try:
        data = DataFolder(data_dir)
        retention = Retention(clock, config.journal.retention_days, newest_record_source(clock, data_dir))
        journal = JsonlJournal(
            data_dir / "events",
            config.kiosk.id,
            clock,
            excluded_residents=consent_refused(data),
            retention_days=config.journal.retention_days,
            data_root=data_dir,
            retention=retention,
        )
        closers.append(journal.close)
        rollups = RollupWriter(RollupStore(DataFolder(data_dir)))  # its own thread and DataFolder
        closers.append(rollups.close)
        resume = ResumeFile(data_dir)
        voice, speech = build_voice(
            config.voice,
            data_dir,
            clock,
            personal=config.kiosk.mode == "personal",
            music_dir=config.library.music_dir,
        )
        if speech is not None:
            closers.append(speech.close)
        player = VlcPlayer(
            audio_output or config.audio.output,
            config.audio.device,
            slots=3 if voice is not None else 2,  # slot 2: the gentle voice
            max_level=config.audio.max_volume_pct / 100.0,
            capture=capture,
        )
        closers.append(player.close)
        percussion = open_percussion(  # Play along: a mixer on its own open stream, same device and ceiling
            output=player.output,
            device=config.audio.device,
            max_level=config.audio.max_volume_pct / 100.0,
            sounds_dir=data_dir / ".sounds",
            capture=percussion_capture,
        )
        closers.append(percussion.close)
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
            profiles_stamp=profiles_stamp,
            rollups=rollups,
            on_suspect=catalogue.mark_suspect if catalogue is not None else None,
            resume_store=resume,
            kiosk_id=config.kiosk.id,
            percussion=percussion,
            beat_grids=SideFileGrids(data_dir),
            voice=voice,
        )
    except BaseException:
        for closer in reversed(closers):
            with contextlib.suppress(Exception):
                closer()
        raise
    return KioskParts(
        config,
        clock,
        journal,
        rollups,
        resume,
        player,
        engine,
        retention,
        catalogue,
        residents,
        closers,
        speech,
    )


def newest_record_source(clock: Clock, data_dir: Path) -> Callable[[], datetime | None]:
    """Where the newest trusted record comes from: the clock's own reading when it has one (read once for
    both the clock-trust rule and retention), else the data folder."""
    trust = getattr(clock, "trust", None)
    if isinstance(trust, ClockTrust) and trust.data_dir == Path(data_dir):
        return trust.newest_at_start
    return lambda: newest_trusted_record(data_dir)


@dataclass
class RunningKiosk:
    """What `kiosk run` drives: the engine's parts plus the stores and staff actions the touch UI needs."""

    parts: KioskParts
    residents: ResidentsStore
    staff: KioskStaff
    notifier: Notifier
    watchdog: Watchdog | None
    covers: CoverCache
    gpio: Any = None
    pin_lockout: PinLockoutFile | None = None  # the staff PIN lockout, kept across restarts
    warm_up: Callable[[], None] | None = None  # work that may wait until the first screen shows
    beats: BeatAnalyser | None = None  # Play along's beat analysis, in a low-priority child process
    _unbind_keys: Callable[[], None] | None = field(default=None, repr=False)

    def last_listened(self, days: int = 60) -> dict[str, str]:
        """Resident id -> when their last session started (ISO), from the session rollups: the picker shows
        the most recent listeners first."""
        clock = self.parts.clock
        start = clock.now().date() - timedelta(days=days) if clock.trusted() else None
        latest: dict[str, str] = {}
        for session in self.parts.rollups.sessions(start):
            at = str(session.get("started_at", ""))
            for rid in session.get("resident_ids") or ():
                latest[str(rid)] = max(latest.get(str(rid), ""), at)
        return latest

    @property
    def control(self) -> SessionControl:
        """The engine, seen through a heartbeat for the systemd watchdog when there is one."""
        if self.watchdog is None:
            return self.parts.control
        return PumpHeartbeat(self.parts.control, self.watchdog.engine_beat)

    def play_along_songs(self) -> int:
        """How many songs have a beat grid (the Play along tile shows only when there are some)."""
        catalogue = self.parts.catalogue
        return sum(1 for s in catalogue.songs() if s.has_beat_grid) if catalogue is not None else 0

    def attach_ui(
        self, app: Any, window: Any, schedule_once: Callable[..., Any], every: Callable[..., Any]
    ) -> None:
        """Once the first screen shows: buttons, keyboard, systemd READY and the watchdog, all on the main loop.

        ``schedule_once``/``every`` are Kivy's ``Clock.schedule_once``/``schedule_interval`` (thread-safe
        hand-over for gpiozero's threads; heartbeats on the UI loop).
        """
        from kiosk.adapters.gpio import start_gpio

        if self.warm_up is not None:  # after the first screen, so it never delays it (the GIL is shared)
            threading.Thread(target=self.warm_up, name="warm-up", daemon=True).start()
        if self.beats is not None:  # songs without a grid (an upgrade, `--no-beats`): analysed meanwhile
            self.beats.request()
        from kiosk.ui.keyboard import bind_keyboard

        def post_to_main(fn: Callable[[], None]) -> None:
            schedule_once(lambda _dt: fn(), 0)

        on_staff = app.ui.open_staff_pin if getattr(app, "ui", None) is not None else None
        self.gpio = start_gpio(self.parts.config, self.control, post_to_main, on_staff=on_staff)
        self._unbind_keys = bind_keyboard(window, self.control.post)
        if self.watchdog is not None:
            watchdog = self.watchdog

            def beat(_dt: float) -> None:
                watchdog.ui_beat()
                watchdog.maybe_ping()

            every(beat, 1.0)
        self.notifier.ready("Encore kiosk running")

    def close(self) -> None:
        """Tear down in reverse: keys, buttons, then the engine's parts (journal synced and closed last)."""
        self.notifier.stopping()
        if self.beats is not None:
            self.beats.close()
        with contextlib.suppress(Exception):  # SIGTERM: the session's last seconds go to the resume point
            self.parts.engine.save_resume_now()
        if self._unbind_keys is not None:
            with contextlib.suppress(Exception):
                self._unbind_keys()
        if self.gpio is not None:
            with contextlib.suppress(Exception):
                self.gpio.close()
        self.parts.close()


def prepare_demo(data_dir: Path, say: Callable[[str], None] = print) -> Path:
    """Generate, scan and import the demo content into ``data_dir`` where missing; returns the music folder.

    Idempotent: each step is skipped when its result is already there, so `make demo` starts fast the second
    time."""
    from kiosk.adapters.library_scan import scan_library
    from kiosk.adapters.resident_records import ResidentRecords
    from kiosk.app.residents_import import import_file
    from kiosk.demo.generate import generate_demo
    from kiosk.demo.setup import write_demo_residents

    data = DataFolder(data_dir)
    demo_dir = data.root / "demo"
    report = generate_demo(demo_dir)
    if not report.skipped:
        say(f"Demo music: {len(report.tracks)} songs made in {report.music_dir}")
    scan = scan_library(data, report.music_dir)
    if scan.written:
        say(f"Demo catalogue: {scan.songs} songs indexed")
    from kiosk.adapters.beat_store import analyse_library

    beats = analyse_library(data, report.music_dir, nice=False)
    if beats.analysed:
        say(f"Demo beat grids: {beats.usable} of {beats.analysed} songs can be played along to")
    if not ResidentsStore(data).all():
        csv_path = write_demo_residents(demo_dir / "residents")
        _plan, _outcome = import_file(csv_path, ResidentRecords(data))
        say(f"Demo residents: {len(ResidentsStore(data).all())} fictional residents imported")
    return report.music_dir


def attention_lines(config: Config, data_dir: Path) -> list[str]:
    """The WARN/FAIL rows of `kiosk doctor`, as one line each, for the staff "needs attention" list."""
    from kiosk.doctor import run_checks

    return [
        f"{c.status}: {c.name}: {c.detail}" + (f" ({c.hint})" if c.hint else "")
        for c in run_checks(config, data_dir)
        if c.status != "OK"
    ]


def settle_interrupted_writes(data: DataFolder) -> None:
    """Photos of an import cut off after its commit moved into place (or rolled back), leftover temp and
    staged files swept. Never raises: the kiosk starts whatever the disk says."""
    from kiosk.adapters.photo_staging import finish_staged_photos, sweep_leftovers

    try:
        finish_staged_photos(data)
        sweep_leftovers(data)
    except (OSError, ValueError) as exc:
        log.warning("start-up: could not settle interrupted writes (%s)", exc)


def upgrade_data_layout(data: DataFolder) -> None:
    """Move what earlier versions stored (or an older backup brought back) into today's layout: rollup months'
    sessions into their logs, the single catalogue.json into shards. Each step survives a kill (the next start
    finishes it) and never raises: the old layout stays readable."""
    from kiosk.adapters.catalogue_store import CatalogueFiles

    try:
        RollupStore(data).migrate()
        CatalogueFiles(data).migrate_legacy()
    except (OSError, ValueError) as exc:
        log.warning("start-up: could not move old files to the new layout (%s)", exc)


def prune_rollups(parts: KioskParts) -> int:
    """Old rollup months by the retention rule (None cutoff: the clock may not prune now). Never raises."""
    try:
        cutoff = parts.retention.cutoff()
        return 0 if cutoff is None else parts.rollups.prune_before(cutoff)
    except (OSError, ValueError) as exc:
        log.warning("rollups: pruning old months failed (%s)", exc)
        return 0


def _attention_notes(data_dir: Path) -> list[str]:
    """The "needs attention" notes for staff; the note about split lists names the residents (from the
    profile history: attention.json itself holds no personal data)."""
    from kiosk.adapters import attention
    from kiosk.adapters.residents_migrate import NOTE_KIND, named_note

    notes = []
    for n in attention.notes(data_dir):
        named = named_note(DataFolder(data_dir)) if n.get("kind") == NOTE_KIND else None
        notes.append(named or str(n.get("message", "")))
    return notes


def _music_dir(config: Config, data_dir: Path) -> Path:
    """The folder to rescan: kiosk.toml's, or the one `kiosk scan --music-dir DIR` last scanned when
    kiosk.toml's is missing."""
    from kiosk.doctor.storage import scanned_music_dir

    remembered = scanned_music_dir(data_dir)
    if not config.library.music_dir.is_dir() and remembered is not None and remembered.is_dir():
        return remembered
    return config.library.music_dir


def build_staff(
    config: Config,
    data_dir: Path,
    parts: KioskParts,
    residents: ResidentsStore,
    *,
    checks: Callable[[], Sequence[str]] | None = None,
    writer: DeferredWriter | None = None,
    usb_root: Path | None = None,
    after_scan: Callable[[], None] | None = None,
) -> KioskStaff:
    """The staff screen's actions over the engine and the data folder's adapters. Worker-thread ports open their
    own :class:`DataFolder` per call (one thread owns each store)."""
    from kiosk.adapters import system
    from kiosk.adapters.dashboard_charts import DashboardFiles
    from kiosk.adapters.library_scan import scan_library
    from kiosk.adapters.resident_records import ResidentRecords
    from kiosk.adapters.reviews import ReviewFile
    from kiosk.adapters.usb import find_import_files
    from kiosk.adapters.voice_switches import KioskVoice
    from kiosk.ui.dashboard_text import dashboard_from_figures

    data_dir = Path(data_dir)

    def scan(progress: Progress) -> ScanFigures:
        report = scan_library(DataFolder(data_dir), _music_dir(config, data_dir), progress)
        if after_scan is not None:
            after_scan()  # Play along: the new songs' beat grids, in the background
        return report

    ports = StaffPorts(
        review_store=ReviewFile(DataFolder(data_dir), writer),
        attention=lambda: _attention_notes(data_dir),
        scan=scan,
        find_import_files=find_import_files,
        records=lambda: ResidentRecords(DataFolder(data_dir)),
        dashboard=DashboardFiles(data_dir),
        present=dashboard_from_figures,
        system=system,
        calm_ahead=lambda: CalmAheadStore(DataFolder(data_dir)),
        voice=KioskVoice(
            config.voice, data_dir, parts.engine.voice, personal=config.kiosk.mode == "personal"
        ),
        clock=StaffClock(parts.clock) if isinstance(parts.clock, SystemClock) else None,
    )
    engine = parts.engine
    return KioskStaff(
        config,
        data_dir,
        engine,
        engine,
        parts.clock,
        residents,
        parts.rollups,
        parts.journal,
        ports,
        usb_root=usb_root,
        checks=checks,
    )


def build_running_kiosk(
    config: Config,
    data_dir: Path,
    *,
    clock: Clock | None = None,
    audio_output: str | None = None,
    notifier: Notifier | None = None,
    capture: AudioCapture | None = None,
    percussion_capture: Capture | None = None,
) -> RunningKiosk:
    """Everything `kiosk run` needs, in a fixed order: data folder checked and repaired, catalogue, residents,
    selection as the song source, the engine's parts, staff actions; then resume the last session if allowed."""
    from kiosk.adapters.catalogue import TinyCatalogue
    from kiosk.adapters.history import load_history
    from kiosk.adapters.residents_migrate import split_old_lists
    from kiosk.app.selection_source import SelectionSourceFactory
    from kiosk.domain.selection import prepare

    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    clock = clock or SystemClock(ClockTrust(data_dir))
    data = DataFolder(data_dir)
    data.check_all()  # damaged stores: kept aside, last good backup restored, staff told
    apply_at_start(data)  # erasures re-applied: a kill halfway through `residents remove` ends erased
    settle_interrupted_writes(data)
    upgrade_data_layout(data)  # rollup months and the catalogue of earlier versions (or an older backup)
    split_old_lists(data)  # profiles from before the upgrade: lists split at ';' (once), staff told
    writer = DeferredWriter()  # store writes the UI thread hands off: it never waits for the folder lock
    catalogue = TinyCatalogue(data, writer)
    residents = ResidentsStore(data)
    from kiosk.adapters.reviews import ReviewFile

    source = SelectionSourceFactory(
        config,
        lambda ids, now: load_history(data, ids, now),
        catalogue,
        residents,
        clock,
        # songs stopped as upsetting stay out for those residents until staff decide. Read as stored, never
        # flushing the deferred writer (that would wait for the folder lock on the UI thread): a review still
        # queued is in the engine's own list, which applies the same rule (selection.under_review)
        reviews=ReviewFile(data),
    )
    parts = build_kiosk(
        config,
        data_dir,
        clock=clock,
        song_source=source,
        audio_output=audio_output,
        catalogue=catalogue,
        residents=residents,
        profiles_stamp=residents.stamp,
        capture=capture,
        percussion_capture=percussion_capture,
    )
    parts._closers.insert(0, writer.close)  # closed last: the engine's final writes land first
    beats = BeatAnalyser(data_dir, lambda: _music_dir(config, data_dir))
    try:
        prune_rollups(parts)
        staff = build_staff(
            config,
            data_dir,
            parts,
            residents,
            checks=lambda: attention_lines(config, data_dir),
            writer=writer,
            after_scan=beats.request,
        )
        parts.engine.start_up()  # resume after a crash or power cut, when the rules allow
    except BaseException:
        parts.close()
        raise
    notifier = notifier or Notifier()
    # Songs' text normalised for selection once the first screen shows (~0.1 s per 10,000 songs, on a thread):
    # a first playlist before it finishes simply normalises what it needs itself.
    return RunningKiosk(
        parts,
        residents,
        staff,
        notifier,
        Watchdog.from_env(notifier),
        CoverCache(data_dir),
        pin_lockout=PinLockoutFile(data_dir),
        warm_up=lambda: prepare(catalogue.songs()),
        beats=beats,
    )
