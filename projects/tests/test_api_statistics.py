"""The project library's API: the statistics and the overseas map, with their query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from portal.testing.cast import Cast
from projects.models import ExchangeRate

from .factories import ProjectFactory
from .helpers import OFFICIALS

pytestmark = pytest.mark.django_db


# --- The map --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", Cast.ROLES)
def test_the_map_counts_approved_projects_and_shows_values_to_officials_only(role, cast, api):
    ProjectFactory(organization=cast.enterprise, approved=True, country_id="KE", contract_value=Decimal(100))
    ProjectFactory(organization=cast.outsider_org, approved=True, country_id="KE", contract_value=Decimal(50))
    ProjectFactory(organization=cast.enterprise, country_id="KE")  # a draft is not on the map
    ProjectFactory(organization=cast.enterprise, submitted=True, country_id="ET")
    response = api.as_user(cast.user(role)).get(reverse("api:project-map"))
    assert response.status_code == 200
    rows = response.json()
    assert [(r["code"], r["count"], r["alpha3"], r["region"]) for r in rows] == [("KE", 2, "KEN", "africa")]
    if role in OFFICIALS:
        assert rows[0]["value_usd"] == "150.00"
    else:
        assert "value_usd" not in rows[0]


# --- Query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["country", "region", "sector", "stage", "business_model", "year"])
def test_statistics_cost_two_queries_per_dimension(by, many_projects, cast, api, django_assert_num_queries):
    client = api.as_user(cast.official)
    # membership (IsOfficial); one GROUP BY over the filtered projects
    with django_assert_num_queries(2):
        response = client.get(reverse("api:project-statistics"), {"by": by})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("role", "queries"),
    [
        # one GROUP BY country over approved projects
        ("anonymous", 1),
        # membership (to decide whether values are shown); the GROUP BY
        ("official", 2),
        ("owner", 2),
    ],
)
def test_the_map_costs_one_grouped_query(role, queries, many_projects, cast, api, django_assert_num_queries):
    client = api.as_user(cast.user(role))
    with django_assert_num_queries(queries):
        response = client.get(reverse("api:project-map"))
    assert response.status_code == 200
    assert sum(row["count"] for row in response.json()) == 12


# --- Statistics -----------------------------------------------------------------------------


@pytest.fixture
def known_dataset(cast):
    """Four approved projects (and a draft and a submitted one that statistics leave out)."""
    ExchangeRate.objects.filter(currency="ETB").update(usd_per_unit=Decimal("0.008"))
    make = ProjectFactory
    make(
        organization=cast.enterprise,
        approved=True,
        country_id="KE",
        sector="transport",
        stage="under_construction",
        business_model="epc",
        contract_value=Decimal("1000000"),
        start_date=dt.date(2024, 3, 1),
        chinese_staff=10,
        local_staff=100,
    )
    make(
        organization=cast.enterprise,
        approved=True,
        country_id="KE",
        sector="building",
        stage="completed",
        business_model="general_contracting",
        contract_value=Decimal("2000000"),
        start_date=dt.date(2025, 1, 1),
        planned_completion=dt.date(2025, 12, 31),
        chinese_staff=20,
        local_staff=200,
    )
    make(
        organization=cast.enterprise,
        approved=True,
        country_id="ET",
        sector="power",
        stage="under_construction",
        business_model="epc",
        contract_value=Decimal("10000000"),
        currency="ETB",
        start_date=dt.date(2024, 6, 1),
        chinese_staff=30,
        local_staff=300,
    )
    make(
        organization=cast.outsider_org,
        approved=True,
        country_id="ID",
        sector="transport",
        stage="operating",
        business_model="bot",
        contract_value=Decimal("3000000"),
        start_date=None,
        planned_completion=None,
        chinese_staff=40,
        local_staff=400,
    )
    make(
        organization=cast.enterprise, country_id="KE", contract_value=Decimal("9000000"), chinese_staff=1, local_staff=1
    )
    make(organization=cast.outsider_org, submitted=True, country_id="VN", contract_value=Decimal("7000000"))


def _stats(client, **params) -> dict[str, tuple]:
    response = client.get(reverse("api:project-statistics"), params)
    assert response.status_code == 200, response.content
    return {
        row["key"]: (row["count"], row["contract_value_usd"], row["chinese_staff"], row["local_staff"])
        for row in response.json()
    }


STATISTICS = {
    "country": {
        "KE": (2, "3000000.00", 30, 300),
        "ET": (1, "80000.00", 30, 300),
        "ID": (1, "3000000.00", 40, 400),
    },
    "region": {"africa": (3, "3080000.00", 60, 600), "southeast_asia": (1, "3000000.00", 40, 400)},
    "sector": {
        "transport": (2, "4000000.00", 50, 500),
        "building": (1, "2000000.00", 20, 200),
        "power": (1, "80000.00", 30, 300),
    },
    "stage": {
        "under_construction": (2, "1080000.00", 40, 400),
        "completed": (1, "2000000.00", 20, 200),
        "operating": (1, "3000000.00", 40, 400),
    },
    "business_model": {
        "epc": (2, "1080000.00", 40, 400),
        "general_contracting": (1, "2000000.00", 20, 200),
        "bot": (1, "3000000.00", 40, 400),
    },
    "year": {"2024": (2, "1080000.00", 40, 400), "2025": (1, "2000000.00", 20, 200), "": (1, "3000000.00", 40, 400)},
}


@pytest.mark.parametrize("by", list(STATISTICS))
def test_statistics_count_and_sum_approved_projects_by_each_dimension(by, known_dataset, cast, api):
    assert _stats(api.as_user(cast.official), by=by) == STATISTICS[by]


def test_statistics_are_largest_first_with_labels(known_dataset, cast, api):
    rows = api.as_user(cast.official).get(reverse("api:project-statistics"), {"by": "region"}).json()
    assert [(r["key"], r["label"]) for r in rows] == [("africa", "非洲"), ("southeast_asia", "东南亚")]
    rows = api.as_user(cast.official).get(reverse("api:project-statistics"), {"by": "country"}).json()
    assert rows[0]["key"] == "KE"
    assert rows[0]["label"] == "肯尼亚"


def test_statistics_include_other_filing_statuses_only_when_asked(known_dataset, cast, api):
    client = api.as_user(cast.official)
    assert _stats(client, by="country", filing_status="draft") == {"KE": (1, "9000000.00", 1, 1)}
    both = _stats(client, by="region", filing_status=["draft", "submitted"])
    assert both == {"africa": (1, "9000000.00", 1, 1), "southeast_asia": (1, "7000000.00", 120, 860)}


def test_statistics_follow_the_list_filters(known_dataset, cast, api):
    client = api.as_user(cast.official)
    assert _stats(client, by="sector", country="KE") == {
        "transport": (1, "1000000.00", 10, 100),
        "building": (1, "2000000.00", 20, 200),
    }
    assert _stats(client, by="stage", region="southeast_asia") == {"operating": (1, "3000000.00", 40, 400)}
    assert _stats(client, by="country", organization=cast.outsider_org.pk) == {"ID": (1, "3000000.00", 40, 400)}


@pytest.mark.parametrize("role", Cast.ROLES)
def test_statistics_are_for_officials_only(role, known_dataset, cast, api):
    response = api.as_user(cast.user(role)).get(reverse("api:project-statistics"), {"by": "sector"})
    expected = 200 if role in OFFICIALS else 401 if role == "anonymous" else 403
    assert response.status_code == expected


def test_statistics_by_an_unknown_dimension_is_a_400(cast, api):
    response = api.as_user(cast.official).get(reverse("api:project-statistics"), {"by": "colour"})
    assert response.status_code == 400
    assert "by" in response.json()


def test_statistics_labels_are_in_the_language_asked_for(known_dataset, cast, api):
    client = api.as_user(cast.official)
    rows = client.get(reverse("api:project-statistics"), {"by": "country"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert (rows[0]["key"], rows[0]["label"]) == ("KE", "Kenya")
    rows = client.get(reverse("api:project-statistics"), {"by": "region"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert [r["label"] for r in rows] == ["Africa", "Southeast Asia"]
