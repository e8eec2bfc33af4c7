"""Hypothesis strategies for sheets with arbitrary (but storable) text and amounts."""

from __future__ import annotations

from hypothesis import strategies as st

from desktop_app.domain import MAX_AMOUNT, WARDS, Category, Group, Project, Sheet, Stage, Status

# Text as people paste it: any printable character, including formula-like starts and emoji,
# but no lone surrogates (they cannot be stored as UTF-8 at all).
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
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
    group_names = draw(st.lists(names, max_size=3, unique=True))
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
            group=draw(st.one_of(st.none(), st.sampled_from(group_names))) if group_names else None,
            new=draw(st.booleans()),
            status=draw(st.sampled_from(list(Status))),
            note=draw(text),
            children=children,
            section=draw(st.one_of(st.none(), text)),
            district=draw(st.one_of(st.none(), text)),
            notes_heading=draw(st.one_of(st.none(), text)),
        )
        return project.with_children_summed()

    projects = tuple(a_project(True) for _ in range(draw(st.integers(0, 6))))
    ward = draw(st.sampled_from(WARDS))
    return Sheet(
        ward=ward.name,
        fiscal_year=draw(st.integers(1990, 2060)),
        title=draw(names),
        vision=draw(text),
        stages=tuple(Stage(n, lock) for n, lock in zip(stage_names, locked, strict=True)),
        categories=categories,
        groups=groups,
        projects=projects,
    )
