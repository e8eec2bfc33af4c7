"""A project and its row, and a whole sheet and its rows: what is stored is what comes back."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from desktop_app.domain import Project, Sheet
from desktop_app.storage import load_sheet, open_database, replace_sheets
from desktop_app.storage.rows import PROJECT_COLUMNS, project_from_row, project_row
from tests.strategies import sheets


@given(sheets())
def test_a_projects_row_gives_back_the_project(sheet: Sheet) -> None:
    for project in sheet.all_projects():
        row = project_row(project)
        assert set(row) == set(PROJECT_COLUMNS.values())
        again = project_from_row(
            row,
            category=project.category,
            amounts=project.amounts,
            group=project.group,
            group_index=project.group_index,
            children=project.children,
            project_id=None,
        )
        assert again == project


def test_every_column_of_the_mapping_is_a_field_of_a_project() -> None:
    assert set(PROJECT_COLUMNS) <= set(Project.__dataclass_fields__)


@given(first=sheets(), second=sheets())
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_sheet_stored_and_stored_again_over_it_comes_back_unchanged(first: Sheet, second: Sheet) -> None:
    # The second is stored over the first (same ward and year): the rows of the first must all go.
    second = replace(second, ward=first.ward, fiscal_year=first.fiscal_year)
    with tempfile.TemporaryDirectory() as folder:
        db, _ = open_database(Path(folder) / "まちづくり.sqlite3")
        try:
            replace_sheets(db, [first], source="a.json")
            assert load_sheet(db, first.ward, first.fiscal_year) == first
            replace_sheets(db, [second], source="b.json")
            assert load_sheet(db, first.ward, first.fiscal_year) == second
        finally:
            db.close()
