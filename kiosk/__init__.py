"""Encore: a reminiscence music kiosk for care homes."""

__version__ = "0.1.0"
