"""The project library's API, the projects themselves: who may do what to a project in each filing
status, what the public never sees, bad input, the list's query counts and filters, and the demo
data."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification
from portal.testing.api import APIMatrix
from portal.testing.cast import Cast
from projects import services
from projects.choices import FilingStatus, Stage
from projects.demo import PROJECTS
from projects.models import (
    ExchangeRate,
    IntendedProjectSurvey,
    Project,
    ProjectReport,
    ProjectReview,
    ProjectStageChange,
)

from .factories import ProjectFactory, project_payload
from .helpers import OFFICIALS, PRIVATE_FIELDS, all_results, detail_url, list_url, officials, roles

pytestmark = pytest.mark.django_db


# --- The permission matrix ------------------------------------------------------------------


class ProjectMatrix(APIMatrix):
    basename = "project"
    update_data = {"name": "蒙巴萨港扩建工程（调整后）"}
    effects = {
        "action:submit": lambda project: project.filing_status == FilingStatus.SUBMITTED,
        "action:withdraw": lambda project: project.filing_status == FilingStatus.WITHDRAWN,
        "action:approve": lambda project: project.filing_status == FilingStatus.APPROVED and project.approved_at,
    }

    def create_data(self, cast):
        return project_payload()


class TestDraftProjectAPI(ProjectMatrix):
    """A draft is the enterprise's and the officials'; to everyone else it does not exist."""

    expect = {
        "list": roles(False, officials(True), owner=True, colleague=True),
        "retrieve": roles(404, officials(200), owner=200, colleague=200),
        # Officials see drafts but never edit an enterprise's project.
        "update": roles(404, officials(403), owner=200, colleague=200, anonymous=401),
        "destroy": roles(404, officials(403), owner=204, colleague=204, anonymous=401),
        # Only enterprise members register projects (for their own organisation).
        "create": roles(403, owner=201, colleague=201, outsider=201, anonymous=401),
        "action:submit": roles(404, officials(403), owner=200, colleague=200, anonymous=401),
        "action:withdraw": roles(404, officials(403), owner=400, colleague=400, anonymous=401),
        # A draft cannot be approved; only reviewers get as far as being told so.
        "action:approve": roles(
            404, officials(403), owner=403, colleague=403, reviewer=400, official=400, anonymous=401
        ),
        # The matrix posts {}. Authorisation comes before validation: only reviewers get as far as
        # being told that a draft cannot be returned; everyone else who can see it is refused.
        "action:return": roles(
            404, officials(403), owner=403, colleague=403, reviewer=400, official=400, anonymous=401
        ),
    }

    def make_record(self, cast):
        return ProjectFactory(organization=cast.enterprise)


class TestSubmittedProjectAPI(ProjectMatrix):
    """A submitted filing is locked for the enterprise until withdrawn; reviewers decide it."""

    expect = {
        "list": roles(False, officials(True), owner=True, colleague=True),
        "retrieve": roles(404, officials(200), owner=200, colleague=200),
        "update": roles(404, officials(403), owner=400, colleague=400, anonymous=401),
        "destroy": roles(404, officials(403), owner=400, colleague=400, anonymous=401),
        "action:submit": roles(404, officials(403), owner=400, colleague=400, anonymous=401),
        "action:withdraw": roles(404, officials(403), owner=200, colleague=200, anonymous=401),
        "action:approve": roles(
            404, officials(403), owner=403, colleague=403, reviewer=200, official=200, anonymous=401
        ),
        # An empty return comment is a 400 for reviewers only: the others are refused first.
        "action:return": roles(
            404, officials(403), owner=403, colleague=403, reviewer=400, official=400, anonymous=401
        ),
    }

    def make_record(self, cast):
        return ProjectFactory(organization=cast.enterprise, submitted=True)


class TestApprovedProjectAPI(ProjectMatrix):
    """An approved project is public (public fields only); only its enterprise edits it."""

    expect = {
        "list": roles(True),
        "retrieve": roles(200),
        # A name is not a key field: the owner's edit keeps the filing approved.
        "update": roles(403, owner=200, colleague=200, anonymous=401),
        "destroy": roles(403, owner=400, colleague=400, anonymous=401),
        "action:submit": roles(403, owner=400, colleague=400, anonymous=401),
        "action:withdraw": roles(403, owner=400, colleague=400, anonymous=401),
        "action:approve": roles(403, reviewer=400, official=400, anonymous=401),
        "action:return": roles(403, reviewer=400, official=400, anonymous=401),
    }

    def make_record(self, cast):
        return ProjectFactory(organization=cast.enterprise, approved=True)


class TestReturnedProjectAPI(ProjectMatrix):
    """A returned filing is the enterprise's to correct, resubmit or delete."""

    expect = {
        "retrieve": roles(404, officials(200), owner=200, colleague=200),
        "update": roles(404, officials(403), owner=200, colleague=200, anonymous=401),
        "destroy": roles(404, officials(403), owner=204, colleague=204, anonymous=401),
        "action:submit": roles(404, officials(403), owner=200, colleague=200, anonymous=401),
        "action:withdraw": roles(404, officials(403), owner=400, colleague=400, anonymous=401),
    }

    def make_record(self, cast):
        return ProjectFactory(organization=cast.enterprise, returned=True)


