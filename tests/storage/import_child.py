"""Run by test_import_photos.py: a residents import that is SIGKILLed at one chosen step (the first photo
moved into place after the profiles were committed), so the test can see what the next start or import does.

Usage: python -m tests.storage.import_child DATA_DIR RESIDENTS_FILE
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path


def main() -> None:
    data_dir, path = Path(sys.argv[1]), Path(sys.argv[2])
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(src).endswith(".jpg.new") and str(dst).endswith(".jpg"):
            os.kill(os.getpid(), signal.SIGKILL)  # the profiles are committed; the photo is not in place
        return real_replace(src, dst, *args, **kwargs)

    os.replace = replace  # type: ignore[assignment]
    from kiosk.adapters.docstore import DataFolder
    from kiosk.adapters.resident_records import ResidentRecords
    from kiosk.app.residents_import import import_file

    import_file(path, ResidentRecords(DataFolder(data_dir)))
    print("finished without being killed", flush=True)


if __name__ == "__main__":
    main()
