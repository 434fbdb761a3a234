"""Report files written only where asked: never through a link, never over something that is not a file.

``kiosk report --csv/--pdf/--png`` may be run by root (``sudo kiosk report``) with a target path in a folder
someone else can write. A link planted at that path would make the report overwrite whatever it points to,
so an existing target that is a symlink or not a regular file is refused with a clear message; the file is
written to a temp file beside it (``O_EXCL | O_NOFOLLOW``, 0600), flushed, and renamed over the target (a
rename replaces a link itself, never what it points to).
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from kiosk.errors import UserError


class OutputRefused(UserError):
    """The target path of an output file is a link or not a regular file."""


def check_target(path: Path) -> None:
    """OutputRefused when ``path`` exists and is a symlink or not a regular file."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        raise OutputRefused(
            f"{path}: is a link; refusing to write through it (remove it or choose another name)"
        )
    if not stat.S_ISREG(st.st_mode):
        raise OutputRefused(f"{path}: not a regular file; refusing to write there (choose another name)")


@contextmanager
def output_file(path: Path, mode: int = 0o600) -> Iterator[IO[bytes]]:
    """A binary file object whose content replaces ``path`` when the block ends without an exception."""
    path = Path(path)
    check_target(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        check_target(path)  # planted while we wrote
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
