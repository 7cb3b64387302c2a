"""Chinese substring search on PostgreSQL (projects/search.py): whatever the index finds, the
result is exactly what a substring test over the same rows gives."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.urls import reverse

from portal.testing.factories import OrganizationFactory
from projects.models import Project
from projects.search import MAX_QUERY_LENGTH, search_projects

from .factories import ProjectFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the n-gram index is PostgreSQL's"),
]

# A small alphabet, so that random queries of every length often hit and often miss.
CHINESE = "港口铁路站房电厂水坝城市轻轨光伏新区大道第标段二期"
PLACES = ["蒙巴萨港区", "亚的斯亚贝巴", "雅加达-万隆", "万象", "阿斯塔纳", "塔什干", "利雅得", "迪拜", "圣保罗", "钱凯"]
ENGLISH = ["Port", "RAIL", "road", "Solar", "Metro", "Ring", "Bridge", "Phase", "LRT", "Plant", "2", "III"]


def _name(rng: random.Random) -> str:
    name = "".join(rng.choice(CHINESE) for _ in range(rng.randint(3, 12)))
    if rng.random() < 0.2:
        name += str(rng.randint(1, 12)) + "号"
    return name


def _english(rng: random.Random) -> str:
    words = [rng.choice(ENGLISH) for _ in range(rng.randint(1, 4))]
    return " ".join(w.upper() if rng.random() < 0.2 else w for w in words)


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    """~300 approved projects with random names from the small alphabet, made once for the module
    (committed, and deleted after its last test)."""
    rng = random.Random(20261122)
    with django_db_blocker.unblock():
        org = OrganizationFactory()
        for _ in range(300):
            ProjectFactory(
                organization=org,
                approved=True,
                name=_name(rng),
                name_en=_english(rng) if rng.random() < 0.8 else "",
                location=rng.choice(PLACES) if rng.random() < 0.9 else "",
            )
        yield list(Project.objects.values("id", "name", "name_en", "location"))
        Project.objects.filter(organization=org).delete()
        org.delete()


def expected(rows: list[dict], query: str) -> set[int]:
    """The plain substring filter the search must agree with (case-insensitive)."""
    query = query.strip()[:MAX_QUERY_LENGTH].lower()
    return {
        row["id"]
        for row in rows
        if not query or any(query in (row[field] or "").lower() for field in ("name", "name_en", "location"))
    }


def found(query: str) -> set[int]:
    return set(search_projects(Project.objects.all(), query).values_list("id", flat=True))


def _substrings(rng: random.Random, rows: list[dict], field: str, count: int, lengths=(2, 6)) -> list[str]:
    texts = [row[field] for row in rows if row[field]]
    result = []
    for _ in range(count):
        text = rng.choice(texts)
        length = rng.randint(*lengths)
        start = rng.randint(0, max(len(text) - length, 0))
        result.append(text[start : start + length])
    return result


def test_single_characters_find_exactly_the_rows_containing_them(corpus):
    for char in CHINESE + "号12":
        assert found(char) == expected(corpus, char), char


def test_two_character_queries_find_exactly_the_substring_matches(corpus):
    rng = random.Random(2)
    queries = {a + b for a in CHINESE[:8] for b in CHINESE[:8]}
    queries |= set(_substrings(rng, corpus, "name", 40, (2, 2)))
    hits = 0
    for query in sorted(queries):
        result = found(query)
        assert result == expected(corpus, query), query
        hits += bool(result)
    assert hits > 20  # the test is not vacuous


def test_longer_queries_find_exactly_the_substring_matches(corpus):
    rng = random.Random(3)
    queries = set(_substrings(rng, corpus, "name", 80, (3, 8)))
    queries |= {"".join(rng.choice(CHINESE) for _ in range(rng.randint(3, 5))) for _ in range(60)}
    hits = 0
    for query in sorted(queries):
        result = found(query)
        assert result == expected(corpus, query), query
        hits += bool(result)
    assert hits >= 80


def test_english_queries_are_case_insensitive(corpus):
    rng = random.Random(4)
    queries = set(_substrings(rng, corpus, "name_en", 60, (1, 10)))
    queries |= {q.swapcase() for q in list(queries)[:30]} | {"port", "PORT", "Rail", "lrt", "iii", "e R", "hase 2"}
    for query in sorted(queries):
        assert found(query) == expected(corpus, query), query
    assert found("solar") == found("SOLAR") == expected(corpus, "Solar") != set()


def test_locations_are_searched(corpus):
    for place in PLACES:
        for query in (place, place[:2], place[-2:], place[1:]):
            assert found(query) == expected(corpus, query), query
    assert found("雅加达-万隆") == expected(corpus, "雅加达-万隆") != set()


ODD_QUERIES = [
    "港 口",
    "港-口",
    "港口!",
    "(港)",
    "港&口",
    "港|口",
    "!港",
    "港:*",
    "'",
    '"',
    "\\",
    "%",
    "_",
    "%港%",
    "港_",
    "&",
    "|",
    "!",
    ":*",
    "<->",
    "。",
    "，港口",
    "％",
    "\u3000港口\u3000",
    "港\t口",
    "🚄",
    "路'; DROP TABLE projects_project; --",
    "  ",
    "",
    "港" * (MAX_QUERY_LENGTH + 50),
    "a:b",
    "1号",
]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_punctuation_and_spaces_do_not_break_the_search(query, corpus):
    assert found(query) == expected(corpus, query)


@pytest.mark.parametrize("query", [*ODD_QUERIES, "\x00", "港\x00口"])
def test_odd_queries_through_the_api_are_never_a_500(query, corpus, api):
    response = api.get(reverse("api:project-list"), {"search": query, "page_size": 200})
    assert response.status_code in (200, 400), response.content[:300]


def test_api_search_returns_exactly_the_substring_matches(corpus, api):
    rng = random.Random(5)
    queries = ["港", "铁路", "站房电", "port", "RING", "阿斯塔纳", *_substrings(rng, corpus, "name", 10, (2, 4))]
    for query in queries:
        ids, url, params = set(), reverse("api:project-list"), {"search": query, "page_size": 100}
        while url:
            body = api.get(url, params).json()
            ids |= {row["id"] for row in body["results"]}
            url, params = body["next"], None
        assert ids == expected(corpus, query), query


def test_the_search_combines_with_other_filters(corpus, api):
    some = corpus[0]
    Project.objects.filter(pk=some["id"]).update(stage="completed")
    query = some["name"][:2]
    body = api.get(reverse("api:project-list"), {"search": query, "stage": "completed", "page_size": 200}).json()
    assert {row["id"] for row in body["results"]} == expected(corpus, query) & set(
        Project.objects.filter(stage="completed").values_list("id", flat=True)
    )
