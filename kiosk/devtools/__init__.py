"""Development helpers, never used by the running kiosk: an in-memory demo session for UI tests and
screenshots (:mod:`.demo`), a headless Kivy harness (:mod:`.headless`) and `make screenshots`
(:mod:`.screenshots`)."""
