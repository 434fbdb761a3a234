"""Real implementations of the ports in :mod:`kiosk.ports` (libvlc, gpiozero, TinyDB, mutagen, files)."""
