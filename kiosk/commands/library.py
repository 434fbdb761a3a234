"""`kiosk library list [--json] [--decade 1950s] [--theme war]`: every song with its era, why, its mode tags
and its themes."""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.docstore import DataFolder
from kiosk.domain.era import year_from_name
from kiosk.domain.models import Song
from kiosk.domain.themes import THEME_NAMES, theme_named, unknown_theme_message
from kiosk.errors import UserError

FIELDS = (
    "song_id",
    "path",
    "title",
    "artist",
    "album",
    "genre",
    "year",
    "decade",
    "era_source",
    "mood",
    "has_lyrics",
    "language",
    "bpm",
    "lyrics_path",
    "duration_s",
    "themes",
)


def register(sub: Any) -> None:
    p = sub.add_parser("library", help="look at the scanned music library")
    lsub = p.add_subparsers(dest="library_command", metavar="ACTION")
    lp = lsub.add_parser("list", help="every song: path, title, artist, year, decade, era source, mode tags")
    lp.add_argument("--json", action="store_true", help="JSON (one list of objects) instead of a table")
    lp.add_argument("--decade", metavar="DECADE", help='only this decade, e.g. 1950s ("unknown": no era)')
    lp.add_argument(
        "--theme", metavar="THEME", help=f"only songs with this theme ({', '.join(THEME_NAMES)}; or 'none')"
    )
    lp.set_defaults(func=run_list)
    p.set_defaults(func=lambda args, ctx: (p.print_help(), 2)[1])


def parse_decade(text: str) -> str:
    """``"1950s"``, ``"1950"``, ``"50s"``, ``"fifties"`` -> ``"1950s"``; ``"unknown"`` stays."""
    t = text.strip().lower()
    if t in ("unknown", "none", "?"):
        return "unknown"
    year = year_from_name(t if re.search(r"s$|[a-z]", t) else t + "s")
    if year is None:
        raise UserError(f"--decade {text!r}: not a decade; write it like 1950s (or 'unknown')")
    return f"{year // 10 * 10}s"


def parse_theme(text: str) -> str:
    """A theme name or word (``"hymns"`` -> ``"religion"``); ``"none"``: songs without a theme."""
    if text.strip().casefold() == "none":
        return "none"
    name = theme_named(text)
    if name is None:
        raise UserError(f"--theme {unknown_theme_message(text)}")
    return name


def _row(song: Song) -> dict[str, Any]:
    doc = {k: getattr(song, k) for k in FIELDS}
    doc["themes"] = list(song.themes)
    doc["era_note"] = song.era_note
    doc["suspect"] = song.suspect
    return doc


def run_list(args: argparse.Namespace, ctx: Any) -> int:
    decade = parse_decade(args.decade) if args.decade else None
    theme = parse_theme(args.theme) if args.theme else None
    catalogue = TinyCatalogue(DataFolder(ctx.data_dir))
    songs = sorted(
        catalogue.songs(), key=lambda s: (s.year is None, s.year or 0, s.artist.lower(), s.title.lower())
    )
    if decade == "unknown":
        songs = [s for s in songs if s.year is None]
    elif decade:
        songs = [s for s in songs if s.decade == decade]
    if theme == "none":
        songs = [s for s in songs if not s.themes]
    elif theme:
        songs = [s for s in songs if theme in s.themes]
    if args.json:
        print(json.dumps([_row(s) for s in songs], ensure_ascii=False, indent=1))
        return 0
    if not songs:
        if theme and theme != "none":
            print(f"No songs with the theme {theme!r}. Themes come from era.toml, genres and folder names.")
        else:
            print("No songs." + ("" if decade or theme else " Run `kiosk scan` first."))
        return 0
    for s in songs:
        tags = ", ".join(t for t in (s.mood or "", "lyrics" if s.has_lyrics else "", s.language) if t)
        minutes, seconds = divmod(int(round(s.duration_s)), 60)
        print(
            f"{s.year or '----'}  {s.decade or 'unknown':<7}  {s.title} — {s.artist or 'unknown artist'}  "
            f"[{s.era_source}]  ({tags or 'no mode tags'})  {minutes}:{seconds:02d}"
        )
        themes = f"  themes: {', '.join(s.themes)}" if s.themes else ""
        print(f"      {s.path}" + themes + (f"  SUSPECT: {s.suspect}" if s.suspect else ""))
    print(f"{len(songs)} songs")
    return 0
