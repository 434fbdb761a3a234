"""The fleet playbooks: ansible-playbook --syntax-check, and the report collection run for real on localhost.

ansible-core is not a project dependency (about 70 MB and 30 s to install); these tests run when
`ansible-playbook` is found on PATH, in the venv, or at $ENCORE_ANSIBLE_PLAYBOOK, and are skipped otherwise:
    python3 -m venv /tmp/ansible && /tmp/ansible/bin/pip install ansible-core
    ENCORE_ANSIBLE_PLAYBOOK=/tmp/ansible/bin/ansible-playbook make test
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY, run

ANSIBLE = DEPLOY / "ansible"
PLAYBOOKS = ["site.yml", "collect-reports.yml"]


def _ansible_playbook() -> str:
    for candidate in (
        os.environ.get("ENCORE_ANSIBLE_PLAYBOOK", ""),
        shutil.which("ansible-playbook") or "",
        str(Path(sys.executable).parent / "ansible-playbook"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip("ansible-playbook not found (pip install ansible-core, or set ENCORE_ANSIBLE_PLAYBOOK)")


def test_every_task_is_named_and_uses_full_module_names() -> None:
    """A plain-text check that runs everywhere (no YAML parser needed)."""
    for name in PLAYBOOKS:
        text = (ANSIBLE / name).read_text()
        tasks = re.findall(r"^    - (\w+):", text, flags=re.M)
        assert tasks and set(tasks) == {"name"}, f"{name}: every task starts with '- name:'"
        modules = re.findall(r"^      (ansible\.builtin\.\w+):", text, flags=re.M)
        assert len(modules) == len(tasks), f"{name}: every task uses an ansible.builtin.* module"
        assert "\t" not in text


def test_syntax_check(tmp_path: Path) -> None:
    playbook = _ansible_playbook()
    inventory = tmp_path / "inventory.ini"
    shutil.copy(ANSIBLE / "inventory.example.ini", inventory)
    done = run([playbook, "-i", str(inventory), "--syntax-check", *(str(ANSIBLE / p) for p in PLAYBOOKS)])
    assert done.returncode == 0, done.stdout + done.stderr


def test_collect_reports_gathers_each_kiosks_export(tmp_path: Path) -> None:
    playbook = _ansible_playbook()
    report = tmp_path / "encore-report.csv"
    report.write_text("resident,sessions\npseudonym-1,3\n")
    os.utime(report, (1_780_000_000, 1_780_000_000))  # 2026-05-28
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(
        f"[kiosks]\nlounge ansible_connection=local ansible_python_interpreter={sys.executable} "
        f"encore_report={report}\n"
        f"room12 ansible_connection=local ansible_python_interpreter={sys.executable} "
        f"encore_report={tmp_path / 'missing.csv'}\n"
    )
    out = tmp_path / "collected"
    done = run(
        [playbook, "-i", str(inventory), str(ANSIBLE / "collect-reports.yml"), "-e", "ansible_become=false",
         "-e", f"encore_collect_dir={out}"],
        env={"ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp")},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "lounge/2026-05-28-encore-report.csv").read_text() == report.read_text()
    assert sorted(p.name for p in out.iterdir()) == ["lounge"]  # room12 has no export yet: skipped, said so
    assert "room12: no report export yet" in done.stdout
