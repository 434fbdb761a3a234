"""Real implementations of the ports in :mod:`kiosk.domain.ports` (libvlc, gpiozero, TinyDB, mutagen, files)."""
