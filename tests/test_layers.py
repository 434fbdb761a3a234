"""The import layers of issue 12 (docs/architecture.md), checked on the source: no import runs up the layers.

| layer                                     | may import from kiosk                        |
|-------------------------------------------|----------------------------------------------|
| kiosk/domain                              | domain                                       |
| kiosk/app                                 | domain, app, plain                           |
| kiosk/adapters                            | domain, plain, adapters                      |
| kiosk/ui                                  | domain, app, ui, plain                       |
| kiosk/wiring.py, commands, devtools       | anything below them; each other only through |
|                                           | wiring (commands and devtools may import it) |

"plain" modules are the settings and small helpers with no framework (kiosk.config*, kiosk.errors, kiosk.paths,
kiosk.pin, the residents-file parser kiosk.residents_files, and the package's own ``__version__`` with
kiosk.build_info, which adds the commit); they may import the domain and each other. Two folders the table does not name are placed by what they are:
kiosk/doctor (checks of the machine through its frameworks) and kiosk/demo (the demo music generator: numpy,
sox, mutagen) sit with the adapters. kiosk/cli.py and kiosk/__main__.py find the commands and sit on top.
Every import counts, including the ones inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KIOSK = Path(__file__).resolve().parents[1] / "kiosk"

PLAIN = {
    "kiosk",
    "kiosk.build_info",
    "kiosk.config",
    "kiosk.config_check",
    "kiosk.config_gpio",
    "kiosk.errors",
    "kiosk.paths",
    "kiosk.pin",
    "kiosk.residents_files",
}
FOLDERS = {
    "domain": "domain",
    "app": "app",
    "adapters": "adapters",
    "doctor": "adapters",
    "demo": "adapters",
    "ui": "ui",
    "wiring": "wiring",
    "commands": "commands",
    "devtools": "devtools",
    "cli": "cli",
    "__main__": "cli",
}
BELOW_TOP = {"domain", "app", "adapters", "ui", "plain"}
ALLOWED = {
    "domain": {"domain"},
    "plain": {"domain", "plain"},
    "app": {"domain", "app", "plain"},
    "adapters": {"domain", "plain", "adapters"},
    "ui": {"domain", "app", "ui", "plain"},
    "wiring": BELOW_TOP | {"wiring"},
    "commands": BELOW_TOP | {"wiring", "commands"},
    "devtools": BELOW_TOP | {"wiring", "devtools"},
    "cli": BELOW_TOP | {"wiring", "commands", "devtools", "cli"},
}


def layer_of(module: str) -> str | None:
    """The layer of a kiosk module name (None: a module the table does not place)."""
    if module in PLAIN:
        return "plain"
    parts = module.split(".")
    if parts[0] != "kiosk" or len(parts) < 2:
        return None
    return FOLDERS.get(parts[1])


def module_name(path: Path) -> str:
    rel = path.relative_to(KIOSK.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _is_module(name: str) -> bool:
    """Whether ``kiosk.<name>`` is a module or package (else ``from kiosk import name`` imports a name)."""
    return (KIOSK / name).is_dir() or (KIOSK / f"{name}.py").is_file()


def imported(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, module) of every kiosk import in ``tree``; relative imports are resolved against ``module``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "kiosk"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([base] if base else [])])
            if base.split(".")[0] != "kiosk":
                continue
            targets = {
                f"kiosk.{a.name}" if base == "kiosk" and _is_module(a.name) else base for a in node.names
            }
            found += [(node.lineno, t) for t in sorted(targets)]
    return found


def check(path: Path, module: str, is_package: bool = False) -> list[str]:
    """One "FILE:LINE: layer -> layer (module)" per import of ``path`` (read as ``module``) the table forbids."""
    source = layer_of(module)
    if source is None:
        return [f"{path}: {module} is in no layer (place it in tests/test_layers.py and the table)"]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [
        f"{path}:{line}: {source} -> {layer_of(target)} ({target})"
        for line, target in imported(tree, module, is_package)
        if layer_of(target) not in ALLOWED[source]
    ]


def violations(files: list[Path]) -> list[str]:
    return [v for path in files for v in check(path, module_name(path), path.name == "__init__.py")]


def test_no_import_runs_up_the_layers() -> None:
    files = sorted(KIOSK.rglob("*.py"))
    assert len(files) > 100  # the whole package is read
    assert violations(files) == []


@pytest.mark.parametrize(
    ("module", "code", "wrong"),
    [
        (
            "kiosk/domain/x.py",
            "from kiosk.domain.ports import Clock\nimport kiosk.config\n",
            "domain -> plain",
        ),
        (
            "kiosk/app/x.py",
            "def f():\n    from kiosk.adapters.docstore import DataFolder\n",
            "app -> adapters",
        ),
        ("kiosk/app/x.py", "from kiosk.ui.i18n import _\n", "app -> ui"),
        ("kiosk/adapters/x.py", "from kiosk.app.ports import Reviews\n", "adapters -> app"),
        ("kiosk/ui/x.py", "from kiosk.adapters import attention\n", "ui -> adapters"),
        ("kiosk/ui/x.py", "from kiosk import wiring\n", "ui -> wiring"),
        ("kiosk/wiring.py", "from kiosk.commands import scan\n", "wiring -> commands"),
        ("kiosk/commands/x.py", "from kiosk.devtools import demo\n", "commands -> devtools"),
        ("kiosk/devtools/x.py", "from kiosk.commands.scan import run\n", "devtools -> commands"),
        ("kiosk/adapters/x.py", "from ..app import staff\n", "adapters -> app"),
        ("kiosk/x.py", "import os\n", "in no layer"),
    ],
)
def test_an_upward_import_is_caught(tmp_path: Path, module: str, code: str, wrong: str) -> None:
    """The checker itself: each of these breaks the table, and is reported (a check that never fails is no
    check)."""
    path = tmp_path / "x.py"
    path.write_text(code, encoding="utf-8")
    found = check(path, module_name(KIOSK.parent / module))
    assert len(found) == 1 and wrong in found[0], found


def test_allowed_imports_pass() -> None:
    ok = {
        "kiosk.app.staff": ["kiosk.domain.ports", "kiosk.app.ports", "kiosk.config", "kiosk.errors"],
        "kiosk.adapters.reviews": ["kiosk.adapters.docstore", "kiosk.domain.models", "kiosk.pin"],
        "kiosk.ui.app": ["kiosk.app.staff_api", "kiosk.domain.intents", "kiosk.ui.theme", "kiosk.pin"],
        "kiosk.wiring": ["kiosk.adapters.player", "kiosk.app.staff", "kiosk.ui.keyboard"],
        "kiosk.commands.run": ["kiosk.wiring", "kiosk.ui.app", "kiosk.adapters.clock"],
        "kiosk.devtools.headless": ["kiosk.ui.app", "kiosk.adapters.docstore", "kiosk.devtools.demo"],
    }
    for module, targets in ok.items():
        source = layer_of(module)
        assert source is not None
        assert all(layer_of(t) in ALLOWED[source] for t in targets), module
