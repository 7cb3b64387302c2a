"""Chinese search (projects/search.py): it finds exactly what a case-insensitive LIKE finds, on
any database; on PostgreSQL its condition can use the GIN indexes for every query length, and
the n-gram column follows the row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q

from portal.testing.factories import OrganizationFactory
from projects.choices import BusinessModel, Sector
from projects.models import Project
from projects.search import search_projects, search_text

pytestmark = pytest.mark.django_db

ROWS = [
    ("埃塞俄比亚亚的斯亚贝巴轻轨二期项目", "Addis Ababa Light Rail Phase II Project", "亚的斯亚贝巴"),
    ("肯尼亚蒙巴萨港口扩建工程", "Mombasa Port Expansion Works", "蒙巴萨"),
    ("印尼雅加达光伏电站项目", "Jakarta Solar PV Plant Project", "雅加达"),
    ("巴基斯坦卡拉奇2号燃煤电站", "Karachi No. 2 Coal-fired Power Plant", "卡拉奇"),
    ("老挝万象铁路 二期", "Vientiane Railway, phase 2", "万象"),
    ("刚果（金）首都医院", "Kinshasa Hospital", "金沙萨"),
    ("塞尔维亚光伏组件厂①", "Serbia Solar Module Factory", "斯梅代雷沃"),
    ("100% 绿色_电力  示范园", "100% Green_Power  Park", "达卡"),
]
QUERIES = [
    "路",
    "电",
    "港口",
    "铁路",
    "光伏",
    "光伏电站",
    "亚的斯",
    "亚的斯亚贝巴",
    "冰川",
    "①",
    "铁路 二期",
    "（金）",
    "首都医院",
    "rail",
    "RAIL",
    "pv",
    "No. 2",
    "100%",
    "n_p",
    "_",
    "%",
    "  二期  ",
]


@pytest.fixture
def projects():
    org = OrganizationFactory()
    return [
        Project.objects.create(
            organization=org,
            name=name,
            name_en=name_en,
            location=location,
            country_id="KE",
            sector=Sector.TRANSPORT,
            business_model=BusinessModel.EPC,
            search_text=search_text(name, name_en, location),
        )
        for name, name_en, location in ROWS
    ]


def _icontains(query: str) -> set[int]:
    query = query.strip()
    condition = Q(name__icontains=query) | Q(name_en__icontains=query) | Q(location__icontains=query)
    return set(Project.objects.filter(condition).values_list("pk", flat=True))


@pytest.mark.parametrize("query", QUERIES)
def test_search_finds_exactly_what_icontains_finds(projects, query):
    found = set(search_projects(Project.objects.all(), query).values_list("pk", flat=True))
    assert found == _icontains(query)


def test_search_finds_the_examples(projects):
    by_name = {p.name: p.pk for p in projects}
    found = set(search_projects(Project.objects.all(), "光伏").values_list("pk", flat=True))
    assert found == {by_name["印尼雅加达光伏电站项目"], by_name["塞尔维亚光伏组件厂①"]}
    assert list(search_projects(Project.objects.all(), "冰川")) == []
    assert search_projects(Project.objects.all(), "   ").count() == len(ROWS)


def test_search_works_inside_a_subquery(projects):
    """The condition names its columns through the table alias the queryset gets as a subquery."""
    inner = search_projects(Project.objects.all(), "电站").values("pk")
    outer = Project.objects.filter(pk__in=inner)
    assert set(outer.values_list("name", flat=True)) == {"印尼雅加达光伏电站项目", "巴基斯坦卡拉奇2号燃煤电站"}


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")


def _plan(query: str) -> str:
    """The plan when the planner may not scan the table or walk a btree: an index it can use."""
    sql, params = search_projects(Project.objects.all(), query).order_by("-id").query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_indexscan = off")
        cur.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cur.fetchall())


@postgres_only
@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("路", "project_search_vector"),
        ("港口", "project_search_vector"),
        ("pv", "project_search_vector"),
        ("光伏电站", "project_name_trgm"),
        ("亚的斯亚贝巴", "project_location_trgm"),
        ("rail", "project_name_en_trgm"),
    ],
)
def test_every_query_length_can_use_a_gin_index(projects, query, index):
    assert index in _plan(query)


@postgres_only
def test_the_ngram_column_follows_search_text(projects):
    project = projects[0]
    name = "冰川水电站"
    Project.objects.filter(pk=project.pk).update(name=name, search_text=search_text(name, "", project.location))
    with connection.cursor() as cur:
        cur.execute("SELECT search_vector @@ '冰川'::tsquery FROM projects_project WHERE id = %s", [project.pk])
        assert cur.fetchone() == (True,)
    assert list(search_projects(Project.objects.all(), "冰川")) == [Project.objects.get(pk=project.pk)]
