"""The rows every doctor check returns, and a helper to silence libasound while probing."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

OK, WARN, FAIL = "OK", "WARN", "FAIL"


class Check(NamedTuple):
    """One row: ``status`` is OK, WARN or FAIL; ``hint`` says what to do (empty when nothing to do)."""

    status: str
    name: str
    detail: str
    hint: str = ""


@contextmanager
def quiet_stderr() -> Iterator[None]:
    """Hide libasound's own error lines (written straight to fd 2) while libvlc probes the outputs."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
