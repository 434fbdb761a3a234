"""`kiosk run`: the kiosk itself (Kivy touch UI)."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from typing import Any

log = logging.getLogger("kiosk.run")

DEMO_PIN = "1234"


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="run the kiosk (touch UI)")
    p.add_argument("--demo", action="store_true", help="use the generated demo library and sample residents")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--windowed", action="store_true", help="run in a window (desktop trial)")
    group.add_argument("--fullscreen", action="store_true", help="run fullscreen (the installed kiosk)")
    p.set_defaults(func=run)


def session_parts(args: argparse.Namespace, ctx: Any, config: Any) -> tuple[Any, Any, Any, Any, str]:
    """THE one switch between the real engine and the demo: (control, residents, staff, config, pin_hint).

    The real engine comes from ``kiosk.wiring.kiosk_parts(config, data_dir)`` once kiosk/wiring.py provides
    it (it returns control, residents store and StaffActions). Until then, and always with ``--demo``, the
    in-memory demo control from kiosk/ui/demo.py stands in.
    """
    if not args.demo:
        try:
            from kiosk import wiring  # type: ignore[attr-defined,unused-ignore]
        except ImportError:
            wiring = None
        parts = getattr(wiring, "kiosk_parts", None)
        if parts is not None:
            control, residents, staff = parts(config, ctx.data_dir)
            return control, residents, staff, config, ""
        print("Encore: the session engine is not wired in this build yet; running the demo.", file=sys.stderr)
    from kiosk.ui.demo import make_demo
    from kiosk.ui.pin_check import make_hash

    control, residents, staff = make_demo()
    hint = ""
    if not config.kiosk.staff_pin_hash:
        kiosk_cfg = dataclasses.replace(config.kiosk, staff_pin_hash=make_hash(DEMO_PIN, n=2**12))
        config = dataclasses.replace(config, kiosk=kiosk_cfg)
        hint = f"demo PIN {DEMO_PIN}"
    return control, residents, staff, config, hint


def run(args: argparse.Namespace, ctx: Any) -> int:
    config = ctx.config()
    windowed = bool(args.windowed or (not args.fullscreen and not config.display.fullscreen))
    from kiosk.ui.kivy_setup import configure_kivy

    configure_kivy(config.display, windowed=windowed)
    control, residents, staff, config, hint = session_parts(args, ctx, config)
    from kiosk.adapters.clock import SystemClock
    from kiosk.ui.app import build_app

    app = build_app(
        config, control, residents, staff, data_dir=ctx.data_dir, clock=SystemClock(), windowed=windowed,
        demo_pin_hint=hint,
    )  # fmt: skip
    app.run()
    return 0
