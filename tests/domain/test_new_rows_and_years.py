"""A clerk's year in the domain: the № a new row gets, a year carried on, findings that name the place."""

from __future__ import annotations

from dataclasses import replace

from desktop_app.domain import Category, Severity, Sheet, validate, with_allocations
from desktop_app.domain.edits import InsertProject, next_project_number, plan_insert
from desktop_app.exchange.json_format import load_sheet_bytes
from desktop_app.paths import data_path
from tests.factories import FUKKO, MACHI, project, small_sheet


def _sample(code: str) -> Sheet:
    path = data_path("resources", "sample", f"2020_{code}.json")
    return load_sheet_bytes(path.read_bytes(), path.name)


def _with_ids(sheet: Sheet) -> Sheet:
    counter = iter(range(1, 10_000))
    projects = tuple(
        replace(p, id=next(counter), children=tuple(replace(c, id=next(counter)) for c in p.children))
        for p in sheet.projects
    )
    return replace(sheet, projects=projects)


def test_a_new_row_gets_the_next_number_of_its_category() -> None:
    sheet = _with_ids(_sample("higashi"))
    machi = [p for p in sheet.projects if p.category == MACHI]
    highest = max(int(p.no) for p in machi if p.no.isdigit())
    edit = plan_insert(sheet, 9999, after_id=machi[0].id)
    (change,) = edit.changes
    assert isinstance(change, InsertProject)
    assert change.project.no == str(highest + 1) and change.project.category == MACHI


def test_a_new_row_follows_the_circled_numbering_and_a_new_sub_item_the_next_mark() -> None:
    sheet = replace(
        small_sheet(),
        projects=(
            project("①", "一", (100, None, None, None), category=FUKKO),
            project("②", "二", (100, None, None, None), category=FUKKO),
            project("１２", "十二", (100, None, None, None)),
        ),
    )
    assert next_project_number(sheet, FUKKO) == "③"
    assert next_project_number(sheet, MACHI) == "13"  # full-width №s count too
    assert next_project_number(replace(sheet, projects=()), MACHI) == "1"
    with_children = _with_ids(small_sheet())
    parent = next(p for p in with_children.projects if p.children)
    edit = plan_insert(with_children, 9999, after_id=parent.children[-1].id)
    (change,) = edit.changes
    assert isinstance(change, InsertProject) and change.project.no == "③"


def test_allocations_replace_the_old_and_add_new_categories() -> None:
    sheet = small_sheet()
    changed = with_allocations(sheet, [(MACHI, 19000), ("5区共通経費", None)])
    assert changed.categories == (Category(MACHI, 19000), Category(FUKKO, 10000), Category("5区共通経費", None))


def test_a_finding_on_a_sub_item_names_its_parent() -> None:
    minami = _sample("minami")
    parent_index, parent = next((i, p) for i, p in enumerate(minami.projects) if len(p.children) >= 2)
    child = parent.children[1]
    budget = next(a for a in reversed(child.amounts[:3]) if a is not None)
    over = replace(child, amounts=(*child.amounts[:3], budget + 5))
    children = (parent.children[0], over, *parent.children[2:])
    changed = replace(parent, children=children).with_children_summed()
    sheet = replace(minami, projects=(*minami.projects[:parent_index], changed, *minami.projects[parent_index + 1 :]))
    found = [f for f in validate(sheet) if f.project_path == (parent_index, 1)]
    assert found and found[0].severity is Severity.ERROR
    # Named as 南区 prints the №: (3), not №3.
    assert found[0].message.startswith(f"({parent.no})「{parent.name}」の内訳{child.no}「{child.name}」の決算額")


def test_a_finding_names_the_project_by_the_number_kita_prints() -> None:
    kita = _sample("kita")
    index, project = next((i, p) for i, p in enumerate(kita.projects) if p.no == "6" and not p.children)
    budget = next(a for a in reversed(project.amounts[:3]) if a is not None)
    over = replace(project, amounts=(*project.amounts[:3], budget + 1))
    sheet = replace(kita, projects=(*kita.projects[:index], over, *kita.projects[index + 1 :]))
    (found,) = [f for f in validate(sheet) if f.project_path == (index, None)]
    assert found.message.startswith(f"⑥「{project.name}」の決算額")


def test_a_year_with_every_settlement_entered_is_offered_to_be_settled_at_once() -> None:
    from desktop_app.domain import Stage
    from desktop_app.domain.edits import SetStageLocked, current_stage, plan_settle_year, ready_to_settle

    sheet = small_sheet()
    assert ready_to_settle(sheet)
    edit = plan_settle_year(replace(sheet, stages=(Stage("当初予算", locked=True), *sheet.stages[1:])))
    assert edit.changes == (SetStageLocked(1, True), SetStageLocked(2, True), SetStageLocked(3, True))
    settled = replace(sheet, stages=tuple(replace(stage, locked=True) for stage in sheet.stages))
    assert not ready_to_settle(settled) and current_stage(settled) is None
    first = sheet.projects[0]
    unsettled = replace(sheet, projects=(replace(first, amounts=(*first.amounts[:3], None)), *sheet.projects[1:]))
    assert not ready_to_settle(unsettled)
