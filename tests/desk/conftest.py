"""The planning division's desk runs on a database made by `init --samples` (a named database that
does not exist is refused by the command line)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def db_path(sample_db: Path) -> Path:
    return sample_db
