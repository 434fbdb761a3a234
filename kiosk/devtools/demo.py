"""An in-memory session control, residents store and staff actions, for UI tests, screenshots and the UI bench
(`kiosk run --demo` uses the real engine, built by kiosk/wiring.py).

It only mimics the engine's visible behaviour (status, song, volume, likes); what a tap means is decided by the
presenters, which post the same intents to the real engine.
"""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import Any, cast

from kiosk.app.staff_api import (
    ClockReading,
    Dashboard,
    ImportResult,
    Progress,
    ReviewItem,
    SessionActions,
    SessionRef,
    SystemResult,
)
from kiosk.domain.clock_trust import ClockBasis
from kiosk.domain.intents import Intent, SessionView, SongView, Source, Status
from kiosk.domain.models import Mode, Resident
from kiosk.domain.voice import IntroEvery, VoiceSwitches

DEMO_LRC = """[ti:Tea in the Garden]
[ar:The Demo Singers]
[00:00.50]Tea in the garden, the kettle on the hob
[00:05.00]Sunday in the morning and nobody at the job
[00:10.00]Roses by the gateway, swallows in the sky
[00:15.00]Sing it once together as the summer passes by
[00:20.00]La la la, the garden gate
[00:25.00]La la la, it's never late
"""

DEMO_TXT = """Down by the river where the willows grow
We walked on a Sunday, a long time ago
The water was singing, the sky was so blue
And every step of the way I was walking with you

Down by the river the swallows fly high
We waved to the boatmen as they sailed by
"""

DEMO_SONGS = (
    SongView("s1", "Moonlight Serenade", "Glenn Miller", 1939, "1930s", 200.0),
    SongView("s2", "Que Sera, Sera", "Doris Day", 1956, "1950s", 125.0),
    SongView("s3", "Tea in the Garden", "The Demo Singers", 1962, "1960s", 30.0, lyrics_path="tea.lrc"),
    SongView("s4", "In the Mood", "Glenn Miller", 1939, "1930s", 215.0),
    SongView("s5", "Singin' in the Rain", "Gene Kelly", 1952, "1950s", 160.0),
    SongView("s6", "Down by the River", "The Demo Singers", 1948, "1940s", 90.0, lyrics_path="river.txt"),
)

DEMO_RESIDENTS = (
    ("Margaret", "Peggy", 1938, "Rose room"),
    ("Arthur", "", 1935, ""),
    ("Elsie", "", 1941, ""),
    ("Harold", "Harry", 1933, ""),
    ("Doris", "", 1940, ""),
    ("Walter", "", 1937, ""),
    ("Ivy", "", 1944, ""),
)


def demo_residents() -> tuple[Resident, ...]:
    """Fictional residents (never real people)."""
    return tuple(
        Resident(
            resident_id=f"r{i}",
            staff_id=f"demo-{i}",
            first_name=first,
            preferred_name=pref,
            birth_year=year,
            room=room,
            volume_cap_pct=80,
        )
        for i, (first, pref, year, room) in enumerate(DEMO_RESIDENTS, start=1)
    )


class DemoResidentStore:
    def __init__(self, residents: Sequence[Resident] | None = None):
        self._residents = {r.resident_id: r for r in (residents or demo_residents())}
        self.avoided: list[tuple[str, str]] = []

    def all(self) -> Sequence[Resident]:
        return tuple(self._residents.values())

    def get(self, resident_id: str) -> Resident | None:
        return self._residents.get(resident_id)

    def add_avoid_song(self, resident_id: str, song_title: str) -> None:
        self.avoided.append((resident_id, song_title))

    def set_cap(self, resident_id: str, pct: int) -> None:
        r = self._residents[resident_id]
        self._residents[resident_id] = replace(r, volume_cap_pct=pct)

    def set_voice(self, resident_id: str, on: bool) -> None:
        self._residents[resident_id] = replace(self._residents[resident_id], voice=on)


