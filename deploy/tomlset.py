#!/usr/bin/env python3
"""Set (or read) one key in kiosk.toml without disturbing its comments: used by install.sh.

    tomlset.py FILE SECTION KEY JSON_VALUE     set [SECTION] KEY = value (JSON: "text", 96, true)
    tomlset.py --get FILE SECTION KEY          print the value as JSON (nothing, exit 3, when absent)

The edit is textual (a commented example stays readable): an existing ``KEY = ...`` line in the section is
replaced, else the value goes after a commented ``# KEY = ...`` example, else right after the section header;
a missing section is appended. The result must parse as TOML, and is written atomically with the file's mode
and owner kept. Standard library only: it runs before the kiosk's venv exists.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import tomllib
from pathlib import Path


def toml_literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise ValueError(f"unsupported value: {value!r}")


def set_key(text: str, section: str, key: str, value: object) -> str:
    line_new = f"{key} = {toml_literal(value)}"
    lines = text.splitlines()
    header = re.compile(r"^\s*\[\s*" + re.escape(section) + r"\s*\]\s*(#.*)?$")
    any_header = re.compile(r"^\s*\[")
    active = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
    commented = re.compile(r"^\s*#\s*" + re.escape(key) + r"\s*=")
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        if lines and lines[-1].strip():
            lines.append("")
        lines += [f"[{section}]", line_new]
        return "\n".join(lines) + "\n"
    end = next((i for i in range(start + 1, len(lines)) if any_header.match(lines[i])), len(lines))
    for i in range(start + 1, end):
        if active.match(lines[i]):
            lines[i] = line_new
            return "\n".join(lines) + "\n"
    for i in range(start + 1, end):
        if commented.match(lines[i]):
            lines.insert(i + 1, line_new)
            return "\n".join(lines) + "\n"
    last = start  # after the section's last non-blank line, so keys keep the order they were set in
    for i in range(start + 1, end):
        if lines[i].strip():
            last = i
    lines.insert(last + 1, line_new)
    return "\n".join(lines) + "\n"


def write_atomic(path: Path, text: str) -> None:
    st = path.stat() if path.exists() else None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if st is not None:
            os.chmod(tmp, st.st_mode & 0o7777)
            if os.geteuid() == 0:
                os.chown(tmp, st.st_uid, st.st_gid)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str]) -> int:
    get = bool(argv) and argv[0] == "--get"
    args = argv[1:] if get else argv
    if len(args) != (3 if get else 4):
        print(__doc__.strip().splitlines()[2 if get else 1].strip(), file=sys.stderr)
        return 2
    path = Path(args[0])
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 1
    section, key = args[1], args[2]
    if get:
        table = data.get(section)
        if not isinstance(table, dict) or key not in table:
            return 3
        print(json.dumps(table[key]))
        return 0
    try:
        value = json.loads(args[3])
        new = set_key(text, section, key, value)
        tomllib.loads(new)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        print(f"{path}: cannot set [{section}] {key}: {exc}", file=sys.stderr)
        return 1
    if new != text:
        write_atomic(path, new)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
