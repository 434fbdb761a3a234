"""Run in a child process by the "nothing lost" tests: the composed kiosk (`build_running_kiosk`, real libvlc
with the dummy output, real data folder) without a window, driven through its SessionControl.

One run: start up (resume if allowed), a staff-chosen session for one resident, ``--play-s`` seconds of music,
staff stop, close; prints one JSON line. ``--loop SEED``: sessions forever (the crash loop kills it), printing
``ACK <seq>`` whenever events up to that number are written, so the parent knows what was acknowledged.
No time.sleep here: it fails under libfaketime (see tests/storage/kit.py); waits use Event.wait.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("music_dir", type=Path)
    ap.add_argument("--sync", default="no")
    ap.add_argument("--pi", default="no")
    ap.add_argument("--play-s", type=float, default=1.5)
    ap.add_argument("--resident", default="R-001")
    ap.add_argument("--loop", type=int, default=None)
    ap.add_argument("--duration-s", type=float, default=None, help="loop mode: end cleanly after this long")
    ap.add_argument("--retry-s", type=float, default=None, help="how often a refusing disk is tried again")
    ap.add_argument(
        "--hold-after-start",
        action="store_true",
        help="start a session, print STARTED before any pump (so before the first resume save), then wait "
        "for the kill",
    )
    args = ap.parse_args()

    from kiosk.adapters import clock as clock_mod
    from kiosk.config import AudioConfig, Config, KioskConfig, LibraryConfig
    from kiosk.domain.intents import Intent, Source, Status
    from kiosk.wiring import build_running_kiosk

    config = Config(
        audio=AudioConfig(output="dummy", fade_ms=100),
        library=LibraryConfig(music_dir=args.music_dir),
        kiosk=KioskConfig(mode="lounge"),
    )
    if hasattr(clock_mod, "ClockTrust"):  # (absent before issue 14: the same test then shows the old failure)
        trust = clock_mod.ClockTrust(
            args.data_dir,
            synchronised=lambda: args.sync == "yes",
            on_pi=lambda: args.pi == "yes",
            rtc=lambda: False,
        )
        clock = clock_mod.SystemClock(trust)
    else:
        clock = clock_mod.SystemClock()
    kiosk = build_running_kiosk(config, args.data_dir, clock=clock, audio_output="dummy")
    control = kiosk.parts.control
    journal = kiosk.parts.journal
    if args.retry_s is not None:
        journal.retry_s = args.retry_s
        kiosk.parts.rollups.retry_s = args.retry_s
    messages: set[str] = set()
    tick = threading.Event()

    def acknowledged() -> int:
        return int(getattr(journal, "acknowledged_seq", journal._seq or 0))

    acked = 0

    def pump(seconds: float) -> None:
        nonlocal acked
        end = clock.monotonic() + seconds
        while clock.monotonic() < end:
            control.pump()
            messages.add(control.view().message)
            written = acknowledged()
            if args.loop is not None and written > acked:
                acked = written
                print(f"ACK {acked}", flush=True)
            tick.wait(0.02)

    def ids() -> dict[str, str]:
        return {r.staff_id: r.resident_id for r in kiosk.residents.all()}

    try:
        resumed = control.view().status in (Status.PLAYING, Status.PAUSED)
        if args.hold_after_start:  # the window: session_start journaled, no resume point saved yet
            kiosk.staff.choose([ids()[args.resident]], None)
            print("STARTED", flush=True)
            threading.Event().wait()  # the parent kills us here
        if args.loop is None:
            if not resumed:
                kiosk.staff.choose([ids()[args.resident]], None)
            pump(args.play_s)
            kiosk.staff.stop_session()
            pump(0.5)
        else:
            rng = random.Random(args.loop)
            print("READY", flush=True)
            stop_at = None if args.duration_s is None else clock.monotonic() + args.duration_s
            while stop_at is None or clock.monotonic() < stop_at:
                if control.view().status not in (Status.PLAYING, Status.PAUSED):
                    people = sorted(ids().values())
                    kiosk.staff.choose(rng.sample(people, k=rng.choice([1, 1, 2])), None)
                pump(rng.uniform(0.05, 0.6))
                roll = rng.random()
                if roll < 0.25:
                    control.post(Intent.NEXT, Source.TOUCH)
                elif roll < 0.35:
                    control.post(Intent.LIKE, Source.BUTTON)
                elif roll < 0.45:
                    control.post(Intent.PLAY_PAUSE, Source.TOUCH)
                elif roll < 0.52:
                    kiosk.staff.stop_session()
            kiosk.staff.stop_session()
            pump(0.5)
        out = {
            "basis": (
                str(clock.basis())
                if hasattr(clock, "basis")
                else ("synchronised" if clock.trusted() else "untrusted")
            ),
            "now": clock.now().isoformat(),
            "seq": acknowledged(),
            "resumed": resumed,
            "journal_problem": journal.problem,
            "messages": sorted(messages),
            "final_message": control.view().message,
            "rollups_held": kiosk.parts.rollups.held() if hasattr(kiosk.parts.rollups, "held") else 0,
        }
    finally:
        kiosk.close()
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
