"""The hidden key column: which row of the sheet each row of the worksheet is.

The exporter writes a key beside every row it prints; the importer reads it back to pair a row a
person may have edited with the project, group or table it came from.
"""

from __future__ import annotations

import re
from typing import Final

# Marks the hidden key column in each header row (the last such cell: a stage could bear this name).
KEY_HEADER: Final = "machizukuri:key"
TITLE_KEY: Final = "T"
VISION_KEY: Final = "V"
OVERVIEW_KEY: Final = "O"
HEADER_KEY: Final = KEY_HEADER
TOTAL_KEY: Final = "S"
NOTES_KEY: Final = "N"
CATEGORY_KEY_PREFIX: Final = "C"
GROUP_KEY_PREFIX: Final = "G"
PROJECT_KEY_PREFIX: Final = "P"
NOTE_KEY_PREFIX: Final = "NP"
_PATH: Final = re.compile(r"(\d+)(?:\.(\d+))?")


def project_key(path: tuple[int, int | None]) -> str:
    index, child = path
    return f"{PROJECT_KEY_PREFIX}{index}" if child is None else f"{PROJECT_KEY_PREFIX}{index}.{child}"


def parse_project_key(key: str) -> tuple[int, int | None] | None:
    """The (project, sub-item) path a project row's key names (the inverse of `project_key`)."""
    if not key.startswith(PROJECT_KEY_PREFIX):
        return None
    match = _PATH.fullmatch(key[len(PROJECT_KEY_PREFIX) :])
    if not match:
        return None
    return int(match.group(1)), None if match.group(2) is None else int(match.group(2))


def note_key(path: tuple[int, int | None]) -> str:
    """The key of a numbered note under the tables, naming the project it belongs to."""
    return NOTE_KEY_PREFIX + project_key(path)[len(PROJECT_KEY_PREFIX) :]


def project_key_of_note(key: str) -> str | None:
    """The key of the project row a note's key names (the inverse of `note_key`)."""
    if not key.startswith(NOTE_KEY_PREFIX):
        return None
    return PROJECT_KEY_PREFIX + key[len(NOTE_KEY_PREFIX) :]


def key_index(key: str, prefix: str) -> int | None:
    """The position in a category's or group's key (`C2`, `G0`); None for another kind of key."""
    rest = key[len(prefix) :]
    if not key.startswith(prefix) or not (rest.isascii() and rest.isdigit()):
        return None
    return int(rest)
