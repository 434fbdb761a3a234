"""The now playing screen's mode panels: one .kv file per mode, named by its ModeSpec, loaded on first use.

A panel file defines ``<NamePanel@ModePanel>`` for its mode (``play_along`` -> ``PlayAlongPanel``): the top of
the now playing screen in that mode, playing and paused (the controls below are the screen's). Its rule reads
the screen as ``root.screen`` (``root.screen.title``, ``root.screen.paused``...) and may use the screen's parts
from now_playing.kv: ``SideSlot``, ``PausedSign``, ``SongColumn``, ``FeedbackRow``, ``EraPicture``. ``feeds``
names what the screen keeps computing for it, and only for it: "breath" (``breath``, ``breath_text``),
"movement" (``move_text``, ``move_picture``), "lyrics" (``lyric_now``, ``lyric_next``, ``lyrics_synced``),
"pulse" (``pulse``, on the song's beats).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.factory import Factory, FactoryException
from kivy.lang import Builder
from kivy.properties import ListProperty, ObjectProperty
from kivy.uix.relativelayout import RelativeLayout

from kiosk.domain.modes import ModeSpec

HERE = Path(__file__).resolve().parent
_loaded: set[Path] = set()


class ModePanel(RelativeLayout):
    """A mode's panel: layers over the top of the now playing screen (the file's rule decides which shows)."""

    screen = ObjectProperty(None)
    feeds = ListProperty([])


def panel_path(spec: ModeSpec) -> Path:
    """The panel file: ``spec.panel`` (a name in this folder, or an absolute path), else ``<name>.kv`` here."""
    return HERE / (spec.panel or f"{spec.name}.kv")


def panel_class(spec: ModeSpec) -> str:
    """The rule a mode's panel file defines: ``play_along`` -> ``PlayAlongPanel``."""
    return "".join(part.capitalize() for part in spec.name.split("_")) + "Panel"


def make_panel(spec: ModeSpec, screen: Any) -> ModePanel:
    """A new panel of ``spec``'s mode showing ``screen`` (its file loaded once per process)."""
    path = panel_path(spec)
    if path not in _loaded:
        if not path.is_file():
            raise FileNotFoundError(f"the {spec.name!r} mode has no panel file: {path}")
        Builder.load_file(str(path))
        _loaded.add(path)
    name = panel_class(spec)
    try:
        cls = Factory.get(name)
    except FactoryException:
        raise ValueError(f"{path} defines no <{name}@ModePanel> for the {spec.name!r} mode") from None
    panel = cls(screen=screen)
    if not isinstance(panel, ModePanel):
        raise ValueError(f"{path}: <{name}> must be a ModePanel (<{name}@ModePanel>)")
    return panel


def panel_ids(panel: ModePanel) -> dict[str, Any]:
    """Every id inside ``panel``, its parts' ids too (a SongColumn's ``title``), so the screen can list them."""
    found: dict[str, Any] = {}
    for widget in panel.walk(restrict=True):
        found.update(widget.ids)
    return found
