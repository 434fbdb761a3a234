"""Library scan: peak memory of a scan grows with the catalogue, never with the size of the audio files.

Target (issue 3): a scan of 20 tiny files vs 20 files of 512 MB each (sparse, so no disk is used) peaks at about
the same memory (no whole-file reads, cover art never decoded). The scan's speed (first scan against a bare
``mutagen.File`` loop, rescan, catalogue load) is measured at 20,000 songs by bench/library.py, which builds its
libraries with :func:`make_library` here: files copied from a few tagged templates (title, artist, dates varied
by patching fixed-width fields), each with a unique last audio byte so every file is a distinct song.
Run: ``.venv/bin/python bench/scan.py``.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mutagen  # noqa: E402
from mutagen import id3  # noqa: E402

from bench._single_core import TASKSET  # noqa: E402
from kiosk.adapters.docstore import DataFolder  # noqa: E402
from kiosk.adapters.library_scan import scan_library  # noqa: E402

PER_FOLDER = 100


DECADES = ["1930s", "1940s", "1950s", "1960s", "1970s", "Various", "Mum's CDs", "Compilations"]


def _template(folder: Path, k: int) -> bytes:
    """A tiny tagged MP3 whose title/date fields are fixed-width placeholders."""
    path = folder / f"template-{k}.mp3"
    subprocess.run(
        [
            "sox",
            "-q",
            "-R",
            "-n",
            "-r",
            "22050",
            "-c",
            "1",
            str(path),
            "synth",
            "0.3",
            "sine",
            str(300 + 40 * k),
        ],
        check=True,
    )
    tags = id3.ID3()
    tags.add(id3.TIT2(encoding=3, text="Song #######"))
    tags.add(id3.TPE1(encoding=3, text="Artist ####"))  # one artist per album folder (patched)
    tags.add(id3.TALB(encoding=3, text=f"Album {k}"))
    tags.add(id3.TCON(encoding=3, text=["Swing", "Ballad", "Rock", "Easy Listening"][k % 4]))
    tags.add(id3.TDRC(encoding=3, text="19##"))
    if k % 2:
        tags.add(id3.TDOR(encoding=3, text="19##"))
    tags.add(id3.TBPM(encoding=3, text=str(70 + 15 * k)))
    tags.save(str(path))
    return path.read_bytes()


def make_library(music: Path, n: int) -> list[Path]:
    work = music.parent / "templates"
    work.mkdir(parents=True)
    templates = [_template(work, k) for k in range(4)]
    paths = []
    for i in range(n):
        raw = bytearray(templates[i % len(templates)])
        raw = raw.replace(b"Song #######", f"Song {i:07d}".encode())
        raw = raw.replace(b"19##", f"19{30 + i % 60:02d}".encode(), 1)
        raw = raw.replace(b"Artist ####", f"Artist {i // PER_FOLDER % 900:04d}".encode())
        raw[-3:] = i.to_bytes(3, "big")  # a unique audio tail: every file is a different song
        folder = music / DECADES[(i // PER_FOLDER) % len(DECADES)] / f"Album {i // PER_FOLDER:03d}"
        if i % PER_FOLDER == 0:
            folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{i % PER_FOLDER:02d} - Song {i}.mp3"
        path.write_bytes(raw)
        paths.append(path)
    return paths


def bare_mutagen_loop(music: Path) -> tuple[float, int]:
    """The baseline: find the files and let mutagen read each (tags and length), nothing else."""
    start = time.perf_counter()
    count = 0
    for folder, _dirs, files in os.walk(music):
        for name in files:
            if name.endswith(".mp3"):
                audio = mutagen.File(os.path.join(folder, name))
                if audio is not None and audio.info.length > 0 and audio.tags is not None:
                    count += 1
    return time.perf_counter() - start, count


def _memory_child(music: str, data: str) -> None:
    """Run one scan and print its peak memory (tracemalloc peak, and ru_maxrss)."""
    tracemalloc.start()
    report = scan_library(DataFolder(Path(data)), Path(music))
    peak = tracemalloc.get_traced_memory()[1]
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # fallback; Linux keeps it across exec
    with open("/proc/self/status", encoding="ascii") as fh:  # VmHWM: this process's own peak RSS
        rss_kb = next((int(line.split()[1]) for line in fh if line.startswith("VmHWM:")), rss_kb)
    print(
        json.dumps({"songs": report.songs, "peak_bytes": peak, "maxrss_kb": rss_kb, "bad": report.unreadable})
    )


def _sparse_copies(src: bytes, folder: Path, count: int, size: int) -> None:
    """Files that start with real audio and continue to ``size`` bytes (a sparse hole: no disk used)."""
    folder.mkdir(parents=True)
    for i in range(count):
        path = folder / f"big-{i:02d}.mp3"
        with open(path, "wb") as fh:
            fh.write(src[:-3] + i.to_bytes(3, "big"))
            fh.truncate(size)


def memory_check(tmp: Path, sample: bytes) -> dict[str, dict[str, int]]:
    small, big = tmp / "mem-small", tmp / "mem-big"
    _sparse_copies(sample, small, 20, len(sample))
    _sparse_copies(sample, big, 20, 512 * 1024 * 1024)
    out = {}
    for label, folder in (("20 tiny files", small), ("20 files of 512 MB", big)):
        res = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(folder), str(tmp / f"data-{folder.name}")],
            capture_output=True,
            text=True,
            check=True,
        )
        out[label] = json.loads(res.stdout)
    return out


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--memory-child":
        _memory_child(sys.argv[2], sys.argv[3])
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="encore-bench-scan-"))
    try:
        paths = make_library(tmp / "music", 1)
        mem = memory_check(tmp, paths[0].read_bytes())
        print(f"{'peak memory of one scan':<44}{'tracemalloc':>12}{'max RSS':>12}")
        for label, m in mem.items():
            print(f"{label:<44}{m['peak_bytes'] / 1e6:>10.2f}MB{m['maxrss_kb'] / 1e3:>10.1f}MB")
            assert m["songs"] == 20, m
        small, big = mem.values()
        grew = big["peak_bytes"] / max(1, small["peak_bytes"])
        verdict = "OK" if grew <= 1.2 else "MISSED"
        print(
            f"{'512 MB files vs tiny files (same count)':<44}{grew:>11.2f}x  target: about 1x (<= 1.2x) {verdict}"
        )
        if TASKSET and "--pinned" not in sys.argv:
            one = subprocess.run(
                [*TASKSET, sys.executable, __file__, "--memory-child", str(tmp / "mem-big"), str(tmp / "data-one")],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            m = json.loads(one.stdout)
            print(f"single core (taskset -c 0), 20 files of 512 MB: {m['peak_bytes'] / 1e6:.2f} MB tracemalloc, "
                  f"{m['maxrss_kb'] / 1e3:.1f} MB max RSS (memory does not depend on the core)")  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
