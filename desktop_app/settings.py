"""This PC's settings (ward, staff name, planning division address, export folder), as a JSON file.

A plain file in the data folder rather than QSettings, so the command line (which never loads
Qt) reads the same values as the window.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from desktop_app.paths import user_data_dir

log = logging.getLogger("machizukuri.settings")
SETTINGS_NAME = "settings.json"
# The planning division (政策局 総合政策部 政策企画課) until the office sets its real address.
DEFAULT_PLANNING_ADDRESS = "seisakukikaku@city.kumamoto.lg.jp"


@dataclass
class Settings:
    """What this PC remembers between sessions."""

    ward: str = ""
    staff_name: str = ""
    planning_address: str = DEFAULT_PLANNING_ADDRESS
    export_folder: str = ""
    last_year: int | None = None
    # Database paths on a network share the person has already been warned about.
    warned_network_paths: list[str] = field(default_factory=list)
    # The window as the person left it: Qt's saveGeometry()/saveState() in base64, and the lower
    # panel folded away or not.
    window_geometry: str = ""
    splitter_state: str = ""
    panel_folded: bool = False
    # Values chosen for this run only (`gui --ward 南区 --year 2031`): field -> (saved value, run value).
    _run_only: dict[str, tuple[object, object]] = field(default_factory=dict, repr=False, compare=False)
    # A screenshot run saves nothing at all.
    _keep_on_disk: bool = field(default=False, repr=False, compare=False)

    def for_this_run(self, *, keep_on_disk: bool = False, **values: object) -> None:
        """Use these values now without saving them: the next start opens what the person last chose."""
        self._keep_on_disk = self._keep_on_disk or keep_on_disk
        for name, value in values.items():
            if value is None:
                continue
            self._run_only[name] = (getattr(self, name), value)
            setattr(self, name, value)

    def to_save(self) -> dict[str, object]:
        """What goes into the file: run-only values give way to the saved ones unless changed since."""
        data = {name: value for name, value in asdict(self).items() if not name.startswith("_")}
        for name, (saved, run_value) in self._run_only.items():
            if data[name] == run_value:
                data[name] = saved
        return data

    def export_dir(self) -> Path:
        if self.export_folder:
            return Path(self.export_folder)
        documents = Path.home() / "Documents"
        return documents if documents.is_dir() else Path.home()


def settings_path() -> Path:
    return user_data_dir() / SETTINGS_NAME


def load_settings(path: Path | None = None) -> Settings:
    """The saved settings; defaults for anything missing or unreadable (never an error at start-up)."""
    path = path or settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        log.warning("settings file %s unreadable, using defaults: %s", path, exc)
        return Settings()
    settings = Settings()
    if not isinstance(data, dict):
        return settings
    for name in ("ward", "staff_name", "planning_address", "export_folder", "window_geometry", "splitter_state"):
        value = data.get(name)
        if isinstance(value, str):
            setattr(settings, name, value)
    for name in ("last_year",):
        value = data.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            setattr(settings, name, value)
    if isinstance(data.get("panel_folded"), bool):
        settings.panel_folded = data["panel_folded"]
    for name, problem in _problems(settings):
        # Only a hand-edited or planted file gets here (the dialog checks what is typed): a value
        # that could forge a mail header is dropped rather than carried into a draft.
        log.warning("settings file %s: %s ignored: %s", path, name, problem)
        setattr(settings, name, "")
    warned = data.get("warned_network_paths")
    if isinstance(warned, list):
        settings.warned_network_paths = [item for item in warned if isinstance(item, str)]
    return settings


class SettingsError(ValueError):
    """A setting that cannot be saved; str() is one Japanese sentence naming it."""


def settings_problem(settings: Settings) -> str | None:
    """The first reason these settings cannot be saved (a forged mail address, say), or None."""
    problems = _problems(settings)
    return problems[0][1] if problems else None


def _problems(settings: Settings) -> list[tuple[str, str]]:
    from desktop_app.exchange.eml_draft import address_problem, sender_name_problem

    found = []
    address = address_problem(settings.planning_address)
    if address is not None:
        found.append(("planning_address", address))
    sender = sender_name_problem(settings.staff_name)
    if sender is not None:
        found.append(("staff_name", sender))
    return found


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write the settings through a temporary file, so a crash never leaves half a file.

    Refuses (SettingsError) a planning division address or staff name a draft could not use.
    """
    if settings._keep_on_disk:
        return
    problem = settings_problem(settings)
    if problem is not None:
        raise SettingsError(problem)
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".partial")
    temporary.write_text(json.dumps(settings.to_save(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def is_first_run(path: Path | None = None) -> bool:
    """No settings saved on this PC yet: the window asks for the ward and the staff name first."""
    return not (path or settings_path()).exists()
