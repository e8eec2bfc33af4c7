"""The sheet of a ward's まちづくり推進経費 for one fiscal year, and everything on it."""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from desktop_app.domain.money import sum_amounts
from desktop_app.domain.wareki import wareki_short, wareki_year


@dataclass(frozen=True)
class Ward:
    """One of the city's wards (or the line the five share)."""

    name: str
    code: str
    vision: str


WARDS: Final = (
    Ward("中央区", "chuo", "新たな出会いと未来創造の都会 ～つながる、中央区。～"),
    Ward("東区", "higashi", "自然豊かな 笑顔あふれる未来のまち"),
    Ward("西区", "nishi", "金峰望む 華のあるまち西区"),
    Ward("南区", "minami", "～みんなでつなぎ、みがき、ひろげる～ いきいき暮らしのまち 南区"),
    Ward(
        "北区",
        "kita",
        "ず～っと住みたい“わがまち北区” ～歴史・自然・文化・人がつながり 個性輝くまちをめざします～",
    ),
    Ward("5区共通", "common", ""),
)
# The five wards that each send a sheet; 5区共通 is budgeted by the city itself.
CITY_WARDS: Final = WARDS[:5]
_WARDS_BY_KEY: Final = {key: ward for ward in WARDS for key in (ward.name, ward.code, ward.name.rstrip("区"))}


class UnknownWardError(ValueError):
    """A ward name that is none of the city's; the message is Japanese."""


def find_ward(text: str) -> Ward:
    """The ward named `東区`, `東` or `higashi` (full-width and spacing forgiven)."""
    key = unicodedata.normalize("NFKC", text).strip()
    ward = _WARDS_BY_KEY.get(key) or _WARDS_BY_KEY.get(key.lower())
    if ward is None:
        names = "、".join(w.name for w in WARDS)
        raise UnknownWardError(f"「{text}」という区はありません（{names}のいずれか）")
    return ward


def ward_order(name: str) -> int:
    """Position of a ward in the city's usual order (中央区, 東区, 西区, 南区, 北区, 5区共通)."""
    for index, ward in enumerate(WARDS):
        if ward.name == name:
            return index
    return len(WARDS)


class Status(enum.Enum):
    """What became of a project; the value is the interchange code, `label` what people read."""

    PLANNED = "planned"
    IMPLEMENTED = "implemented"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"
    PARTIAL = "partial"
    REDUCED = "reduced"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @classmethod
    def from_text(cls, text: str) -> Status:
        """A status from its code (`cancelled`) or its label (`中止`)."""
        folded = unicodedata.normalize("NFKC", text).strip()
        for status in cls:
            if folded in (status.value, status.label):
                return status
        raise ValueError(text)


_STATUS_LABELS: Final = {
    Status.PLANNED: "予定",
    Status.IMPLEMENTED: "実施",
    Status.CANCELLED: "中止",
    Status.POSTPONED: "延期",
    Status.PARTIAL: "一部実施",
    Status.REDUCED: "縮小",
}
STATUS_LABELS: Final = tuple(status.label for status in Status)

DEFAULT_STAGE_NAMES: Final = ("当初予算", "9月補正後", "2月補正後", "決算額")
SETTLEMENT_MARK: Final = "決算"


@dataclass(frozen=True)
class Stage:
    """One amount column of a sheet: a budget stage, or the settlement (決算額)."""

    name: str
    locked: bool = False

    @property
    def is_settlement(self) -> bool:
        # 決算額 / 決算 / R2決算 are the settlement; 決算見込 is still an estimate, a budget stage.
        return SETTLEMENT_MARK in self.name and "見込" not in self.name


DEFAULT_STAGES: Final = tuple(Stage(name) for name in DEFAULT_STAGE_NAMES)
DEFAULT_CATEGORY_NAMES: Final = ("まちづくり推進経費", "復興支援自治推進経費")


@dataclass(frozen=True)
class Category:
    """A funding category of a sheet and its allocation (配分額) in 千円."""

    name: str
    allocation: int | None = None


