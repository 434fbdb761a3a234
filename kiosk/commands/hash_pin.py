"""`kiosk hash-pin`: read a staff PIN on stdin, print the line for kiosk.toml's ``staff_pin_hash``.

At a terminal it asks twice without echo; from a pipe (``install.sh``) it reads one line.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from kiosk.errors import UserError
from kiosk.pin import check_pin_format, hash_pin, verify_pin


def register(sub: Any) -> None:
    p = sub.add_parser(
        "hash-pin",
        help="turn a staff PIN (4-8 digits, read from stdin) into the hash for kiosk.toml",
        description="Reads the PIN from stdin (hidden at a terminal) and prints its hash (scrypt$...). "
        'Put it under [kiosk] in kiosk.toml as: staff_pin_hash = "scrypt$..."',
    )
    p.add_argument("--toml", action="store_true", help='print the whole line: staff_pin_hash = "..."')
    p.add_argument(
        "--check",
        metavar="HASH",
        help="do not hash: exit 0 when the PIN matches HASH, 3 when not (the installer's 'no change' test)",
    )
    p.set_defaults(func=run)


def _read_pin() -> str:
    if sys.stdin.isatty():
        try:
            first = getpass.getpass("Staff PIN (4-8 digits): ")
            check_pin_format(first.strip())
            again = getpass.getpass("Same PIN again: ")
        except EOFError:
            raise UserError("no PIN given") from None
        if first.strip() != again.strip():
            raise UserError("the two PINs differ; nothing changed")
        return first.strip()
    line = sys.stdin.readline()
    if not line:
        raise UserError("no PIN on stdin (try: echo 1234 | kiosk hash-pin)")
    return line.strip()


def run(args: argparse.Namespace, ctx: Any) -> int:
    if args.check is not None:
        return 0 if verify_pin(_read_pin(), args.check) else 3
    try:
        pin = _read_pin()
        line = hash_pin(pin)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    print(f'staff_pin_hash = "{line}"' if args.toml else line)
    if sys.stdin.isatty():
        print('Put it under [kiosk] in kiosk.toml as: staff_pin_hash = "<the line above>"', file=sys.stderr)
    return 0
