"""The sheet file of INTERCHANGE.md (`machizukuri-sheet/1`): strict reading, deterministic writing."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, Final

from desktop_app.domain import (
    MAX_TEXT_LENGTH,
    AmountError,
    Category,
    FiscalYearError,
    Group,
    Project,
    Sheet,
    SheetStructureError,
    Stage,
    Status,
    UnknownWardError,
    check_structure,
    default_title,
    find_ward,
    parse_amount,
    parse_fiscal_year,
)
from desktop_app.domain.layout import layout_from_dict, layout_to_dict
from desktop_app.domain.model import SheetLayout, normalized_group_indexes, project_label
from desktop_app.exchange.errors import ImportFileError

FORMAT: Final = "machizukuri-sheet/1"
UNIT: Final = "千円"
_TOP_KEYS: Final = (
    "format",
    "ward",
    "fiscal_year",
    "title",
    "vision",
    "unit",
    "stages",
    "locked_stages",
    "categories",
    "groups",
    "projects",
    "layout",
)
_REQUIRED_TOP_KEYS: Final = ("format", "ward", "fiscal_year", "stages", "categories", "projects")
_PROJECT_KEYS: Final = (
    "no",
    "name",
    "description",
    "category",
    "group",
    "new",
    "amounts",
    "status",
    "note",
    "section",
    "district",
    "notes_heading",
    "group_index",
    "children",
)
_REQUIRED_PROJECT_KEYS: Final = ("name", "category", "amounts")
_OPTIONAL_TEXT_KEYS: Final = ("section", "district", "notes_heading")
_STATUS_CODES: Final = " / ".join(status.value for status in Status)
# The format nests six deep (sheet → projects → project → children → sub-item → amounts).
_MAX_DEPTH: Final = 16
# Counted in the text, braces and commas inside strings included: ten times a sheet of the most projects.
_MAX_CONTAINERS: Final = 50_000
_MAX_COMMAS: Final = 1_000_000
# Far more digits than any amount or year; Python refuses to convert past 4,300 digits anyway.
_MAX_DIGITS: Final = 30
# Half of a UTF-16 pair on its own: JSON's \ud800 escape gives one, and no file or database can store it.
_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")


# ---------------------------------------------------------------- writing


def sheet_to_data(sheet: Sheet) -> dict[str, Any]:
    """The sheet as plain JSON data, keys in the contract's order."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "ward": sheet.ward,
        "fiscal_year": sheet.fiscal_year,
        "title": sheet.title,
        "vision": sheet.vision,
        "unit": sheet.unit,
        "stages": [stage.name for stage in sheet.stages],
    }
    locked = [stage.name for stage in sheet.stages if stage.locked]
    if locked:
        data["locked_stages"] = locked
    data["categories"] = [{"name": c.name, "allocation": c.allocation} for c in sheet.categories]
    data["groups"] = [{"name": g.name, "description": g.description} for g in sheet.groups]
    data["projects"] = [_project_to_data(p, sheet) for p in sheet.projects]
    layout = layout_to_dict(sheet.layout)
    if layout:
        data["layout"] = layout
    return data


def _project_to_data(project: Project, sheet: Sheet) -> dict[str, Any]:
    data: dict[str, Any] = {
        "no": project.no,
        "name": project.name,
        "description": project.description,
        "category": project.category,
        "group": project.group,
        "new": project.new,
        "amounts": list(project.amounts),
        "status": project.status.value,
        "note": project.note,
    }
    for key in _OPTIONAL_TEXT_KEYS:
        value = getattr(project, key)
        if value is not None:
            data[key] = value
    if project.group_index is not None:
        # Only a project in a later group of a repeated name says which; older files stay as they were.
        data["group_index"] = project.group_index
    data["children"] = [_project_to_data(child, sheet) for child in project.children]
    return data