class TestWithdrawnProjectAPI(TestReturnedProjectAPI):
    """A withdrawn filing is the enterprise's again, as a returned one is."""

    def make_record(self, cast):
        return ProjectFactory(organization=cast.enterprise, withdrawn=True)


def test_outsider_cannot_see_draft_project_anywhere(cast, api):
    draft = ProjectFactory(organization=cast.enterprise)
    client = api.as_user(cast.outsider)
    assert client.get(detail_url(draft)).status_code == 404
    assert client.get(detail_url(draft, "history")).status_code == 404
    assert client.get(detail_url(draft, "reports")).status_code == 404
    assert draft.pk not in [row["id"] for row in all_results(client, list_url())]


# --- Public and private fields --------------------------------------------------------------


@pytest.mark.parametrize("role", Cast.ROLES)
def test_contract_values_and_staff_are_shown_only_to_the_owner_and_officials(role, cast, api):
    project = ProjectFactory(
        organization=cast.enterprise, approved=True, contract_value=Decimal("12345678.90"), chinese_staff=77
    )
    sees = role in ("owner", "colleague", *OFFICIALS)
    client = api.as_user(cast.user(role))
    detail = client.get(detail_url(project)).json()
    listed = next(row for row in all_results(client, list_url()) if row["id"] == project.pk)
    for row in (detail, listed):
        assert row["name"] == project.name
        if sees:
            assert row["contract_value"] == "12345678.90"
            assert row["contract_value_usd"] == "12345678.90"
            assert row["chinese_staff"] == 77
        else:
            assert all(row[field] is None for field in PRIVATE_FIELDS), row


@pytest.mark.parametrize("role", ["outsider", "supplier", "talent", "anonymous"])
def test_the_public_cannot_probe_contract_values_with_value_filters(role, cast, api):
    ProjectFactory(organization=cast.enterprise, approved=True, contract_value=Decimal("12345678.90"))
    client = api.as_user(cast.user(role))
    assert all_results(client, list_url()) != []
    assert all_results(client, list_url(), {"value_min": "12345678"}) == []
    assert all_results(client, list_url(), {"value_max": "12345679"}) == []


def test_value_filters_work_for_the_owner_and_officials(cast, api):
    ProjectFactory(organization=cast.enterprise, approved=True, contract_value=Decimal("12345678.90"))
    ProjectFactory(organization=cast.outsider_org, approved=True, contract_value=Decimal("5000000"))
    owner = all_results(api.as_user(cast.owner), list_url(), {"value_min": "1000000"})
    assert [row["organization"] for row in owner] == [cast.enterprise.pk]
    official = all_results(type(api)().as_user(cast.official), list_url(), {"value_min": "1000000"})
    assert len(official) == 2


# --- Bad input -----------------------------------------------------------------------------

FUTURE = (timezone.localdate() + dt.timedelta(days=30)).isoformat()

