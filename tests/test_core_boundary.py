"""The core is headless: no module under smstui/core may pull in textual or rich."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import smstui.core

CORE_DIR = Path(smstui.core.__file__).parent


def _core_modules() -> list[str]:
    modules = []
    for path in sorted(CORE_DIR.rglob("*.py")):
        rel = path.relative_to(CORE_DIR.parent.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules.append(".".join(parts))
    return modules


def test_core_has_modules_to_check() -> None:
    assert {"smstui.core.errors", "smstui.core.models"} <= set(_core_modules())


@pytest.mark.parametrize("module", _core_modules())
def test_core_module_imports_neither_textual_nor_rich(module: str) -> None:
    script = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted(k for k in sys.modules"
        " if k.split('.')[0] in ('textual', 'rich'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == [], f"{module} imports {out}"
