"""The API's filter backend builds only the filters a request names, and answers what the whole
FilterSet answers: the same rows, the same errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import QueryDict
from rest_framework.exceptions import ValidationError

from portal.api.filters import RequestedFiltersBackend, restricted
from projects.choices import Sector, Stage
from projects.filtersets import ProjectFilterSet
from projects.models import Project
from projects.tests.factories import ProjectFactory

QUERIES = [
    "",
    "stage=under_construction",
    "stage=under_construction&stage=completed&sector=transport",
    "country=KH,my&value_min=1000000",
    "start_after=2024-01-01&start_before=2026-12-31&year=2025",
    "library=operating&search=港口",
    "filing_status=approved&organization=1",
    "page_size=5&cursor=",
]
BAD = ["stage=nonsense", "year=0", "start_after=yesterday", "value_min=lots"]


def query(string: str) -> QueryDict:
    return QueryDict(string)


@pytest.fixture
def projects(cast):
    combos = [(stage, sector) for stage in Stage.values[:3] for sector in Sector.values[:3]]
    return [
        ProjectFactory(
            organization=cast.enterprise if i % 2 else cast.outsider_org,
            approved=i % 3 != 0,
            stage=stage,
            sector=sector,
            country_id=["KH", "MY", "KE"][i % 3],
            contract_value=Decimal(500_000 * (i + 1)),
            contract_value_usd=Decimal(500_000 * (i + 1)),
            start_date=dt.date(2023 + i % 4, 3, 1),
            name=f"金边港口第{i}号工程" if i % 2 else f"内罗毕铁路第{i}段",
        )
        for i, (stage, sector) in enumerate(combos)
    ]


def test_the_queries_discriminate(projects, cast, rf):
    # Each query above (but the empty one) keeps some rows and drops others, or it proves nothing.
    request = rf.get("/")
    request.user = cast.official
    counts = set()
    for string in QUERIES[1:7]:
        data = query(string)
        counts.add(ProjectFilterSet(data=data, queryset=Project.objects.all(), request=request).qs.count())
    assert counts and max(counts) < len(projects) and len(counts) > 2


@pytest.mark.parametrize("string", QUERIES)
def test_the_restricted_filterset_finds_what_the_whole_one_finds(string, projects, cast, rf):
    request = rf.get("/?" + string)
    request.user = cast.official
    data = query(string)
    whole = ProjectFilterSet(data=data, queryset=Project.objects.all(), request=request)
    part = restricted(ProjectFilterSet, frozenset(data))(data=data, queryset=Project.objects.all(), request=request)
    assert whole.is_valid() and part.is_valid()
    assert list(part.qs.values_list("id", flat=True)) == list(whole.qs.values_list("id", flat=True))


@pytest.mark.parametrize("string", BAD)
def test_the_restricted_filterset_refuses_what_the_whole_one_refuses(string, cast, rf):
    request = rf.get("/?" + string)
    request.user = cast.official
    data = query(string)
    whole = ProjectFilterSet(data=data, queryset=Project.objects.all(), request=request)
    part = restricted(ProjectFilterSet, frozenset(data))(data=data, queryset=Project.objects.all(), request=request)
    assert not whole.is_valid()
    assert part.errors == whole.errors


def test_only_the_named_filters_are_built():
    cls = restricted(ProjectFilterSet, frozenset({"stage", "value_min", "page_size", "nonsense"}))
    assert set(cls.base_filters) == {"stage", "value_min"}
    assert issubclass(cls, ProjectFilterSet)
    assert restricted(ProjectFilterSet, frozenset({"stage", "value_min"})) is cls  # made once
    assert restricted(ProjectFilterSet, frozenset(ProjectFilterSet.base_filters)) is ProjectFilterSet


def test_a_filterset_can_opt_out(cast, rf):
    class Whole(ProjectFilterSet):
        restrict_to_requested = False

    class View:
        filterset_class = Whole

    request = rf.get("/?stage=completed")
    request.user = cast.official
    from rest_framework.request import Request

    filterset = RequestedFiltersBackend().get_filterset(Request(request), Project.objects.all(), View())
    assert set(filterset.filters) == set(ProjectFilterSet.base_filters)


def test_the_api_answers_a_bad_filter_with_a_400(api):
    response = api.get("/api/v1/projects/?stage=nonsense")
    assert response.status_code == 400
    assert "stage" in response.json()
    with pytest.raises(ValidationError):
        raise ValidationError(response.json())
