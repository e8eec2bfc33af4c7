"""What importing a sheet over the stored one changes: matched by what a person recognises."""

from __future__ import annotations

from dataclasses import replace

from desktop_app.domain import Category, Stage
from desktop_app.domain.sheet_diff import describe_diff, diff_sheets, summarise_diff
from tests.factories import FUKKO, MACHI, project, small_sheet


def test_the_same_sheet_has_no_changes() -> None:
    diff = diff_sheets(small_sheet(), small_sheet())
    assert diff.is_empty
    assert summarise_diff(diff) == "変更なし"


def test_a_sheet_not_held_is_new() -> None:
    diff = diff_sheets(None, small_sheet())
    assert diff.is_new and describe_diff(diff) == ["新しいシートとして取り込みます（4事業）。"]


def test_sub_items_are_matched_within_their_parent() -> None:
    old = small_sheet()
    parent = old.projects[1]
    first, _second = parent.children
    changed_parent = replace(
        parent,
        children=(replace(first, amounts=(412, 376, 376, 200)),),
        amounts=(412, 376, 376, 200),
    )
    new = replace(old, projects=(old.projects[0], changed_parent, *old.projects[2:]))
    diff = diff_sheets(old, new)
    lines = describe_diff(diff)
    assert "金額: №2「地域力活性化・強化支援事業」の内訳№①「花のまちづくり事業」 決算額 129→200" in lines
    assert any(
        line.startswith("削除: №2「地域力活性化・強化支援事業」の内訳№②「地域再発見交流事業」") for line in lines
    )
    assert "金額: №2「地域力活性化・強化支援事業」 当初予算 601→412、決算額 129→200" in lines


def test_a_project_moved_to_another_category_is_one_change_not_two() -> None:
    old = small_sheet()
    moved = replace(old.projects[2], category=FUKKO)
    new = replace(old, projects=(old.projects[0], old.projects[1], moved, old.projects[3]))
    diff = diff_sheets(old, new)
    assert not diff.added and not diff.removed
    assert describe_diff(diff) == [f"内容: №3「空き店舗活用事業」 経費区分「{MACHI}」→「{FUKKO}」"]


def test_allocation_stage_lock_and_totals() -> None:
    old = replace(
        small_sheet(), stages=tuple(Stage(s.name, locked=(i == 0)) for i, s in enumerate(small_sheet().stages))
    )
    new = replace(
        small_sheet(),
        categories=(Category(MACHI, 18000), Category(FUKKO, 10000)),
        projects=(*small_sheet().projects, project("4", "新しい事業", (1000, None, None, None))),
    )
    diff = diff_sheets(old, new)
    lines = describe_diff(diff)
    assert "段階: 当初予算の確定を解除" in lines
    assert f"シート: {MACHI}の配分額「17,000」→「18,000」" in lines
    assert "追加: №4「新しい事業」（まちづくり推進経費、当初 1,000千円）" in lines
    assert "合計: 当初予算 2,248→3,248（千円）" in lines
    assert summarise_diff(diff) == "追加1・内容1・確定1"
