"""Realistic synthetic sheets for benchmarks and size tests: many projects, groups, sub-items."""

from __future__ import annotations

import random

from desktop_app.domain import (
    DEFAULT_CATEGORY_NAMES,
    Category,
    Group,
    Project,
    Sheet,
    Status,
    default_title,
    find_ward,
)

_GROUPS = (
    "地域活動の負担軽減",
    "生きがいとしての地域活動",
    "おたがいさまで支えあう地域づくり",
    "持続可能な地域となるために",
    "防災・減災",
    "その他",
)
_SUBJECTS = ("地域", "防災", "健康", "子育て", "交流", "魅力発信", "担い手", "見守り", "スポーツ", "文化")
_KINDS = ("推進事業", "支援事業", "開催経費", "強化経費", "育成事業", "活用事業")
_DESCRIPTION = (
    "地域団体等が行う地域コミュニティの活性化や地域課題の解決に向けた取組に対して、"
    "活動費の一部を助成するとともに、関係機関と連携した講座や交流会を開催する。"
)


def synthetic_sheet(ward: str, fiscal_year: int, projects: int = 200, seed: int = 0) -> Sheet:
    """A sheet of `projects` top-level projects over two categories, with groups and some sub-items."""
    rng = random.Random(f"{ward}-{fiscal_year}-{projects}-{seed}")
    machi, fukko = DEFAULT_CATEGORY_NAMES
    rows = []
    for index in range(projects):
        category = machi if index < projects * 0.7 else fukko
        group = _GROUPS[min(len(_GROUPS) - 1, index * len(_GROUPS) // projects)]
        initial = rng.randrange(100, 3000)
        september = initial if rng.random() < 0.7 else rng.randrange(0, initial + 1)
        february = september if rng.random() < 0.6 else rng.randrange(0, september + 1)
        settled = rng.randrange(0, february + 1)
        status = Status.IMPLEMENTED if settled else Status.CANCELLED
        name = f"{rng.choice(_SUBJECTS)}{rng.choice(_SUBJECTS)}{rng.choice(_KINDS)}"
        children: tuple[Project, ...] = ()
        if rng.random() < 0.08:
            first = initial // 2
            children = tuple(
                Project(
                    no=mark,
                    name=f"{rng.choice(_SUBJECTS)}{rng.choice(_KINDS)}",
                    category=category,
                    amounts=amounts,
                    district=rng.choice(("幸田", "城南", "富合", "天明")),
                    status=status,
                )
                for mark, amounts in (
                    ("①", (first, september // 2, february // 2, settled // 2)),
                    (
                        "②",
                        (initial - first, september - september // 2, february - february // 2, settled - settled // 2),
                    ),
                )
            )
        rows.append(
            Project(
                no=str(index + 1),
                name=name,
                category=category,
                amounts=(initial, september, february, settled),
                description=_DESCRIPTION[: rng.randrange(40, len(_DESCRIPTION))],
                group=group,
                new=rng.random() < 0.1,
                status=status,
                note="新型コロナウイルス感染症の影響により中止" if status is Status.CANCELLED else "",
                children=children,
            )
        )
    found = find_ward(ward)
    return Sheet(
        ward=found.name,
        fiscal_year=fiscal_year,
        title=default_title(found.name, fiscal_year),
        vision=found.vision,
        categories=(Category(machi, 17000), Category(fukko, 10000)),
        groups=tuple(Group(name) for name in _GROUPS),
        projects=tuple(rows),
    )
