"""The window goes through operations.py: no module of gui/ imports storage or exchange itself."""

from __future__ import annotations

import ast
from pathlib import Path

GUI = Path(__file__).resolve().parents[2] / "desktop_app" / "gui"
LOWER = ("desktop_app.storage", "desktop_app.exchange")


def test_gui_imports_operations_not_storage_or_exchange() -> None:
    found = []
    for module in sorted(GUI.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found += [f"{module.name}:{node.lineno} {name}" for name in names if name.startswith(LOWER)]
    assert found == []
