"""One screen per module: ``<name>.kv`` (layout), ``<name>.py`` (Kivy Screen), ``<name>_presenter.py`` (logic)."""
