"""A short seeded crash loop (the long one, >= 200 kills, is bench/crashloop.py): SIGKILLs over the composed
kiosk in a real data folder with concurrent imports and backups lose nothing (see crash_loop.py)."""

from __future__ import annotations

from pathlib import Path

from tests.storage.crash_loop import run_crash_loop


def test_kills_at_random_moments_lose_nothing(tmp_path: Path) -> None:
    figures = run_crash_loop(tmp_path, kills=8, seed=14)
    assert figures.kills == 8 and figures.acknowledged > 0
    assert figures.imports and figures.backups  # the concurrent commands really ran
    assert figures.corrupt == 0, figures.problems
    assert figures.lost == 0 and figures.duplicates == 0, figures.problems
    assert figures.unclosed == 0, figures.line()
    assert figures.failed_backups == 0 and figures.failed_imports == 0, figures.problems
    assert not figures.problems, figures.problems
