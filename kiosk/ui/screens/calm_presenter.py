"""The calm screen, after staff or a resident stopped a song as upsetting: plain, neutral words, no praise
("That was lovely" would be wrong here), no buttons; the session engine moves on to idle after a few seconds."""

from __future__ import annotations

from kiosk.ui.i18n import _


class CalmPresenter:
    def heading(self) -> str:
        return _("The music has stopped.")

    def line(self) -> str:
        return _("Let us rest for a moment.")