@dataclass(frozen=True)
class Group:
    """A heading row (グループ / 柱) that organises a sheet's projects."""

    name: str
    description: str = ""


Amounts = tuple[int | None, ...]

# How a sheet prints (INTERCHANGE.md `layout`); the values are the interchange codes.
TABLES_BY_CATEGORY: Final = "by_category"
TABLES_SINGLE: Final = "single"
TABLE_STYLES: Final = (TABLES_BY_CATEGORY, TABLES_SINGLE)
# The sheet's numbering, as INTERCHANGE.md fixes it: 3 / ③ (北区) / (3) (南区's まちづくり table).
NUMBERING_STYLES: Final = ("1", "①", "(1)")
# A category's own numbering (`numberings`, a field of ours) may also be （3） (南区's 復興 table,
# full width); the contract's `numbering` keeps to the three values every reader accepts.
CATEGORY_NUMBERING_STYLES: Final = (*NUMBERING_STYLES, "（1）")
# 【新規】名前 / 【新規】 on its own line above the name (中央区) / 名前（新規） (南区).
NEW_MARK_STYLES: Final = ("prefix", "prefix_line", "suffix")
DEFAULT_NOTES_HEADING: Final = "備考（中止・延期・変更の内容）"
# A sub-item's name and description in their own columns, or in one cell 「①【幸田】名前　内容」 (南区).
SUB_ITEM_TEXT_STYLES: Final = ("columns", "joined")
# Groups as heading rows above their projects, or (西区) as one merged vertical cell per group at the
# left of its rows with the group's circled number beside each №.
GROUPS_AS_ROWS: Final = "row"
GROUPS_AT_SIDE: Final = "side"
GROUP_STYLES: Final = (GROUPS_AS_ROWS, GROUPS_AT_SIDE)


@dataclass(frozen=True)
class SheetLayout:
    """How one sheet prints, as its ward prints it: the same description drives the PDF and the Excel.

    Label templates may name `{ward}`, `{category}` and `{year}` (令和2年度); an empty template prints no
    such row.
    """

    tables: str = TABLES_BY_CATEGORY
    group_subtotals: bool = False
    numbering: str = "1"
    # Per category, overriding `numbering` (南区: (1) in its まちづくり table, （1） in its 復興 table).
    numberings: tuple[tuple[str, str], ...] = ()
    category_order: tuple[str, ...] = ()
    # The heading of the text column (北区: 事業概要) and of the stage columns (北区: 予算額 …).
    description_label: str = "事業内容"
    stage_labels: tuple[str, ...] = ()
    table_heading: str = "【{ward}{category}】"
    total_label: str = "合計"
    # Per category, overriding `total_label` (南区: 「南区まちづくり推進経費　合計」).
    total_labels: tuple[tuple[str, str], ...] = ()
    # Categories whose group subtotal is the first stage in the heading: 「人材育成の充実（2,090千円）」.
    subtotal_in_heading: tuple[str, ...] = ()
    # Categories whose group headings repeat the stage headings (北区, 南区's まちづくり table); their
    # table's column header then leaves the stage cells empty, as those wards print it.
    group_stage_labels: tuple[str, ...] = ()
    # Categories whose projects print as 「名前（内容）」 in one cell across both text columns (南区's 復興).
    description_in_name: tuple[str, ...] = ()
    sub_item_text: str = "columns"
    group_descriptions: bool = False
    remarks_column: bool = True
    status_marks: bool = True
    new_mark: str = "prefix"
    notes_heading: str = DEFAULT_NOTES_HEADING
    group_style: str = GROUPS_AS_ROWS
    # The heading of the side column of groups (西区: 「令和２年度\nまちづくりの\n推進方針」).
    group_column_label: str = ""
    # Printed above the table: 基本理念, ビジョン, 方向性… (several lines).
    overview: str = ""
    # Fields of a newer writer, kept as they are and written back.
    extra: dict[str, Any] = field(default_factory=dict, hash=False)

    def total_template(self, category: str) -> str:
        return dict(self.total_labels).get(category, self.total_label)

    def numbering_for(self, category: str) -> str:
        return dict(self.numberings).get(category, self.numbering)