class DemoSessionControl:
    """Plays pretend songs: positions advance on ``now()``; volume steps of 10 within the cap."""

    def __init__(
        self,
        *,
        now: Callable[[], float] = time.monotonic,
        lyrics_dir: Path | None = None,
        songs: Sequence[SongView] = DEMO_SONGS,
    ):
        self._now = now
        self._songs = list(songs)
        if lyrics_dir is None:
            lyrics_dir = Path(tempfile.mkdtemp(prefix="encore-demo-"))
        (lyrics_dir / "tea.lrc").write_text(DEMO_LRC, encoding="utf-8")
        (lyrics_dir / "river.txt").write_text(DEMO_TXT, encoding="utf-8")
        self._songs = [
            replace(s, lyrics_path=str(lyrics_dir / s.lyrics_path)) if s.lyrics_path else s
            for s in self._songs
        ]
        self._index = 0
        self._view = SessionView(status=Status.IDLE, volume_pct=40, volume_cap_pct=80, mode=Mode.LISTEN)
        self._started_at = 0.0  # monotonic time the song position counts from
        self._paused_pos_ms = 0
        self._listeners: list[Callable[[SessionView], None]] = []
        self._waker: Callable[[], None] | None = None
        self.posted: list[tuple[Intent, Source, object]] = []
        self.session_id = ""
        self.reviews: list[ReviewItem] = []

    # --- SessionControl ---
    def post(self, intent: Intent, source: Source, arg: object = None) -> None:
        self.posted.append((intent, source, arg))
        v = self._view
        if intent in (Intent.MORE_MUSIC, Intent.CHOOSE_RESIDENTS):
            if intent is Intent.CHOOSE_RESIDENTS:
                v = replace(v, resident_ids=tuple(cast("Iterable[str]", arg or ())))
            if v.status not in (Status.PLAYING, Status.PAUSED) or intent is Intent.CHOOSE_RESIDENTS:
                self.session_id = uuid.uuid4().hex
                self._view = v
                self._start_song(self._index)
                return
        elif intent is Intent.PLAY_PAUSE and v.status in (Status.PLAYING, Status.PAUSED):
            if v.status is Status.PLAYING:
                self._paused_pos_ms = self._position_ms()
                v = replace(v, status=Status.PAUSED, position_ms=self._paused_pos_ms)
            else:
                self._started_at = self._now() - self._paused_pos_ms / 1000
                v = replace(v, status=Status.PLAYING)
        elif intent is Intent.NEXT and v.song is not None:
            self._start_song(self._index + 1)
            return
        elif intent is Intent.LIKE and v.song is not None:
            v = replace(v, song=replace(v.song, liked=True))
        elif intent is Intent.VOLUME_UP:
            v = replace(v, volume_pct=min(v.volume_cap_pct, v.volume_pct + 10))
        elif intent is Intent.VOLUME_DOWN:
            v = replace(v, volume_pct=max(0, v.volume_pct - 10))
        elif intent is Intent.CHOOSE_MODE and isinstance(arg, Mode | str):
            v = replace(v, mode=Mode(arg))
        elif intent in (Intent.STOP, Intent.DISTRESS) and v.status in (Status.PLAYING, Status.PAUSED):
            if intent is Intent.DISTRESS and v.song is not None:
                self.reviews.append(
                    ReviewItem(uuid.uuid4().hex, None, "", v.song.title, v.song.artist, "just now")
                )
            calm = Status.CALM if intent is Intent.DISTRESS else Status.ENDED  # as the engine: calm screen
            v = replace(v, status=calm, song=None, position_ms=0)
        else:
            return
        self._publish(v)

    def view(self) -> SessionView:
        return self._view

    def subscribe(self, listener: Callable[[SessionView], None]) -> None:
        self._listeners.append(listener)

    def pump(self) -> None:
        v = self._view
        if v.status is Status.PLAYING and v.song is not None:
            pos = self._position_ms()
            if pos >= v.song.duration_s * 1000:
                self._start_song(self._index + 1)
            elif pos // 1000 != v.position_ms // 1000:
                self._publish(replace(v, position_ms=pos))

    def set_waker(self, waker: Callable[[], None]) -> None:
        self._waker = waker

    # --- demo helpers ---
    def show(
        self,
        status: Status,
        *,
        mode: Mode | None = None,
        song: int = 0,
        position_ms: int = 0,
        resident_ids: tuple[str, ...] | None = None,
    ) -> None:
        """Jump straight to a state (screenshots and tests)."""
        self._index = song % len(self._songs)
        s = self._songs[self._index] if status in (Status.PLAYING, Status.PAUSED) else None
        self._started_at = self._now() - position_ms / 1000
        self._paused_pos_ms = position_ms
        ids = self._view.resident_ids if resident_ids is None else resident_ids
        if resident_ids is not None:
            self.session_id = self.session_id or "demo-session"
        self._publish(
            replace(
                self._view,
                status=status,
                song=s,
                position_ms=position_ms,
                mode=mode or self._view.mode,
                resident_ids=ids,
            )
        )

    def _position_ms(self) -> int:
        return int((self._now() - self._started_at) * 1000)

    def _start_song(self, index: int) -> None:
        self._index = index % len(self._songs)
        self._started_at = self._now()
        self._publish(
            replace(self._view, status=Status.PLAYING, song=self._songs[self._index], position_ms=0)
        )

    def _publish(self, view: SessionView) -> None:
        self._view = view
        for listener in list(self._listeners):
            listener(view)


