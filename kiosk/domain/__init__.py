"""Pure domain: models, era rules, selection, the session state machine, engagement figures.

Standard library only: never imports kivy, vlc, gpiozero, tinydb, mutagen or matplotlib (a pre-stop hook and
mypy --strict watch this).
"""