BAD_PROJECTS = [
    pytest.param({"contract_value": "-1.00"}, "contract_value", "0", id="negative-value"),
    pytest.param({"chinese_staff": -3}, "chinese_staff", "0", id="negative-chinese-staff"),
    pytest.param({"local_staff": -1}, "local_staff", "0", id="negative-local-staff"),
    pytest.param({"country": "XX"}, "country", "XX", id="unknown-country"),
    pytest.param({"country": 123}, "country", "", id="country-wrong-type"),
    pytest.param({"currency": "XYZ"}, "currency", "XYZ", id="unknown-currency"),
    pytest.param({"currency": "EURO"}, "currency", "", id="currency-too-long"),
    pytest.param({"currency": ""}, "currency", "币种", id="value-without-currency"),
    pytest.param(
        {"start_date": "2026-05-01", "planned_completion": "2026-04-30"},
        "planned_completion",
        "开工",
        id="dates-in-wrong-order",
    ),
    pytest.param({"name": "港" * 201}, "name", "200", id="name-too-long"),
    pytest.param({"name_en": "x" * 201}, "name_en", "200", id="english-name-too-long"),
    pytest.param({"location": "地" * 201}, "location", "200", id="location-too-long"),
    pytest.param({"description": "述" * 5001}, "description", "5000", id="description-too-long"),
    pytest.param({"name": ""}, "name", "", id="name-blank"),
    pytest.param({"sector": "space"}, "sector", "space", id="unknown-sector"),
    pytest.param({"stage": "dreaming"}, "stage", "dreaming", id="unknown-stage"),
    pytest.param({"business_model": "barter"}, "business_model", "barter", id="unknown-business-model"),
    pytest.param({"contract_value": "abc"}, "contract_value", "", id="value-not-a-number"),
    pytest.param({"contract_value": "1e30"}, "contract_value", "", id="value-too-large"),
    pytest.param({"chinese_staff": "many"}, "chinese_staff", "", id="staff-not-a-number"),
    pytest.param({"start_date": "yesterday"}, "start_date", "", id="date-not-a-date"),
    pytest.param({"embassy_registered": "perhaps"}, "embassy_registered", "", id="boolean-not-a-boolean"),
    pytest.param({"embassy_registered": True}, "embassy_registered_on", "报到", id="registration-without-date"),
    pytest.param(
        {"embassy_registered": True, "embassy_registered_on": FUTURE},
        "embassy_registered_on",
        "今天",
        id="registration-in-the-future",
    ),
    pytest.param({"name": ["蒙巴萨港"]}, "name", "", id="name-a-list"),
]