DEMO_SESSION_TIMES = (day_time(10, 30), day_time(14, 15), day_time(16, 0), day_time(19, 0))


def demo_rollups(residents: Sequence[Resident], today: date, seed: int = 7) -> list[dict[str, Any]]:
    """A believable week of session rollups (kiosk.domain.events ROLLUP_KEYS) ending ``today``: two or three
    sessions a day, each for one to three residents; the last resident never listens (shows as "not seen")."""
    rng = random.Random(seed)
    people = [r.resident_id for r in residents][:-1] or [r.resident_id for r in residents]
    out: list[dict[str, Any]] = []
    for back in range(6, -1, -1):
        day = today - timedelta(days=back)
        for n, at in enumerate(sorted(rng.sample(DEMO_SESSION_TIMES, rng.choice((2, 3, 3))))):
            start = datetime.combine(day, at).astimezone()
            who = sorted(rng.sample(people, min(len(people), rng.choice((1, 1, 2, 3)))))
            plays, t = [], start
            for _i in range(rng.randint(4, 8)):
                song = rng.choice(DEMO_SONGS)
                outcome = rng.choices(("completed", "skipped", "distress"), (80, 18, 2))[0]
                secs = song.duration_s if outcome == "completed" else float(rng.randint(8, 40))
                plays.append({"song_id": song.song_id, "title": song.title, "artist": song.artist,
                              "decade": song.decade, "outcome": outcome, "listened_s": secs,
                              "liked": outcome == "completed" and rng.random() < 0.3,
                              "at": t.isoformat(timespec="milliseconds")})  # fmt: skip
                t += timedelta(seconds=secs)
            count = {o: sum(p["outcome"] == o for p in plays) for o in ("completed", "skipped", "distress")}
            out.append({
                "session_id": f"demo-{day.isoformat()}-{n}", "kiosk_id": "demo", "resident_ids": who,
                "mode": rng.choice(("listen", "sing", "relax", "move")),
                "started_at": start.isoformat(timespec="milliseconds"),
                "ended_at": t.isoformat(timespec="milliseconds"), "clock_ok": True, "end_reason": "length",
                "listened_s": sum(p["listened_s"] for p in plays), "songs_started": len(plays),
                "songs_completed": count["completed"], "songs_skipped": count["skipped"], "songs_failed": 0,
                "likes": sum(bool(p["liked"]) for p in plays), "distress_stops": count["distress"], "plays": plays,
            })  # fmt: skip
    return out


