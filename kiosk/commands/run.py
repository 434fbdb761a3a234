"""`kiosk run`: the kiosk itself (Kivy touch UI)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="run the kiosk (touch UI)")
    p.add_argument("--demo", action="store_true", help="use the generated demo library and sample residents")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--windowed", action="store_true", help="run in a window (desktop trial)")
    group.add_argument("--fullscreen", action="store_true", help="run fullscreen (the installed kiosk)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Any) -> int:
    # Placeholder until the touch UI lands: say plainly what this build can do.
    print("Encore kiosk: the touch UI is not built yet in this version.")
    print(f"Data folder: {ctx.data_dir}")
    print(f"Config file: {ctx.config_path}")
    return 0
