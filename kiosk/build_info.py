"""Which Encore this is: version and commit, for `kiosk --version` (and support calls).

The installer writes the commit into ``kiosk/_commit.txt`` of the copy it builds a release from (the release
folder is named ``<version>-<commit>``); a development checkout asks git instead.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path
from typing import Any

from kiosk import __version__

COMMIT_FILE = Path(__file__).with_name("_commit.txt")


def commit() -> str:
    """The short commit id, or "unknown" (a copy with neither the file nor git)."""
    try:
        text = COMMIT_FILE.read_text(encoding="utf-8").strip()
        if text:
            return text
    except OSError:
        pass
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / ".git").exists():
        try:
            done = subprocess.run(
                ["git", "-C", str(checkout), "rev-parse", "--short=12", "HEAD"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return "unknown"
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    return "unknown"


def version_line() -> str:
    return f"encore-kiosk {__version__} (commit {commit()})"


class VersionAction(argparse.Action):
    """``--version``: print :func:`version_line` and exit (git is asked only when the option is given)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest=dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(version_line())
        parser.exit()