class DemoStaffActions(SessionActions):
    """Staff actions over the demo control; slow ones sleep a little so the progress bar is visible."""

    control: DemoSessionControl
    store: DemoResidentStore

    def __init__(
        self,
        control: DemoSessionControl,
        residents: DemoResidentStore,
        *,
        delay_s: float = 0.05,
        today: Callable[[], date] = date.today,
    ):
        self.control = control
        self.store = residents
        self.delay_s = delay_s
        self.today = today
        self._report_dir: Path | None = None  # a synthetic data folder, made on the first dashboard
        self.observations: list[tuple[str, dict[str, int], list[str]]] = []
        self.events: list[str] = []
        self.resolved: list[tuple[str, bool]] = []
        self.restless: list[str] = []
        self.accepted: list[tuple[str, str]] = []
        self.clock_basis = ClockBasis.UNTRUSTED  # as on a Pi after a power cut with no network
        self.clock_set: list[datetime] = []  # what staff asked the clock to be set to
        self.voice_switches = VoiceSwitches(  # as on a kiosk where nobody has installed a voice yet
            silent_because="no natural voice is installed (kiosk voice install FILE; see docs/guide/voice.md)"
        )

    def pending_reviews(self) -> Sequence[ReviewItem]:
        return tuple(self.control.reviews)

    def resolve_review(self, review_id: str, add_to_avoid: bool) -> None:
        self.resolved.append((review_id, add_to_avoid))
        self.control.reviews = [r for r in self.control.reviews if r.review_id != review_id]

    def last_session_id(self) -> str | None:
        return self.control.session_id or None

    def last_session(self) -> SessionRef | None:
        if not self.control.session_id:
            return None
        ids = self.control.view().resident_ids
        names = tuple(r.display_name for rid in ids if (r := self.store.get(rid)) is not None)
        return SessionRef(self.control.session_id, names, "2026-06-01T09:05:00+00:00")

    def save_observation(self, session_id: str, scales: dict[str, int], reactions: list[str]) -> None:
        self.observations.append((session_id, dict(scales), list(reactions)))

    def set_volume_cap(self, resident_id: str, pct: int) -> None:
        self.store.set_cap(resident_id, pct)

    def restless_now(self, resident_id: str, start_relax: bool) -> bool:
        resident = self.store.get(resident_id)
        recorded = resident is not None and resident.journaled
        if recorded:
            self.restless.append(resident_id)
        if start_relax:
            self.choose([resident_id], Mode.RELAX)
        return recorded

    def calm_ahead_check(self, resident_id: str) -> str:
        """The demo proposes a slot from the third note of a resident on."""
        if self.restless.count(resident_id) >= 3:
            return "14:30-15:30 relax"
        return ""

    def accept_schedule(self, resident_id: str, slot: str) -> str:
        self.accepted.append((resident_id, slot))
        who = self.store.get(resident_id)
        return f"Relax {slot.removesuffix(' relax')} added to {who.display_name if who else 'them'}'s day."

    def voice(self) -> VoiceSwitches:
        return self.voice_switches

    def set_voice(self, changes: dict[str, object]) -> VoiceSwitches:
        given = {k: IntroEvery(str(v)) if k == "intros" else v for k, v in changes.items()}
        self.voice_switches = replace(self.voice_switches, **cast("dict[str, Any]", given))
        return self.voice_switches

    def set_resident_voice(self, resident_id: str, on: bool) -> None:
        self.store.set_voice(resident_id, on)

    def rescan(self, progress_cb: Progress) -> str:
        total = 20
        for done in range(total + 1):
            progress_cb(done, total)
            time.sleep(self.delay_s)
        return f"{total} songs found, none unreadable."

    def usb_import_candidates(self) -> Sequence[str]:
        return ("/media/usb0/residents.csv",)

    def usb_import(self, path: str, dry_run: bool, accept_safety: bool = False) -> ImportResult:
        time.sleep(self.delay_s)
        verb = "would be imported" if dry_run else "imported"
        return ImportResult(ok=True, count=3, messages=(f"3 residents {verb} from {Path(path).name}.",))

    def clock_reading(self) -> ClockReading:
        return ClockReading(datetime.now(UTC), self.clock_basis)

    def set_clock(self, local: datetime) -> SystemResult:
        self.clock_set.append(local)
        return SystemResult(False, "Demo: the time cannot be set here (not allowed on this machine).")

    def restart(self) -> SystemResult:
        return SystemResult(False, "Demo: restart is not available here. Close the window to stop.")

    def power_off(self) -> SystemResult:
        return SystemResult(False, "Demo: shutting down is not available here.")

    def attention_notes(self) -> Sequence[str]:
        return ("Demo mode: music is pretend, nothing is recorded.",)

    def note_staff_event(self, action: str) -> None:
        self.events.append(action)

    def dashboard(self, period: str, resident_id: str | None, out_dir: Path | None = None) -> Dashboard:
        """Real figures and charts (the report code itself) over a made-up week in a temporary data folder."""
        from kiosk.adapters.dashboard_charts import DashboardFiles
        from kiosk.app.dashboard import build_dashboard
        from kiosk.ui.dashboard_text import dashboard_from_figures

        data_dir = self._demo_data()
        return build_dashboard(
            DashboardFiles(data_dir),
            dashboard_from_figures,
            period,
            resident_id,
            out_dir or data_dir / "dashboard",
            self.today(),
        )

    def _demo_data(self) -> Path:
        if self._report_dir is None:
            from kiosk.adapters.docstore import DataFolder
            from kiosk.adapters.residents import ResidentsStore
            from kiosk.adapters.rollups import RollupStore

            folder = Path(tempfile.mkdtemp(prefix="encore-demo-report-"))
            data = DataFolder(folder)
            people = ResidentsStore(data)
            for r in self.store.all():
                people.upsert(replace(r, photo=None))
            rollups = RollupStore(data)
            for doc in demo_rollups(self.store.all(), self.today()):
                rollups.add(doc)
            self._report_dir = folder
        return self._report_dir


def make_demo(
    now: Callable[[], float] = time.monotonic,
) -> tuple[DemoSessionControl, DemoResidentStore, DemoStaffActions]:
    """A demo control, residents and staff actions wired together."""
    control = DemoSessionControl(now=now)
    store = DemoResidentStore()
    return control, store, DemoStaffActions(control, store)