DEFAULT_LAYOUT: Final = SheetLayout()


@dataclass(frozen=True)
class Project:
    """One row of a sheet (事業), with its sub-items (内訳) if it is split into them."""

    no: str
    name: str
    category: str
    amounts: Amounts
    description: str = ""
    group: str | None = None
    new: bool = False
    status: Status = Status.PLANNED
    note: str = ""
    children: tuple[Project, ...] = ()
    section: str | None = None
    district: str | None = None
    notes_heading: str | None = None
    # Which of several groups of the same name (南区 prints 防災・減災 twice): the position in
    # `Sheet.groups`; None means the first group of that name.
    group_index: int | None = None
    # Storage's row id; None for a project not saved yet. Opaque to the domain.
    id: int | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        """`№3「東区民文化スポーツ交流事業」`: how a message, the history and the import name the project."""
        return project_label(self.no, self.name)

    def label_under(self, parent: Project | None) -> str:
        """`№4「…」の内訳②「…」`: a sub-item named with its parent (南区 has four ②s), else `label`."""
        return self.label if parent is None else sub_item_label(parent.label, self)

    def children_sum(self) -> Amounts:
        """Per stage, the sum of the sub-items' amounts."""
        width = len(self.amounts)
        return tuple(sum_amounts([child.amounts[i] for child in self.children]) for i in range(width))

    def with_children_summed(self) -> Project:
        """This project with its amounts set to the sum of its sub-items (unchanged without any)."""
        if not self.children:
            return self
        return replace(self, amounts=self.children_sum())


def normalized_group_indexes(sheet: Sheet) -> Sheet:
    """The sheet with `group_index` kept only where it names a later group of a repeated name,
    so that equal sheets compare equal however they were read."""

    def normal(project: Project) -> Project:
        position = sheet.group_position(project)
        first = next((i for i, g in enumerate(sheet.groups) if g.name == project.group), None)
        index = position if position is not None and position != first else None
        children = tuple(normal(child) for child in project.children)
        if index == project.group_index and children == project.children:
            return project
        return replace(project, group_index=index, children=children)

    return replace(sheet, projects=tuple(normal(project) for project in sheet.projects))


def sub_item_label(parent_label: str, child: Project) -> str:
    """`№4「…」の内訳②「…」`: a sub-item after its parent's label, however that prints its №."""
    return f"{parent_label}の内訳{child.no or '番号なし'}「{child.name}」"


def project_label(no: str, name: str) -> str:
    """`№3「…」`, or `「…」` for a project without a number."""
    return f"№{no}「{name}」" if no else f"「{name}」"


