"""Errors a person can act on.

A :class:`UserError` carries one message per problem (``FILE:LINE: field: message`` where there is a file).
The CLI prints each on stderr and exits 1; nothing else turns bad input into a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable


class UserError(Exception):
    """Bad input or a failed check: one clear message per problem, exit code 1."""

    def __init__(self, problems: str | Iterable[str]):
        if isinstance(problems, str):
            problems = [problems]
        self.problems: list[str] = list(problems) or ["unknown problem"]
        super().__init__("\n".join(self.problems))
