"""`kiosk playlist ID [ID...] [--mode M] [--count N] [--seed S] [--json] [--explain [--debug]]`: what would
play, and why in plain sentences with each resident's preferred name."""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime
from typing import Any

from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.history import load_history
from kiosk.adapters.residents import ResidentsStore
from kiosk.domain.models import Mode, Resident, ScheduleSlot, Song
from kiosk.domain.preview import youth_coverage
from kiosk.domain.schedule import parse_time
from kiosk.domain.scoring import Columns
from kiosk.domain.selection import select_playlist
from kiosk.domain.songfit import AvoidRules, local_minute
from kiosk.errors import UserError


def register(sub: Any) -> None:
    p = sub.add_parser("playlist", help="show the songs the kiosk would choose for one or more residents")
    p.add_argument("ids", nargs="+", metavar="ID", help="resident id(s); several = a lounge group")
    p.add_argument("--mode", choices=[m.value for m in Mode], help="default: from the schedules")
    p.add_argument("--count", type=int, default=20, help="how many songs (default 20)")
    p.add_argument("--seed", type=int, help="same seed, same playlist")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--explain", action="store_true", help="why each song was chosen, in plain sentences")
    p.add_argument("--debug", action="store_true", help="with --explain: each song's weight too")
    p.set_defaults(func=run)


def load_catalogue(data: DataFolder) -> list[Song]:
    """Every song the library scan stored."""
    return list(TinyCatalogue(data).songs())


def _config_bits(ctx: Any, now: datetime) -> tuple[tuple[ScheduleSlot, ...], bool]:
    """The kiosk's default schedule, and whether it is quiet hours now."""
    try:
        config = ctx.config(strict=False)
    except Exception:  # a broken config must not stop staff previewing a playlist
        return (), False
    schedule = tuple(getattr(config, "schedule", ()) or ())
    quiet = False
    qh = getattr(config, "quiet_hours", None)
    if qh is not None and qh.start and qh.end:
        try:
            start, end, minute = parse_time(qh.start), parse_time(qh.end), local_minute(now)
            quiet = start <= minute < end if start <= end else (minute >= start or minute < end)
        except ValueError:
            quiet = False
    return schedule, quiet


def run(args: argparse.Namespace, ctx: Any) -> int:
    if not 1 <= args.count <= 1000:
        raise UserError(f"--count {args.count}: choose 1 to 1000 songs")
    data = DataFolder(ctx.data_dir)
    store = ResidentsStore(data)
    residents: list[Resident] = []
    problems = []
    for staff_id in args.ids:
        r = store.by_staff_id(staff_id)
        if r is None:
            problems.append(f"no resident with id {staff_id!r} (kiosk residents list shows the ids)")
        elif r not in residents:
            residents.append(r)
    if problems:
        raise UserError(problems)
    songs = load_catalogue(data)
    if not songs:
        raise UserError("the music library is empty: run `kiosk scan` first (or `kiosk demo-content`)")
    now = datetime.now(UTC)
    history = load_history(data, [r.resident_id for r in residents], now)
    schedule, quiet = _config_bits(ctx, now)
    playlist = select_playlist(
        songs,
        residents,
        mode=args.mode,
        count=args.count,
        rng=random.Random(args.seed),
        now=now,
        history=history,
        default_schedule=schedule,
        quiet=quiet,
    )
    if args.json:
        out = {
            "residents": [r.staff_id for r in residents],
            "mode": playlist.mode.value,
            "mode_source": playlist.mode_source,
            "notes": playlist.notes,
            "songs": [c.to_dict() for c in playlist],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    who = ", ".join(r.staff_id for r in residents)
    print(f"Playlist for {who}: {len(playlist)} songs, mode {playlist.mode.value} ({playlist.mode_source})")
    names = {r.resident_id: r.display_name for r in residents}
    for i, choice in enumerate(playlist, 1):
        s = choice.song
        year = s.year if s.year is not None else "year unknown"
        line = f"{i:3d}. {s.title}" + (f" - {s.artist}" if s.artist else "") + f" ({year})"
        print(line)
        if args.explain:
            weight = f"  [weight {choice.score:.3g}]" if args.debug else ""
            print(f"     {choice.explain(names)}{weight}")
    if args.explain:
        for note in playlist.notes[1:]:
            print(f"note: {note}")
        blocked = AvoidRules.of(residents).blocked(Columns(songs))
        for r in residents:
            sentence = youth_coverage(r, songs, blocked).sentence(r.display_name)
            if sentence:
                print(f"note: {sentence}")
    return 0
