"""Every widget the code looks up in a Qt Designer form exists there, with the class the code expects."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from desktop_app.paths import data_path

GUI = Path(__file__).resolve().parents[2] / "desktop_app" / "gui"
_LOAD = re.compile(r'load_ui\(\s*"(\w+)"')
_CHILD = re.compile(r'child\(\s*[\w.]+,\s*(\w+),\s*"(\w+)"\s*\)')


def lookups() -> list[tuple[str, str, str, str]]:
    """(module, form, widget class, object name) of each `child(...)` call, with the form loaded above it."""
    found = []
    for module in sorted(GUI.glob("*.py")):
        form = None
        for line in module.read_text(encoding="utf-8").splitlines():
            if loaded := _LOAD.search(line):
                form = loaded.group(1)
            for kind, name in _CHILD.findall(line):
                assert form is not None, f"{module.name}: child({kind}, {name}) before any load_ui"
                found.append((module.name, form, kind, name))
    return found


def widgets(form: str) -> dict[str, str]:
    tree = ET.parse(data_path("ui", f"{form}.ui"))
    return {w.get("name", ""): w.get("class", "") for w in tree.iter("widget")}


def test_the_lookups_are_found_at_all() -> None:
    forms = {form for _, form, _, _ in lookups()}
    assert {"settings_dialog", "search_dialog", "about_dialog", "restore_dialog"} <= forms


def test_every_looked_up_widget_exists_with_its_class() -> None:
    missing = []
    for module, form, kind, name in lookups():
        present = widgets(form)
        if present.get(name) != kind:
            missing.append(f"{module}: ui/{form}.ui has no {kind} named {name} (found {present.get(name)})")
    assert missing == []
