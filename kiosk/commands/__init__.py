"""One module per `kiosk` subcommand.

Each module defines ``register(subparsers)``, which adds its parser and sets ``func=run``, where
``run(args, ctx) -> int``. :mod:`kiosk.cli` finds the modules here, so adding a command touches no shared file.
Modules import heavy things (Kivy, libvlc, matplotlib) inside ``run``, so ``kiosk --help`` stays fast.
"""