@dataclass(frozen=True)
class Sheet:
    """A ward's project sheet for one fiscal year."""

    ward: str
    fiscal_year: int
    title: str
    vision: str = ""
    unit: str = "千円"
    stages: tuple[Stage, ...] = DEFAULT_STAGES
    categories: tuple[Category, ...] = ()
    groups: tuple[Group, ...] = ()
    projects: tuple[Project, ...] = ()
    layout: SheetLayout = DEFAULT_LAYOUT
    id: int | None = field(default=None, compare=False)

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(stage.name for stage in self.stages)

    @property
    def year_label(self) -> str:
        return wareki_year(self.fiscal_year)

    def settlement_index(self) -> int | None:
        """Column of the settlement (決算額), if the sheet has one."""
        for index, stage in enumerate(self.stages):
            if stage.is_settlement:
                return index
        return None

    def budget_indexes(self) -> tuple[int, ...]:
        return tuple(i for i, stage in enumerate(self.stages) if not stage.is_settlement)

    def last_budget_index(self) -> int | None:
        budgets = self.budget_indexes()
        return budgets[-1] if budgets else None

    def latest_entered_stage(self) -> int | None:
        """Where the year has got to: the last stage in which some project has a positive amount.

        Zeros do not count: a cancelled project shows 0 in every later stage long before those
        stages happen. A sheet of nothing but zeros and dashes falls back to the last stage with
        any amount at all.
        """
        latest_positive = latest_any = None
        for project in self.all_projects():
            for index, amount in enumerate(project.amounts):
                if amount is None:
                    continue
                latest_any = index if latest_any is None else max(latest_any, index)
                if amount > 0:
                    latest_positive = index if latest_positive is None else max(latest_positive, index)
        return latest_positive if latest_positive is not None else latest_any

    def projects_in(self, category: str) -> tuple[Project, ...]:
        return tuple(p for p in self.projects if p.category == category)

    def all_projects(self) -> Iterator[Project]:
        """Every project and sub-item, in sheet order (a parent before its sub-items)."""
        for project in self.projects:
            yield project
            yield from project.children

    def group_position(self, project: Project) -> int | None:
        """The position in `groups` of the project's group (the first of its name unless
        `group_index` says which)."""
        if project.group is None:
            return None
        index = project.group_index
        if index is not None and 0 <= index < len(self.groups) and self.groups[index].name == project.group:
            return index
        for position, group in enumerate(self.groups):
            if group.name == project.group:
                return position
        return None

    def category(self, name: str) -> Category | None:
        for category in self.categories:
            if category.name == name:
                return category
        return None


def default_title(ward: str, fiscal_year: int) -> str:
    """`令和2年度 東区まちづくりの取組`: the title of a sheet in the city's layout."""
    return f"{wareki_year(fiscal_year)} {ward}まちづくりの取組"


# Each ward's own print (seed 001), chosen when a ward's sheet is created.
WARD_LAYOUTS: Final[dict[str, SheetLayout]] = {
    "中央区": SheetLayout(
        tables=TABLES_SINGLE,
        # 「令和2年度の取組み」 over the one table; the year moves on with the sheet.
        table_heading="{year}の取組み",
        total_label="{category}　計",
        group_descriptions=True,
        remarks_column=False,
        status_marks=False,
        new_mark="prefix_line",
    ),
    "東区": SheetLayout(total_label="合　計", remarks_column=False, status_marks=False),
    "西区": SheetLayout(
        table_heading="",
        total_label="{category}　合計額",
        remarks_column=False,
        notes_heading="",
        group_style=GROUPS_AT_SIDE,
        group_column_label="令和２年度\nまちづくりの\n推進方針",
    ),
    "南区": SheetLayout(
        group_subtotals=True,
        numbering="(1)",
        numberings=((DEFAULT_CATEGORY_NAMES[1], "（1）"),),
        stage_labels=("当初予算", "９月補正後", "２月補正後", "決算額"),
        table_heading="",
        total_label="{ward}{category}　合計",
        subtotal_in_heading=(DEFAULT_CATEGORY_NAMES[0],),
        group_stage_labels=(DEFAULT_CATEGORY_NAMES[0],),
        description_in_name=(DEFAULT_CATEGORY_NAMES[1],),
        sub_item_text="joined",
        remarks_column=False,
        status_marks=False,
        new_mark="suffix",
    ),
    "北区": SheetLayout(
        numbering="①",
        category_order=(DEFAULT_CATEGORY_NAMES[1], DEFAULT_CATEGORY_NAMES[0]),
        description_label="事業概要",
        stage_labels=("予算額", "9月補正後", "2月補正後", "決算額"),
        table_heading="",
        total_label="{category}　　合計",
        group_stage_labels=DEFAULT_CATEGORY_NAMES[:2],
        remarks_column=False,
        status_marks=False,
    ),
}


# The year the presets were read from (seed 001): a heading naming it (西区's 「令和２年度…推進方針」) moves on.
PRESET_YEAR: Final = 2020


