"""The `kiosk` command line: global options, subcommand discovery, exit codes.

Exit 0 ok, 1 bad input or a failed check (a clear message per problem on stderr, never a traceback), 2 usage.
Set ``KIOSK_DEBUG=1`` to see the traceback of an unexpected error.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk import commands, paths
from kiosk.build_info import VersionAction
from kiosk.errors import UserError

log = logging.getLogger("kiosk")


@dataclass
class Context:
    """What every command gets: the resolved folders, and the config loaded on first use."""

    data_dir: Path
    config_path: Path
    _config: Any = field(default=None, repr=False)

    def config(self, *, strict: bool = True) -> Any:
        """The kiosk config; with ``strict`` a bad config raises :class:`UserError` (exit 1)."""
        if self._config is None:
            from kiosk.config import load_config

            self._config = load_config(self.config_path, strict=strict)
        return self._config


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Encore: a reminiscence music kiosk for care homes.",
    )
    parser.add_argument("--version", action=VersionAction, help="show the version and commit, then exit")
    parser.add_argument(
        "--data-dir", metavar="DIR", help="data folder (default: KIOSK_DATA_DIR, /var/lib/kiosk, XDG)"
    )
    parser.add_argument(
        "--config", metavar="FILE", help="kiosk.toml (default: KIOSK_CONFIG, /etc/kiosk, XDG)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="more log output")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx = Context(data_dir=paths.data_dir(args.data_dir), config_path=paths.config_file(args.config))
    try:
        return int(args.func(args, ctx) or 0)
    except UserError as exc:
        for problem in exc.problems:
            print(f"kiosk: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kiosk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `kiosk library list | head`: the reader stopped; not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # an unexpected bug: short message, traceback only on request
        if os.environ.get("KIOSK_DEBUG"):
            raise
        print(
            f"kiosk: internal error: {type(exc).__name__}: {exc} (KIOSK_DEBUG=1 shows details)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
