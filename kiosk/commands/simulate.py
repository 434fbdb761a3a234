"""`kiosk simulate`: a headless session with the real engine and the real player, fed random intents.

For the IT volunteer ("does sound work on this Pi?"), soak tests and benchmarks. It plays the catalogue's songs
(or, when the library has not been scanned, a few tones it makes with sox), writes its events to a temporary
journal (never the care home's), and prints a summary.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from kiosk.errors import UserError

WEIGHTS = {
    "play_pause": 6,
    "next": 6,
    "like": 4,
    "volume_up": 3,
    "volume_down": 3,
    "tune_decade": 3,
    "more_music": 2,
    "stop": 1,
    "distress": 0,
    "choose_mode": 1,
    "choose_residents": 0,
}


def register(sub: Any) -> None:
    p = sub.add_parser("simulate", help="run a headless session with the real player and random intents")
    p.add_argument("--resident", metavar="ID", help="listen as this resident (staff id or resident id)")
    p.add_argument("--intents", type=int, default=60, metavar="N", help="how many intents to send (60)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (0)")
    p.add_argument("--rate", type=float, default=4.0, metavar="HZ", help="intents per second (4)")
    p.set_defaults(func=run)


def _catalogue_songs(data_dir: Path) -> list[Any]:
    from kiosk.adapters.catalogue import TinyCatalogue
    from kiosk.adapters.docstore import DataFolder

    try:
        songs = TinyCatalogue(DataFolder(data_dir)).songs()
    except Exception:
        return []
    return [s for s in songs if not s.suspect and Path(s.path).exists()]


def _tone_songs(folder: Path) -> list[Any]:
    from kiosk.domain.models import Song

    if not shutil.which("sox"):
        raise UserError("the library is empty and sox is not installed to make test tones (apt install sox)")
    songs = []
    for i, (freq, year) in enumerate(
        [(262, 1942), (330, 1951), (392, 1958), (440, 1963), (494, 1969), (523, 1974)]
    ):
        path = folder / f"tone-{i}.ogg"
        subprocess.run(
            [
                "sox",
                "-n",
                "-r",
                "44100",
                "-c",
                "2",
                str(path),
                "synth",
                "4",
                "sine",
                str(freq),
                "fade",
                "0.2",
                "4",
            ],
            check=True,
            capture_output=True,
        )
        songs.append(Song(f"tone-{i}", str(path), f"Test tone {i + 1}", "Encore", year=year, duration_s=4.0))
    return songs


def _listener(data_dir: Path, wanted: str | None) -> tuple[Any, str | None]:
    """(residents store, opaque id) for ``--resident`` (a staff id or a resident id), so the resident's volume
    cap, session length and consent apply as on the kiosk; (None, None) without it."""
    if not wanted:
        return None, None
    from kiosk.adapters.docstore import DataFolder
    from kiosk.adapters.residents import ResidentsStore

    if not (data_dir / "residents.json").exists():
        raise UserError(f"--resident {wanted}: no residents in {data_dir} (kiosk residents import FILE)")
    store = ResidentsStore(DataFolder(data_dir))
    resident = store.by_staff_id(wanted) or store.get(wanted)
    if resident is None:
        raise UserError(f"--resident {wanted}: no resident with that id (kiosk residents list shows them)")
    return store, resident.resident_id


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def run(args: argparse.Namespace, ctx: Any) -> int:
    if args.intents < 0 or args.rate <= 0:
        raise UserError("--intents must be 0 or more and --rate above 0")
    from kiosk.adapters.mainloop import HeadlessLoop
    from kiosk.domain.intents import Intent, Source, Status
    from kiosk.domain.models import Mode
    from kiosk.domain.session_sources import ShuffleSource
    from kiosk.wiring import build_kiosk

    config = ctx.config()
    residents, resident_id = _listener(ctx.data_dir, args.resident)
    with tempfile.TemporaryDirectory(prefix="kiosk-simulate-") as tmp:
        songs = _catalogue_songs(ctx.data_dir) or _tone_songs(Path(tmp))
        origin = "the library" if not songs[0].song_id.startswith("tone-") else "generated test tones"
        parts = build_kiosk(
            config, Path(tmp) / "data", song_source=ShuffleSource(songs, args.seed), residents=residents
        )
        print(f"kiosk simulate: {len(songs)} songs from {origin}, audio output: {parts.player.output}")
        engine, rng = parts.engine, random.Random(args.seed)
        loop = HeadlessLoop(engine)
        latencies_ms: list[float] = []
        names = [Intent(n) for n in WEIGHTS]
        weights = list(WEIGHTS.values())
        try:
            if resident_id:
                engine.post(Intent.CHOOSE_RESIDENTS, Source.STAFF, (resident_id,))
            else:
                engine.post(Intent.PLAY_PAUSE, Source.TOUCH)
            for _ in range(args.intents):
                loop.run_for(rng.expovariate(args.rate))
                intent = rng.choices(names, weights)[0]
                arg: object = None
                if intent is Intent.TUNE_DECADE:
                    arg = rng.choice([1, -1])
                elif intent is Intent.CHOOSE_MODE:
                    arg = rng.choice(list(Mode))
                source = (
                    Source.DIAL if intent is Intent.TUNE_DECADE else rng.choice([Source.TOUCH, Source.BUTTON])
                )
                t0 = time.perf_counter()
                engine.post(intent, source, arg)
                latencies_ms.append((time.perf_counter() - t0) * 1000)
            loop.run_for(0.5)
            if engine.view().status in (Status.PLAYING, Status.PAUSED):
                engine.post(Intent.STOP, Source.STAFF)
                loop.run_for(config.audio.fade_ms / 1000 + 0.2)
            message = engine.view().message
        finally:
            parts.close()
        from kiosk.adapters.journal import read_events

        events = list(read_events(Path(tmp) / "data" / "events"))
    kinds = Counter(e["type"] for e in events)
    outcomes = Counter(e["detail"].get("outcome") for e in events if e["type"] == "song_end")
    print(
        f"songs started {kinds['song_start']}, completed {outcomes['completed']}, skipped {outcomes['skipped']}, "
        f"failed {outcomes['failed']}, stopped {outcomes['stopped']}"
    )
    print(f"pauses {kinds['pause']}, likes {kinds['like']}, sessions {kinds['session_start']}")
    print(f"events journaled {len(events)}")
    if latencies_ms:
        print(
            f"intent handling latency: p50 {statistics.median(latencies_ms):.1f} ms, "
            f"p95 {_pct(latencies_ms, 0.95):.1f} ms, max {max(latencies_ms):.1f} ms"
        )
    if message:
        print(f"message for staff: {message}")
    return 1 if outcomes["failed"] and not outcomes["completed"] and not outcomes["skipped"] else 0
