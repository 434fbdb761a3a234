"""gettext for every resident and staff string, so a home can translate the kiosk.

English is the source language (no catalogue needed). A translation lives in
``kiosk/ui/locale/<lang>/LC_MESSAGES/encore.mo`` (``make i18n-extract`` / ``make i18n-compile``).
Call :func:`set_language` before the screens are built; ``_`` always looks up the current catalogue.
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "encore"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_translation: gettext.NullTranslations = gettext.NullTranslations()


def set_language(lang: str | None, localedir: Path | None = None) -> None:
    """Use ``lang`` (e.g. ``"de"``); an unknown or empty language falls back to English."""
    global _translation
    languages = [lang] if lang else ["en"]
    _translation = gettext.translation(DOMAIN, localedir or LOCALE_DIR, languages=languages, fallback=True)


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; translate it with ``_`` where it is shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)