def dump_sheet(sheet: Sheet) -> str:
    """UTF-8 text, 2-space indent, Japanese unescaped, trailing newline: the same sheet, the same bytes."""
    return json.dumps(sheet_to_data(sheet), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- reading


def load_sheet_bytes(raw: bytes, file_name: str) -> Sheet:
    """Read a sheet file, refusing anything not exactly of the format with a message naming the place."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(file_name, f"UTF-8のテキストではありません（{exc.start}バイト目）") from exc
    _check_counts(text, file_name)
    try:
        data = json.loads(
            text,
            object_pairs_hook=_object_without_repeats,
            parse_int=_bounded_int,
            parse_float=_finite_float,
            parse_constant=_no_constant,
        )
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            file_name, f"JSONとして読めません（{exc.lineno}行目 {exc.colno}文字目: {_json_reason(exc.msg)}）"
        ) from exc
    except RecursionError as exc:
        raise ImportFileError(file_name, "JSONの入れ子が深すぎます") from exc
    _check_values(data, file_name)
    return sheet_from_data(data, file_name)


def _check_counts(text: str, file_name: str) -> None:
    """Refuse, before parsing, a file of far more objects or values than any sheet has.

    A sheet of 1,000 projects has some 3,000 objects and arrays and 30,000 commas; a 20 MB file
    of `{},{},…` would parse into 7 million objects and more than a gigabyte.
    """
    containers = text.count("{") + text.count("[")
    if containers > _MAX_CONTAINERS:
        raise ImportFileError(
            file_name, f"JSONのオブジェクトと配列が多すぎます（{containers:,}個。{_MAX_CONTAINERS:,}個までです）"
        )
    commas = text.count(",")
    if commas > _MAX_COMMAS:
        raise ImportFileError(
            file_name, f"JSONの値が多すぎます（区切りのカンマが{commas:,}個。{_MAX_COMMAS:,}個までです）"
        )


class _Refused:
    """A JSON value the parser met that no sheet may hold; reported with its place by `_check_values`."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _RepeatedKeys(dict[str, Any]):
    """An object in which a key occurs twice: JSON readers differ on which one wins, so neither does."""

    repeated = ""


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            repeated = _RepeatedKeys(result)
            repeated.repeated = key
            return repeated
        result[key] = value
    return result


def _bounded_int(text: str) -> int | _Refused:
    digits = len(text.lstrip("-"))
    if digits > _MAX_DIGITS:
        return _Refused(f"数値の桁が多すぎます（{digits:,}桁）")
    return int(text)


def _finite_float(text: str) -> float | _Refused:
    value = float(text)
    if not math.isfinite(value):
        return _Refused("数値が大きすぎます")
    return value


def _no_constant(name: str) -> _Refused:
    return _Refused(f"JSONでは使えない値「{name}」があります")


def _check_values(data: object, file_name: str) -> None:
    """Refuse, naming the field, what the parser let through but no sheet can hold.

    Repeated keys, numbers beyond any amount, NaN, lone surrogates, text longer than a cell.
    Paths are spelt out only for the message: a file may hold a great many values.
    """
    pending: list[tuple[object, _Path, int]] = [(data, None, 1)]
    while pending:
        value, path, depth = pending.pop()
        if depth > _MAX_DEPTH:
            raise ImportFileError(file_name, f"{_where(path)}の入れ子が深すぎます")
        if isinstance(value, dict):
            if isinstance(value, _RepeatedKeys):
                raise ImportFileError(file_name, f"{_where(path)}に項目「{_shown(value.repeated)}」が2回あります")
            items: Iterable[tuple[str | int, object]] = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            _check_scalar(value, path, file_name)
            continue
        for key, item in items:
            if isinstance(key, str) and _needs_check(key):
                _check_text(key, f"{_where(path)}の項目名", file_name)
            if isinstance(item, dict | list):
                pending.append((item, (path, key), depth + 1))
            else:
                _check_scalar(item, (path, key), file_name)


# A field's place as (parent's place, key or index); None for the whole sheet.
_Path = tuple[Any, str | int] | None


def _where(path: _Path) -> str:
    parts: list[str | int] = []
    while path is not None:
        path, key = path
        parts.append(key)
    if not parts:
        return "シート"
    text = ""
    for part in reversed(parts):
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return f"「{text}」"


def _check_scalar(value: object, path: _Path, file_name: str) -> None:
    if isinstance(value, _Refused):
        raise ImportFileError(file_name, f"{_where(path)}: {value.reason}")
    if isinstance(value, str) and _needs_check(value):
        _check_text(value, _where(path), file_name)


def _needs_check(text: str) -> bool:
    return len(text) > MAX_TEXT_LENGTH or bool(_LONE_SURROGATE.search(text))


def _check_text(text: str, where: str, file_name: str) -> None:
    surrogate = _LONE_SURROGATE.search(text)
    if surrogate:
        raise ImportFileError(
            file_name,
            f"{where}に文字として読めない符号（対になっていないサロゲート U+{ord(surrogate.group()):04X}）があります",
        )
    if len(text) > MAX_TEXT_LENGTH:
        raise ImportFileError(file_name, f"{where}の文字が{len(text):,}文字あります（{MAX_TEXT_LENGTH:,}文字までです）")


def _shown(key: str) -> str:
    return key if len(key) <= 40 else key[:40] + "…"


def _json_reason(message: str) -> str:
    if "Expecting" in message or "Unterminated" in message:
        return "途中で切れているか、書式が崩れています"
    return "書式が崩れています"


def sheet_from_data(data: object, file_name: str) -> Sheet:
    reader = _Reader(file_name)
    return reader.sheet(data)


class _Reader:
    """Reads one file's data, knowing the file name for every message it raises."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.stage_names: list[str] = []

    def fail(self, message: str) -> ImportFileError:
        return ImportFileError(self.file_name, message)

    def sheet(self, data: object) -> Sheet:
        if not isinstance(data, dict):
            raise self.fail(f"このアプリのシート形式（{FORMAT}）ではありません（全体がオブジェクトではありません）")
        if data.get("format") != FORMAT:
            found = data.get("format")
            shown = f"「{found}」" if isinstance(found, str) else "なし"
            raise self.fail(f"このアプリのシート形式（{FORMAT}）ではありません（format: {shown}）")
        self.unknown_keys(data, _TOP_KEYS, "シート")
        for key in _REQUIRED_TOP_KEYS:
            if key not in data:
                raise self.fail(f"シートに「{key}」がありません")
        ward = self.ward(data["ward"])
        fiscal_year = self.fiscal_year(data["fiscal_year"])
        title = self.text(data, "title", "シート", default=default_title(ward, fiscal_year))
        vision = self.text(data, "vision", "シート", default="")
        unit = self.text(data, "unit", "シート", default=UNIT)
        if unit != UNIT:
            raise self.fail(f"単位（unit）「{unit}」は扱えません（「{UNIT}」のみ）")
        stages = self.stages(data["stages"], data.get("locked_stages", []))
        categories = self.listed(data["categories"], "categories", self.category)
        groups = self.listed(data.get("groups", []), "groups", self.group)
        projects = self.listed(data["projects"], "projects", lambda item, i: self.project(item, i, None))
        layout = self.layout(data.get("layout"))
        sheet = Sheet(
            ward=ward,
            fiscal_year=fiscal_year,
            title=title,
            vision=vision,
            unit=unit,
            stages=stages,
            categories=tuple(categories),
            groups=tuple(groups),
            projects=tuple(projects),
            layout=layout,
        )
        try:
            check_structure(sheet)
        except SheetStructureError as exc:
            raise self.fail(str(exc)) from exc
        return normalized_group_indexes(sheet)

    def unknown_keys(self, data: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for key in data:
            if key not in allowed:
                raise self.fail(f"{where}に知らない項目「{key}」があります（書き間違いではありませんか）")

    def ward(self, value: object) -> str:
        if not isinstance(value, str):
            raise self.fail("区（ward）が文字列ではありません")
        try:
            return find_ward(value).name
        except UnknownWardError as exc:
            raise self.fail(f"区（ward）: {exc}") from exc

    def fiscal_year(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self.fail("年度（fiscal_year）が数値ではありません")
        if isinstance(value, str) and len(value) > _MAX_DIGITS:
            raise self.fail(f"年度（fiscal_year）「{_shown(value)}」は年度として読めません")
        try:
            return parse_fiscal_year(value)
        except FiscalYearError as exc:
            raise self.fail(f"年度（fiscal_year）: {exc}") from exc

    def text(self, data: dict[str, Any], key: str, where: str, *, default: str) -> str:
        value = data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(f"{where}の「{key}」が文字列ではありません")
        return value

    def optional_text(self, data: dict[str, Any], key: str, where: str) -> str | None:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(f"{where}の「{key}」が文字列ではありません")
        return value

    def listed(self, value: object, key: str, read: Callable[[Any, int], Any]) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(f"「{key}」が配列ではありません")
        return [read(item, index) for index, item in enumerate(value)]

    def stages(self, value: object, locked: object) -> tuple[Stage, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail("段階（stages）が空か、配列ではありません")
        names = []
        for index, name in enumerate(value):
            if not isinstance(name, str) or not name.strip():
                raise self.fail(f"段階（stages）の{index + 1}番目が名前になっていません")
            names.append(name)
        if not isinstance(locked, list) or any(name not in names for name in locked):
            raise self.fail("確定済みの段階（locked_stages）が段階（stages）の名前になっていません")
        self.stage_names = names
        return tuple(Stage(name, name in locked) for name in names)

    def category(self, item: object, index: int) -> Category:
        where = f"経費区分（categories）の{index + 1}番目"
        if not isinstance(item, dict):
            raise self.fail(f"{where}がオブジェクトではありません")
        self.unknown_keys(item, ("name", "allocation"), where)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise self.fail(f"{where}に名前（name）がありません")
        return Category(name, self.amount(item.get("allocation"), f"経費区分「{name}」の配分額（allocation）"))

    def group(self, item: object, index: int) -> Group:
        where = f"グループ（groups）の{index + 1}番目"
        if not isinstance(item, dict):
            raise self.fail(f"{where}がオブジェクトではありません")
        self.unknown_keys(item, ("name", "description"), where)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise self.fail(f"{where}に名前（name）がありません")
        return Group(name, self.text(item, "description", f"グループ「{name}」", default=""))

    def layout(self, value: object) -> SheetLayout:
        """The optional `layout` object; fields it does not know are kept as they are."""
        try:
            return layout_from_dict(value)
        except ValueError as exc:
            raise self.fail(str(exc)) from exc

    def amount(self, value: object, where: str) -> int | None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise self.fail(f"{where}が数値ではありません（「{_shown(str(value))}」）")
        try:
            return parse_amount(value)
        except AmountError as exc:
            raise self.fail(f"{where}: {exc}") from exc

    def project(self, item: object, index: int, parent: Project | None) -> Project:
        position = f"事業（projects）の{index + 1}番目" if parent is None else f"{parent.label}の内訳{index + 1}番目"
        if not isinstance(item, dict):
            raise self.fail(f"{position}がオブジェクトではありません")
        no = item.get("no", "")
        if isinstance(no, int) and not isinstance(no, bool):
            no = str(no)
        if not isinstance(no, str):
            raise self.fail(f"{position}の番号（no）が文字列ではありません")
        name = item.get("name")
        label = position
        if isinstance(name, str):
            own = project_label(no, name)
            label = f"事業 {own}" if parent is None else f"{parent.label}の内訳 {own}"
        self.unknown_keys(item, _PROJECT_KEYS, label)
        for key in _REQUIRED_PROJECT_KEYS:
            if key not in item:
                raise self.fail(f"{label}に「{key}」がありません")
        if not isinstance(name, str) or not name.strip():
            raise self.fail(f"{position}の事業名（name）が空か、文字列ではありません")
        category = item["category"]
        if not isinstance(category, str):
            raise self.fail(f"{label}の経費区分（category）が文字列ではありません")
        group = item.get("group")
        if group is not None and not isinstance(group, str):
            raise self.fail(f"{label}のグループ（group）が文字列ではありません")
        group_index = item.get("group_index")
        if group_index is not None and (isinstance(group_index, bool) or not isinstance(group_index, int)):
            raise self.fail(f"{label}のグループ番号（group_index）が整数ではありません")
        new = item.get("new", False)
        if not isinstance(new, bool):
            raise self.fail(f"{label}の新規（new）が true / false ではありません")
        amounts_value = item["amounts"]
        if not isinstance(amounts_value, list):
            raise self.fail(f"{label}の金額（amounts）が配列ではありません")
        if len(amounts_value) != len(self.stage_names):
            raise self.fail(
                f"{label}の金額（amounts）が{len(amounts_value)}個で、段階の数{len(self.stage_names)}と合いません"
            )
        amounts = tuple(
            self.amount(value, f"{label}の{stage}（amounts[{i}]）")
            for i, (value, stage) in enumerate(zip(amounts_value, self.stage_names, strict=True))
        )
        status_value = item.get("status", Status.PLANNED.value)
        if not isinstance(status_value, str):
            raise self.fail(f"{label}の状況（status）が文字列ではありません")
        try:
            status = Status.from_text(status_value)
        except ValueError as exc:
            raise self.fail(f"{label}の状況（status）「{status_value}」は使えません（{_STATUS_CODES}）") from exc
        project = Project(
            no=no,
            name=name,
            category=category,
            amounts=amounts,
            description=self.text(item, "description", label, default=""),
            group=group,
            group_index=group_index,
            new=new,
            status=status,
            note=self.text(item, "note", label, default=""),
            section=self.optional_text(item, "section", label),
            district=self.optional_text(item, "district", label),
            notes_heading=self.optional_text(item, "notes_heading", label),
        )
        children_value = item.get("children", [])
        if parent is not None:
            if children_value:
                raise self.fail(f"{label}に内訳（children）がありますが、内訳は1階層までです")
            return project
        children = self.listed(children_value, "children", lambda child, i: self.project(child, i, project))
        return replace(project, children=tuple(children))