@pytest.mark.parametrize(("overrides", "field", "fragment"), BAD_PROJECTS)
def test_bad_project_input_is_a_400_on_the_field_and_creates_nothing(overrides, field, fragment, cast, api):
    response = api.as_user(cast.owner).post(list_url(), project_payload(**overrides), format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert fragment in " ".join(errors[field])
    assert not Project.objects.exists()


@pytest.mark.parametrize(("overrides", "field", "fragment"), BAD_PROJECTS)
def test_bad_input_to_an_edit_is_a_400_and_changes_nothing(overrides, field, fragment, cast, api):
    project = ProjectFactory(organization=cast.enterprise, approved=True, country_id="ET", currency="ETB")
    before = Project.objects.values().get(pk=project.pk)
    response = api.as_user(cast.owner).patch(detail_url(project), overrides, format="json")
    if field == "currency" and overrides == {"currency": ""}:
        assert response.status_code == 400  # the stored value still needs its currency
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Project.objects.values().get(pk=project.pk) == before
    assert not project.reviews.exists()


def test_a_currency_without_an_exchange_rate_is_a_clear_400_not_a_zero(cast, api):
    ExchangeRate.objects.filter(currency="ETB").delete()
    response = api.as_user(cast.owner).post(list_url(), project_payload(currency="ETB"), format="json")
    assert response.status_code == 400
    assert "ETB" in response.json()["currency"][0]
    assert "汇率" in response.json()["currency"][0]
    assert not Project.objects.exists()


def test_malformed_json_is_a_400(cast, api):
    response = api.as_user(cast.owner).post(list_url(), '{"name": "蒙巴萨', content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert not Project.objects.exists()


def test_a_json_list_instead_of_an_object_is_a_400(cast, api):
    response = api.as_user(cast.owner).post(list_url(), [project_payload()], format="json")
    assert response.status_code == 400
    assert not Project.objects.exists()


# --- Query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", [1, 50])
@pytest.mark.parametrize(
    ("role", "queries", "visible"),
    [
        # the page of projects with organisation and country joined (no COUNT: cursor pagination)
        ("anonymous", 1, 12),
        # the user's membership and organisation; the page
        ("owner", 2, 36),
        ("official", 2, 60),
    ],
)
def test_the_project_list_costs_the_same_queries_for_any_page_size(
    role, queries, visible, page_size, many_projects, cast, api, django_assert_num_queries
):
    client = api.as_user(cast.user(role))
    with django_assert_num_queries(queries):
        response = client.get(list_url(), {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(page_size, visible)


@pytest.mark.parametrize("page_size", [1, 50])
def test_the_filtered_list_costs_the_same_queries(page_size, many_projects, cast, api, django_assert_num_queries):
    client = api.as_user(cast.owner)
    # membership; the page (the filters are WHERE clauses of the same query)
    with django_assert_num_queries(2):
        response = client.get(list_url(), {"page_size": page_size, "country": "KE,ET", "stage": "under_construction"})
    assert response.status_code == 200


# --- Demo data ------------------------------------------------------------------------------


def test_seed_demo_twice_gives_the_same_projects_and_the_public_sees_only_approved_ones(settings, api):
    settings.DEBUG = True
    models = (Project, ProjectReport, ProjectReview, ProjectStageChange, IntendedProjectSurvey, Notification)
    call_command("seed_demo", stdout=io.StringIO())
    counts = [m.objects.count() for m in models]
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert [m.objects.count() for m in models] == counts
    assert f"projects: {len(PROJECTS)} projects" in out.getvalue()

    projects = Project.objects.select_related("organization", "country")
    assert projects.count() >= 24
    assert {p.organization.name for p in projects} == {"湖北楚天国际工程有限公司", "长沙湘江海外建设集团有限公司"}
    assert {p.filing_status for p in projects} == set(FilingStatus.values)
    assert {p.stage for p in projects} == set(Stage.values)
    assert {"africa", "southeast_asia", "central_asia", "middle_east", "latin_america"} <= {
        p.country.region for p in projects
    }
    assert {p.currency for p in projects} - {"", "USD"}  # local currencies
    assert all(
        p.contract_value_usd == (None if p.contract_value is None else services.to_usd(p.contract_value, p.currency))
        for p in projects
    )
    assert projects.filter(embassy_registered=True, embassy_registered_on__isnull=False).exists()
    assert (
        ProjectReport.objects.filter(project__filing_status=FilingStatus.APPROVED).count()
        == ProjectReport.objects.count()
        > 0
    )
    assert IntendedProjectSurvey.objects.get(year=timezone.localdate().year).opens_on <= timezone.localdate()
    for project in projects.exclude(filing_status=FilingStatus.DRAFT):
        assert project.reviews.exists()
    for project in projects:
        project.full_clean()  # the demo data keeps the model's rules

    public = all_results(api, list_url())
    approved = set(projects.filter(filing_status=FilingStatus.APPROVED).values_list("id", flat=True))
    assert {row["id"] for row in public} == approved
    assert all(row[field] is None for row in public for field in PRIVATE_FIELDS)


@pytest.mark.parametrize(
    "params",
    [
        {"year": "0"},
        {"year": "0.0"},
        {"year": "10000"},
        {"year": "1.5"},
        {"year": "last"},
        {"value_min": "lots"},
        {"value_max": "Infinity"},
        {"start_after": "2025-13-01"},
        {"stage": "dreaming"},
        {"filing_status": "lost"},
        {"library": "ancient"},
        {"region": "atlantis"},
        {"organization": "me"},
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()),
)
@pytest.mark.parametrize("endpoint", ["list", "map", "statistics", "review-queue", "export"])
def test_bad_filter_values_are_a_400_never_a_500(endpoint, params, cast, api):
    ProjectFactory(organization=cast.enterprise, approved=True)
    response = api.as_user(cast.official).get(reverse(f"api:project-{endpoint}"), params)
    assert response.status_code == 400, response.content[:300]
    assert set(params) <= set(response.json())


@pytest.mark.parametrize(
    "params",
    [{"year": "2024"}, {"country": "ke,,et"}],  # an id past 64 bits: portal/tests/test_bad_input.py
)
def test_odd_but_valid_filter_values_work(params, cast, api):
    ProjectFactory(organization=cast.enterprise, approved=True)
    assert api.as_user(cast.official).get(list_url(), params).status_code == 200