def ward_layout(ward: str, fiscal_year: int | None = None) -> SheetLayout:
    """The layout a new sheet of the ward starts with (today's default for others), with a
    heading that names the presets' year naming `fiscal_year` instead."""
    layout = WARD_LAYOUTS.get(ward, DEFAULT_LAYOUT)
    if fiscal_year is None or fiscal_year == PRESET_YEAR:
        return layout
    moved = _next_year_text(layout.group_column_label, PRESET_YEAR, fiscal_year)
    return replace(layout, group_column_label=moved) if moved is not None else layout


def new_sheet(
    ward: str,
    fiscal_year: int,
    *,
    categories: Sequence[Category] | None = None,
    stages: Sequence[Stage] = DEFAULT_STAGES,
) -> Sheet:
    """An empty sheet with the city's default title, vision, stages and categories."""
    found = find_ward(ward)
    if categories is None:
        categories = (Category(DEFAULT_CATEGORY_NAMES[0]),)
    return Sheet(
        ward=found.name,
        fiscal_year=fiscal_year,
        title=default_title(found.name, fiscal_year),
        vision=found.vision,
        stages=tuple(stages),
        categories=tuple(categories),
        layout=ward_layout(found.name, fiscal_year),
    )


def next_year_sheet(previous: Sheet, fiscal_year: int | None = None) -> Sheet:
    """A later year's sheet (the next by default) from this one: the same groups, projects and
    categories, amounts empty, every status 予定."""
    year = previous.fiscal_year + 1 if fiscal_year is None else fiscal_year
    width = len(previous.stages)

    def fresh(project: Project) -> Project:
        return replace(
            project,
            amounts=(None,) * width,
            status=Status.PLANNED,
            note="",
            new=False,
            notes_heading=None,
            children=tuple(fresh(child) for child in project.children),
            id=None,
        )

    return replace(
        previous,
        fiscal_year=year,
        title=_next_year_text(previous.title, previous.fiscal_year, year) or default_title(previous.ward, year),
        stages=tuple(Stage(stage.name) for stage in previous.stages),
        projects=tuple(fresh(project) for project in previous.projects),
        # The layout is the ward's, whatever the year; a heading naming the year (東区's R2当初) moves on.
        layout=replace(
            previous.layout,
            stage_labels=tuple(
                _next_year_text(label, previous.fiscal_year, year) or label for label in previous.layout.stage_labels
            ),
            group_column_label=_next_year_text(previous.layout.group_column_label, previous.fiscal_year, year)
            or previous.layout.group_column_label,
        ),
        id=None,
    )


def with_allocations(sheet: Sheet, allocations: Sequence[tuple[str, int | None]]) -> Sheet:
    """The sheet with each named category's 配分額 replaced; a name not on the sheet adds that category.

    A new year's allocations are decided each year (FY2024: 19,000千円 each), so they are asked for,
    never copied forward silently.
    """
    categories = list(sheet.categories)
    for name, allocation in allocations:
        for index, category in enumerate(categories):
            if category.name == name:
                categories[index] = replace(category, allocation=allocation)
                break
        else:
            categories.append(Category(name, allocation))
    return replace(sheet, categories=tuple(categories))


_FULL_WIDTH_DIGITS: Final = str.maketrans("0123456789", "０１２３４５６７８９")


def _next_year_text(text: str, old_year: int, new_year: int) -> str | None:
    """The text with its year moved on (令和2年度, 令和２年度 or R2), or None if it names none."""
    old_era, new_era = wareki_short(old_year), wareki_short(new_year)
    variants = [(wareki_year(old_year), wareki_year(new_year))]
    variants.append((variants[0][0].translate(_FULL_WIDTH_DIGITS), variants[0][1].translate(_FULL_WIDTH_DIGITS)))
    variants.append((f"{old_era[0]}{int(old_era[1:])}", f"{new_era[0]}{int(new_era[1:])}"))
    for old, new in variants:
        if old in text:
            return text.replace(old, new)
    return None
