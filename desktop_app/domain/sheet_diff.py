"""What importing a sheet over the one stored would change, project by project, said in Japanese.

Files carry no project ids, so projects are matched by what a person recognises them by: the
same name in the same category first, then the same name anywhere (a category change), then the
same № in the same category (a rename). Whatever is left is added or removed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from desktop_app.domain.model import Project, Sheet
from desktop_app.domain.money import format_amount
from desktop_app.domain.totals import sheet_totals

# Longer texts are cut in a report line; the whole text is in the file and the database.
_SHOWN_TEXT = 24


@dataclass(frozen=True)
class AmountChange:
    stage: str
    old: int | None
    new: int | None


@dataclass(frozen=True)
class TextChange:
    """A text field changed; `what` is its label as the sheet shows it (事業名, 備考…)."""

    what: str
    old: str
    new: str


@dataclass(frozen=True)
class ProjectRef:
    """A project added or removed, as a person finds it on the sheet."""

    label: str
    category: str
    first_amount: int | None


@dataclass(frozen=True)
class ProjectChange:
    label: str
    category: str
    amounts: tuple[AmountChange, ...] = ()
    texts: tuple[TextChange, ...] = ()


@dataclass(frozen=True)
class SheetDiff:
    """Importing `incoming` over `stored`: every difference a person would want to see first."""

    ward: str
    fiscal_year: int
    is_new: bool
    project_count: int
    added: tuple[ProjectRef, ...] = ()
    removed: tuple[ProjectRef, ...] = ()
    changed: tuple[ProjectChange, ...] = ()
    stages_locked: tuple[str, ...] = ()
    stages_unlocked: tuple[str, ...] = ()
    stages_added: tuple[str, ...] = ()
    stages_removed: tuple[str, ...] = ()
    sheet_texts: tuple[TextChange, ...] = ()
    # (stage, total before, total after) for every stage whose 合計 changes.
    totals: tuple[AmountChange, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not self.is_new and not (
            self.added
            or self.removed
            or self.changed
            or self.stages_locked
            or self.stages_unlocked
            or self.stages_added
            or self.stages_removed
            or self.sheet_texts
        )

    @property
    def amount_changes(self) -> int:
        return sum(len(change.amounts) for change in self.changed)

    @property
    def text_changes(self) -> int:
        return sum(len(change.texts) for change in self.changed) + len(self.sheet_texts)


def diff_sheets(stored: Sheet | None, incoming: Sheet) -> SheetDiff:
    """The changes importing `incoming` makes to `stored` (None: no sheet held for that ward and year)."""
    if stored is None:
        return SheetDiff(incoming.ward, incoming.fiscal_year, is_new=True, project_count=len(incoming.projects))
    old_stages, new_stages = stored.stage_names, incoming.stage_names
    common = [name for name in new_stages if name in old_stages]
    old_locked = {stage.name: stage.locked for stage in stored.stages}
    added: list[ProjectRef] = []
    removed: list[ProjectRef] = []
    changed: list[ProjectChange] = []

    def amount_of(sheet: Sheet, project: Project, stage: str) -> int | None:
        return project.amounts[sheet.stage_names.index(stage)]

    def compare(old: Project, new: Project, label: str) -> None:
        amounts = tuple(
            AmountChange(stage, amount_of(stored, old, stage), amount_of(incoming, new, stage))
            for stage in common
            if amount_of(stored, old, stage) != amount_of(incoming, new, stage)
        )
        texts = tuple(
            TextChange(what, before, after) for what, before, after in _project_texts(old, new) if before != after
        )
        if amounts or texts:
            changed.append(ProjectChange(label, new.category, amounts, texts))

    def ref(sheet: Sheet, project: Project, label: str) -> ProjectRef:
        return ProjectRef(label, project.category, project.amounts[0] if sheet.stages else None)

    pairs, only_old, only_new = match_projects(stored.projects, incoming.projects)
    for old, new in pairs:
        compare(old, new, new.label)
        child_pairs, old_children, new_children = match_projects(old.children, new.children)
        for old_child, new_child in child_pairs:
            compare(old_child, new_child, f"{new.label}の内訳{new_child.label}")
        removed += [ref(stored, child, f"{new.label}の内訳{child.label}") for child in old_children]
        added += [ref(incoming, child, f"{new.label}の内訳{child.label}") for child in new_children]
    removed += [ref(stored, project, project.label) for project in only_old]
    added += [ref(incoming, project, project.label) for project in only_new]

    old_totals = dict(zip(old_stages, sheet_totals(stored).amounts, strict=True))
    new_totals = dict(zip(new_stages, sheet_totals(incoming).amounts, strict=True))
    return SheetDiff(
        ward=incoming.ward,
        fiscal_year=incoming.fiscal_year,
        is_new=False,
        project_count=len(incoming.projects),
        added=tuple(added),
        removed=tuple(removed),
        changed=tuple(changed),
        stages_locked=tuple(s.name for s in incoming.stages if s.locked and not old_locked.get(s.name, False)),
        stages_unlocked=tuple(s.name for s in incoming.stages if not s.locked and old_locked.get(s.name, False)),
        stages_added=tuple(name for name in new_stages if name not in old_stages),
        stages_removed=tuple(name for name in old_stages if name not in new_stages),
        sheet_texts=tuple(_sheet_texts(stored, incoming)),
        totals=tuple(
            AmountChange(stage, old_totals[stage], new_totals[stage])
            for stage in common
            if old_totals[stage] != new_totals[stage]
        ),
    )


def match_projects(
    old: Sequence[Project], new: Sequence[Project]
) -> tuple[list[tuple[Project, Project]], list[Project], list[Project]]:
    """Pairs of the same project in both lists (in the new list's order), then those only in old, only in new."""
    keys: tuple[Callable[[Project], tuple[str, ...] | None], ...] = (
        lambda p: (p.category, p.name, p.no),
        lambda p: (p.category, p.name),
        lambda p: (p.name,),
        # A renamed project keeps its №; an empty № identifies nothing.
        lambda p: (p.category, p.no) if p.no.strip() else None,
    )
    partner: dict[int, int] = {}  # index in new -> index in old
    taken: set[int] = set()
    for key in keys:
        waiting: dict[tuple[str, ...], list[int]] = {}
        for index, project in enumerate(old):
            found = key(project)
            if index not in taken and found is not None:
                waiting.setdefault(found, []).append(index)
        for index, project in enumerate(new):
            found = key(project)
            if index in partner or found is None or not waiting.get(found):
                continue
            old_index = waiting[found].pop(0)
            partner[index] = old_index
            taken.add(old_index)
    pairs = [(old[partner[i]], project) for i, project in enumerate(new) if i in partner]
    only_old = [project for i, project in enumerate(old) if i not in taken]
    only_new = [project for i, project in enumerate(new) if i not in partner]
    return pairs, only_old, only_new


def _project_texts(old: Project, new: Project) -> list[tuple[str, str, str]]:
    return [
        ("番号", old.no, new.no),
        ("事業名", old.name, new.name),
        ("事業内容", old.description, new.description),
        ("備考", old.note, new.note),
        ("状況", old.status.label, new.status.label),
        ("グループ", old.group or "なし", new.group or "なし"),
        ("経費区分", old.category, new.category),
        ("新規", "新規" if old.new else "なし", "新規" if new.new else "なし"),
        ("担当", old.section or "", new.section or ""),
        ("校区", old.district or "", new.district or ""),
    ]


def _sheet_texts(old: Sheet, new: Sheet) -> list[TextChange]:
    found = [
        TextChange(what, before, after)
        for what, before, after in (("表題", old.title, new.title), ("めざす区の姿", old.vision, new.vision))
        if before != after
    ]
    old_categories = {category.name: category.allocation for category in old.categories}
    for category in new.categories:
        if category.name not in old_categories:
            found.append(TextChange("経費区分の追加", "", category.name))
        elif old_categories[category.name] != category.allocation:
            found.append(
                TextChange(
                    f"{category.name}の配分額",
                    format_amount(old_categories[category.name]),
                    format_amount(category.allocation),
                )
            )
    new_names = {category.name for category in new.categories}
    found += [TextChange("経費区分の削除", name, "") for name in old_categories if name not in new_names]
    old_groups = {group.name: group.description for group in old.groups}
    new_groups = {group.name: group.description for group in new.groups}
    found += [TextChange("グループの追加", "", name) for name in new_groups if name not in old_groups]
    found += [TextChange("グループの削除", name, "") for name in old_groups if name not in new_groups]
    found += [
        TextChange(f"グループ「{name}」の説明", old_groups[name], description)
        for name, description in new_groups.items()
        if name in old_groups and old_groups[name] != description
    ]
    return found


def _shown(text: str) -> str:
    flat = text.replace("\n", " ")
    return flat if len(flat) <= _SHOWN_TEXT else flat[: _SHOWN_TEXT - 1] + "…"


def _amounts_text(changes: Sequence[AmountChange]) -> str:
    return "、".join(f"{c.stage} {format_amount(c.old)}→{format_amount(c.new)}" for c in changes)


def _text_change(change: TextChange) -> str:
    if not change.old:
        return f"{change.what}「{_shown(change.new)}」"
    if not change.new:
        return f"{change.what}「{_shown(change.old)}」"
    return f"{change.what}「{_shown(change.old)}」→「{_shown(change.new)}」"


def describe_diff(diff: SheetDiff) -> list[str]:
    """The report, one line per change, as `import --dry-run` prints it and the window lists it."""
    if diff.is_new:
        return [f"新しいシートとして取り込みます（{diff.project_count}事業）。"]
    if diff.is_empty:
        return ["データベースのシートと同じです（変更はありません）。"]
    lines: list[str] = []
    lines += [f"追加: {p.label}（{p.category}、当初 {format_amount(p.first_amount)}千円）" for p in diff.added]
    lines += [f"削除: {p.label}（{p.category}、当初 {format_amount(p.first_amount)}千円）" for p in diff.removed]
    for change in diff.changed:
        if change.amounts:
            lines.append(f"金額: {change.label} {_amounts_text(change.amounts)}")
        if change.texts:
            lines.append(f"内容: {change.label} " + "、".join(_text_change(t) for t in change.texts))
    lines += [f"段階: {name}を確定" for name in diff.stages_locked]
    lines += [f"段階: {name}の確定を解除" for name in diff.stages_unlocked]
    lines += [f"段階: {name}を追加" for name in diff.stages_added]
    lines += [f"段階: {name}を削除" for name in diff.stages_removed]
    lines += [f"シート: {_text_change(change)}" for change in diff.sheet_texts]
    if diff.totals:
        lines.append(f"合計: {_amounts_text(diff.totals)}（千円）")
    return lines


def summarise_diff(diff: SheetDiff) -> str:
    """One short line for a table cell: `追加2・削除1・金額3・内容1`."""
    if diff.is_new:
        return f"新規（{diff.project_count}事業）"
    if diff.is_empty:
        return "変更なし"
    parts = [
        ("追加", len(diff.added)),
        ("削除", len(diff.removed)),
        ("金額", diff.amount_changes),
        ("内容", diff.text_changes),
        ("確定", len(diff.stages_locked) + len(diff.stages_unlocked)),
        ("段階", len(diff.stages_added) + len(diff.stages_removed)),
    ]
    return "・".join(f"{name}{count}" for name, count in parts if count)
