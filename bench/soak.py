"""Soak: thousands of song transitions on very short files plus random intents, real libvlc (dummy output).

Target (issue 5): 10,000 transitions, RSS growth <= 5 MB, thread count and open file descriptors flat, zero
deadlocks (a transition that does not happen within 10 s counts as one). ``--quick`` runs 300.
The baseline is the process at the start of the same run, after libvlc has met one damaged file (it then loads
every demuxer plugin, once: see :func:`load_every_demuxer`) and a warm-up of up to 1,000 transitions.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._engine_common import engine, tones  # noqa: E402
from bench._single_core import print_pinned  # noqa: E402
from kiosk.adapters.mainloop import HeadlessLoop  # noqa: E402
from kiosk.adapters.player import VlcPlayer  # noqa: E402
from kiosk.domain.intents import Intent, Source, Status  # noqa: E402
from kiosk.domain.playback import PlayerEventKind  # noqa: E402


def figures() -> tuple[float, int, int, float]:
    """RSS (MB), threads, open fds, and the anonymous part of RSS (MB: heap, not mapped files)."""
    kb = {"VmRSS": 0, "RssAnon": 0}
    for line in Path("/proc/self/status").read_text().splitlines():
        key = line.split(":")[0]
        if key in kb:
            kb[key] = int(line.split()[1])
    threads, fds = len(os.listdir("/proc/self/task")), len(os.listdir("/proc/self/fd"))
    return kb["VmRSS"] / 1024, threads, fds, kb["RssAnon"] / 1024


def load_every_demuxer(player: VlcPlayer, folder: Path) -> None:
    """Open a file no demuxer accepts, so libvlc loads every plugin it will ever probe (once, before 'start').

    libvlc keeps a plugin mapped once loaded. A failed open (a damaged file) or one cut short (a skip while the
    next song is still opening: the stream's reads are interrupted) makes it try all 55 demuxers, mapping
    ~130 more libraries (libavcodec, librsvg, gnutls ...): +21 MB of RSS with this bench's WAV tones, +11 MB
    with MP3/M4A songs, whose decoders load part of them anyway (measured). It happens once, at a moment the
    race decides, so a soak without this step showed +21 MB in some runs and +0.5 MB in others.
    """
    junk = folder / "not-music.mp3"
    junk.write_text("this is not music\n")
    player.start(0, str(junk), 0.0)
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:  # libvlc answers "playing, ended" or "error" for such a file
        if any(e.kind in (PlayerEventKind.ERROR, PlayerEventKind.ENDED) for e in player.poll()):
            player.stop(0)
            return
        time.sleep(0.01)
    raise SystemExit("libvlc did not finish with the damaged file within 10 s")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--transitions", type=int, default=10_000)
    ap.add_argument("--quick", action="store_true", help="300 transitions")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pinned", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument(
        "--no-rollups", action="store_true", help="do not store session rollups (to split the growth)"
    )
    args = ap.parse_args()
    total = 300 if args.quick else args.transitions
    rng = random.Random(args.seed)
    warmup = min(1000, total // 5)  # libvlc and the allocator settle within ~1,000 transitions (measured)
    before_any = figures()
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None  # journal fsyncs measure the disk, not leaks
    with tempfile.TemporaryDirectory(dir=shm) as tmp:
        songs = tones(Path(tmp) / "music", 30, 0.15)
        # sessions of ~40 songs end and roll over as in a day of use (one endless session would only
        # measure its own growing list of plays)
        parts = engine(
            Path(tmp) / "data", songs, fade_ms=20, skip_fade_ms=10, autosave_s=5.0, default_session_s=3.0
        )
        e = parts.engine
        if args.no_rollups:
            e.rollups = None
        load_every_demuxer(parts.player, Path(tmp))
        loop = HeadlessLoop(e, tick_s=0.005)
        deadlocks = 0
        done = 0

        started = [0]
        append = parts.journal.append

        def counting_append(type: str, **kw: object) -> None:
            if type == "song_start":
                started[0] += 1
            append(type, **kw)  # type: ignore[arg-type]

        parts.journal.append = counting_append  # type: ignore[method-assign]

        def transitions() -> int:
            return started[0]

        start = None
        last_report = [0]

        def settled() -> tuple[float, int, int, float]:
            """Figures with nothing playing (libvlc's per-song threads gone), so start and end compare."""
            e.post(Intent.STOP, Source.STAFF)
            loop.run_for(0.5)
            got = figures()
            e.post(Intent.MORE_MUSIC, Source.STAFF)
            return got

        t0 = time.perf_counter()
        try:
            e.post(Intent.PLAY_PAUSE, Source.STAFF)
            while done < total:
                before = transitions()
                roll = rng.random()
                if roll < 0.05:
                    e.post(Intent.NEXT, Source.STAFF)
                elif roll < 0.08:
                    e.post(Intent.PLAY_PAUSE, Source.STAFF)
                elif roll < 0.10:
                    e.post(rng.choice([Intent.LIKE, Intent.VOLUME_UP, Intent.VOLUME_DOWN]), Source.STAFF)
                elif roll < 0.11:
                    e.post(Intent.TUNE_DECADE, Source.DIAL, rng.choice([1, -1]))
                if e.view().status is not Status.PLAYING:
                    e.post(Intent.MORE_MUSIC, Source.STAFF)
                moved = loop.run_until(
                    lambda b=before: transitions() > b or e.view().status is not Status.PLAYING, 10.0
                )  # a new song, or the session ended (length): either way the engine answered
                if not moved:
                    deadlocks += 1
                    print(f"no transition within 10 s (status {e.view().status})", flush=True)
                    e.post(Intent.NEXT, Source.STAFF)
                done = transitions()
                if done // 1000 != last_report[0] and start is not None:
                    last_report[0] = done // 1000
                    rss, threads, fds, _heap = figures()
                    print(
                        f"  {done:6d} transitions: RSS {rss:.1f} MB, {threads} threads, {fds} fds", flush=True
                    )
                if start is None and done >= warmup:
                    start = settled()
                    t0 = time.perf_counter()
            end = settled()
            rollup_kb = sum(p.stat().st_size for p in (Path(tmp) / "data").glob("rollups-*.json*")) / 1024
            sessions = sum(1 for _ in parts.rollups.sessions())
        finally:
            parts.close()
    assert start is not None
    took = time.perf_counter() - t0
    print(f"transitions {done} in {took:.0f} s ({done / took:.0f}/s), deadlocks {deadlocks}")
    print(f"process at launch: RSS {before_any[0]:.1f} MB, {before_any[1]} threads, {before_any[2]} fds")
    print(
        f"baseline 'start' = after one damaged file (libvlc loads every demuxer once) and a {warmup}-transition"
        " warm-up of the same run; both with nothing playing"
    )
    print(
        f"session rollups stored: {sessions} in {rollup_kb:.0f} KB ({'off' if args.no_rollups else 'on'}: each "
        "one a line appended to its month's log, nothing reread)"
    )
    print(f"{'':14} {'start':>9} {'end':>9} {'growth':>9}   target")
    grew = end[0] - start[0]
    print(
        f"{'RSS (MB)':14} {start[0]:9.1f} {end[0]:9.1f} {grew:9.1f}   <= 5 MB {'OK' if grew <= 5 else 'MISSED'}"
    )
    print(f"{'  of it heap':14} {start[3]:9.1f} {end[3]:9.1f} {end[3] - start[3]:9.1f}   (anonymous memory)")
    print(f"{'threads':14} {start[1]:9d} {end[1]:9d} {end[1] - start[1]:9d}   flat")
    print(f"{'open fds':14} {start[2]:9d} {end[2]:9d} {end[2] - start[2]:9d}   flat")
    print_pinned(__file__, "--quick")
    return 1 if deadlocks else 0


if __name__ == "__main__":
    sys.exit(main())
