"""Hypothesis strategies for sheets with arbitrary (but storable) text and amounts."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from desktop_app.domain import MAX_AMOUNT, WARDS, Category, Group, Project, Sheet, Stage, Status
from desktop_app.domain.model import DEFAULT_LAYOUT, WARD_LAYOUTS, normalized_group_indexes

# Text as people paste it: any printable character, including formula-like starts and emoji,
# but no lone surrogates (they cannot be stored as UTF-8 at all).
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
names = text.filter(lambda s: s.strip() != "")
amounts = st.one_of(st.none(), st.integers(min_value=0, max_value=MAX_AMOUNT))
# Up to three sub-items whose sum must still be a storable amount.
child_amounts = st.one_of(st.none(), st.integers(min_value=0, max_value=MAX_AMOUNT // 3))


@st.composite
def sheets(draw: st.DrawFn) -> Sheet:
    width = draw(st.integers(min_value=1, max_value=5))
    stage_names = draw(st.lists(names, min_size=width, max_size=width, unique=True))
    locked = draw(st.lists(st.booleans(), min_size=width, max_size=width))
    category_names = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    # Names may repeat (南区 prints two headings 防災・減災): a project then says which by position.
    group_names = draw(st.lists(names, max_size=3))
    categories = tuple(Category(n, draw(amounts)) for n in category_names)
    groups = tuple(Group(n, draw(text)) for n in group_names)

    def a_project(children_allowed: bool, category: str | None = None) -> Project:
        cat = category or draw(st.sampled_from(category_names))
        children: tuple[Project, ...] = ()
        if children_allowed and draw(st.booleans()):
            children = tuple(a_project(False, cat) for _ in range(draw(st.integers(1, 3))))
        project = Project(
            no=draw(text),
            name=draw(names),
            category=cat,
            amounts=tuple(draw(amounts if children_allowed else child_amounts) for _ in range(width)),
            description=draw(text),
            group=None,
            new=draw(st.booleans()),
            status=draw(st.sampled_from(list(Status))),
            note=draw(text),
            children=children,
            section=draw(st.one_of(st.none(), text)),
            district=draw(st.one_of(st.none(), text)),
            notes_heading=draw(st.one_of(st.none(), text)),
        )
        if group_names and children_allowed and draw(st.booleans()):
            position = draw(st.integers(0, len(group_names) - 1))
            project = replace(project, group=group_names[position], group_index=position)
        return project.with_children_summed()

    projects = tuple(a_project(True) for _ in range(draw(st.integers(0, 6))))
    ward = draw(st.sampled_from(WARDS))
    layout = draw(st.sampled_from([DEFAULT_LAYOUT, *WARD_LAYOUTS.values()]))
    if draw(st.booleans()):
        layout = replace(layout, overview=draw(text), extra={"future_field": draw(text)})
    sheet = Sheet(
        ward=ward.name,
        fiscal_year=draw(st.integers(1990, 2060)),
        title=draw(names),
        vision=draw(text),
        stages=tuple(Stage(n, lock) for n, lock in zip(stage_names, locked, strict=True)),
        categories=categories,
        groups=groups,
        projects=projects,
        layout=layout,
    )
    return normalized_group_indexes(sheet)
