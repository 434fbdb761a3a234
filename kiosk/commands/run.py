"""`kiosk run`: the kiosk itself (Kivy touch UI over the real session engine and player).

A bad kiosk.toml never stops the kiosk (that would leave a black screen and a restart loop): the good settings
are kept, defaults stand in for the bad ones, and staff see what was wrong under "Needs attention".
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger("kiosk.run")

DEMO_PIN = "1234"


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="run the kiosk (touch UI)")
    p.add_argument(
        "--demo",
        action="store_true",
        help="make (once) and use the demo library and fictional residents in the data folder; "
        f"staff PIN {DEMO_PIN} when none is set",
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument("--windowed", action="store_true", help="run in a window (desktop trial)")
    group.add_argument("--fullscreen", action="store_true", help="run fullscreen (the installed kiosk)")
    p.set_defaults(func=run)


def demo_config(config: Any, data_dir: Path) -> tuple[Any, str]:
    """Prepare the demo content in ``data_dir`` and point the config at it; returns (config, PIN hint)."""
    from kiosk.pin import hash_pin
    from kiosk.wiring import prepare_demo

    music = prepare_demo(data_dir)
    config = dataclasses.replace(config, library=dataclasses.replace(config.library, music_dir=music))
    if config.kiosk.staff_pin_hash:
        return config, ""
    kiosk_cfg = dataclasses.replace(config.kiosk, staff_pin_hash=hash_pin(DEMO_PIN))
    return dataclasses.replace(config, kiosk=kiosk_cfg), f"demo PIN {DEMO_PIN}"


def run(args: argparse.Namespace, ctx: Any) -> int:
    config = ctx.config(strict=False)
    for problem in config.problems:
        log.warning("config: %s", problem)
    hint = ""
    if args.demo:
        config, hint = demo_config(config, ctx.data_dir)
        print(f"Encore demo: data in {ctx.data_dir}, music in {config.library.music_dir}")
        if hint:
            print(f"Staff screen: hold the top-left corner for 3 seconds, then enter {DEMO_PIN}.")
    windowed = bool(args.windowed or (not args.fullscreen and not config.display.fullscreen))
    from kiosk.ui.kivy_setup import configure_kivy

    configure_kivy(config.display, windowed=windowed)
    from kivy.clock import Clock
    from kivy.core.window import Window

    from kiosk.adapters.audio_capture import MixerCapture, capture_from_env
    from kiosk.adapters.clock import ClockTrust, SystemClock
    from kiosk.ui.app import build_app
    from kiosk.wiring import build_running_kiosk

    clock = SystemClock(ClockTrust(ctx.data_dir))
    capture = (
        capture_from_env()
    )  # tests only: KIOSK_TEST_AUDIO_CAPTURE=FILE (observation, changes nothing else)
    mixer_capture = MixerCapture(capture) if capture is not None else None  # Play along's percussion
    kiosk = build_running_kiosk(
        config, ctx.data_dir, clock=clock, capture=capture, percussion_capture=mixer_capture
    )
    try:
        app = build_app(
            config,
            kiosk.control,
            kiosk.residents,
            kiosk.staff,
            data_dir=ctx.data_dir,
            clock=clock,
            windowed=windowed,
            demo_pin_hint=hint,
            covers=kiosk.covers.cover_file,
            play_along_songs=kiosk.play_along_songs,
            pin_lockout=kiosk.pin_lockout,
            last_listened=kiosk.last_listened,
            on_shown=lambda app: kiosk.attach_ui(app, Window, Clock.schedule_once, Clock.schedule_interval),
        )
        print("Encore kiosk running" + (" in a window" if windowed else " fullscreen") + ".", flush=True)
        app.run()
    finally:
        kiosk.close()
        if capture is not None:
            capture.close()
        if mixer_capture is not None:
            mixer_capture.close()
    return 0
