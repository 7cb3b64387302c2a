"""The project library's API: who may do what, the workflow over HTTP, bad input, query counts,
statistics, the map, exchange rates, the subsidy estimate and the demo data."""

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
from projects.choices import FilingStatus, ReviewAction, Stage
from projects.demo import PROJECTS
from projects.models import (
    ExchangeRate,
    IntendedProjectSurvey,
    Project,
    ProjectReport,
    ProjectReview,
    ProjectStageChange,
)

from .factories import ProjectFactory, ProjectReportFactory, SurveyFactory, project_payload

pytestmark = pytest.mark.django_db

OFFICIALS = ("reviewer", "publisher", "trainer", "official")
PRIVATE_FIELDS = ("contract_value", "currency", "contract_value_usd", "chinese_staff", "local_staff")


def roles(default, *groups: dict, **overrides) -> dict:
    """Every role of the cast mapped to `default`, except those in `groups` and `overrides`
    (later ones win)."""
    table = dict.fromkeys(Cast.ROLES, default)
    for group in (*groups, overrides):
        unknown = set(group) - set(Cast.ROLES)
        assert not unknown, unknown
        table.update(group)
    return table


def officials(value) -> dict:
    return dict.fromkeys(OFFICIALS, value)


# --- The permission matrix ------------------------------------------------------------------


class ProjectMatrix(APIMatrix):
    basename = "project"
    update_data = {"name": "蒙巴萨港扩建工程（调整后）"}

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


class TestExchangeRateAPI(APIMatrix):
    """Anyone reads the rates; officials with `review` set them; nobody deletes them."""

    basename = "exchange-rate"
    id_field = "currency"
    update_data = {"usd_per_unit": "0.0079", "as_of": "2026-01-05", "source": "中国外汇交易中心"}
    expect = {
        "list": roles(True),
        "retrieve": roles(200),
        "update": roles(403, reviewer=200, official=200, anonymous=401),
        "destroy": roles(405, anonymous=401),
    }

    def make_record(self, cast):
        return ExchangeRate.objects.get(currency="KES")

    def record_id(self, record):
        return record.currency

    def _detail(self, record, name="detail"):
        return reverse(f"api:{self.basename}-{name}", kwargs={"currency": record.currency})


class TestSurveyAPI(APIMatrix):
    basename = "project-survey"
    signed_in = roles(200, anonymous=401)
    expect = {
        "list": roles(True, anonymous=401),
        "retrieve": signed_in,
        "create": roles(403, reviewer=201, official=201, anonymous=401),
        "action:respond": roles(403, owner=204, colleague=204, outsider=204, anonymous=401),
    }

    def make_record(self, cast):
        return SurveyFactory(opened_by=cast.reviewer)

    def create_data(self, cast):
        year = timezone.localdate().year + 1
        return {"year": year, "opens_on": f"{year}-03-01", "closes_on": f"{year}-04-30"}


def list_url() -> str:
    return reverse("api:project-list")


def detail_url(project, name: str = "detail") -> str:
    return reverse(f"api:project-{name}", kwargs={"pk": project.pk})


def all_results(client, url: str, params: dict | None = None) -> list[dict]:
    """Every row of a paginated collection, following `next`."""
    rows, response = [], client.get(url, {**(params or {}), "page_size": 200})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows
        response = client.get(body["next"])


# --- Return and approve with a comment, per role ------------------------------------------

DECIDE = roles(403, outsider=404, supplier=404, talent=404, reviewer=200, official=200, anonymous=401)


@pytest.mark.parametrize("role", Cast.ROLES)
def test_only_reviewers_return_a_submitted_filing_with_a_comment(role, cast, api):
    project = ProjectFactory(organization=cast.enterprise, submitted=True)
    response = api.as_user(cast.user(role)).post(
        detail_url(project, "return"), {"comment": "请补充EPC合同扫描件。"}, format="json"
    )
    assert response.status_code == DECIDE[role], response.content
    project.refresh_from_db()
    expected = FilingStatus.RETURNED if DECIDE[role] == 200 else FilingStatus.SUBMITTED
    assert project.filing_status == expected
    assert project.reviews.filter(action=ReviewAction.RETURNED).count() == (DECIDE[role] == 200)


@pytest.mark.parametrize("role", Cast.ROLES)
def test_only_reviewers_approve_a_submitted_filing(role, cast, api):
    project = ProjectFactory(organization=cast.enterprise, submitted=True)
    response = api.as_user(cast.user(role)).post(detail_url(project, "approve"), {"comment": "同意"}, format="json")
    assert response.status_code == DECIDE[role], response.content
    project.refresh_from_db()
    assert (project.filing_status == FilingStatus.APPROVED) is (DECIDE[role] == 200)
    assert (project.approved_at is not None) is (DECIDE[role] == 200)


@pytest.mark.parametrize("comment", ["", "   "])
def test_a_return_without_a_comment_is_a_400_and_changes_nothing(comment, cast, api):
    project = ProjectFactory(organization=cast.enterprise, submitted=True)
    response = api.as_user(cast.reviewer).post(detail_url(project, "return"), {"comment": comment}, format="json")
    assert response.status_code == 400
    assert "comment" in response.json()
    project.refresh_from_db()
    assert project.filing_status == FilingStatus.SUBMITTED
    assert not project.reviews.exists()


def test_an_approved_project_cannot_be_returned(cast, api):
    project = ProjectFactory(organization=cast.enterprise, approved=True)
    response = api.as_user(cast.reviewer).post(detail_url(project, "return"), {"comment": "再看看"}, format="json")
    assert response.status_code == 400
    assert "detail" in response.json()
    project.refresh_from_db()
    assert project.filing_status == FilingStatus.APPROVED


def test_the_whole_filing_workflow_over_http(cast, api):
    """draft → submitted → returned → submitted → approved → key edit → submitted → withdrawn → submitted."""
    owner = api.as_user(cast.owner)
    created = owner.post(list_url(), project_payload(), format="json")
    assert created.status_code == 201, created.content
    project = Project.objects.get(pk=created.json()["id"])
    assert created.json()["filing_status"] == "draft"
    assert project.organization == cast.enterprise
    assert project.created_by == cast.owner

    assert owner.post(detail_url(project, "submit")).json()["filing_status"] == "submitted"
    reviewer = type(api)().as_user(cast.reviewer)
    returned = reviewer.post(detail_url(project, "return"), {"comment": "请补充合同金额证明。"}, format="json")
    assert returned.json()["filing_status"] == "returned"
    assert owner.patch(detail_url(project), {"location": "亚的斯亚贝巴东环"}, format="json").status_code == 200
    assert owner.post(detail_url(project, "submit")).json()["filing_status"] == "submitted"
    assert reviewer.post(detail_url(project, "approve"), {}, format="json").json()["filing_status"] == "approved"

    # A key field (the contract value) sends the approved filing back to review.
    edited = owner.patch(detail_url(project), {"contract_value": "6000000000.00"}, format="json")
    assert edited.status_code == 200
    assert edited.json()["filing_status"] == "submitted"
    assert owner.post(detail_url(project, "withdraw")).json()["filing_status"] == "withdrawn"
    assert owner.post(detail_url(project, "submit")).json()["filing_status"] == "submitted"

    history = owner.get(detail_url(project, "history")).json()
    assert [r["action"] for r in history["reviews"]] == [
        "submitted",
        "returned",
        "submitted",
        "approved",
        "reopened",
        "withdrawn",
        "submitted",
    ]
    assert history["reviews"][1]["comment"] == "请补充合同金额证明。"
    assert history["reviews"][1]["actor"] == str(cast.reviewer)
    assert "contract_value" in history["reviews"][4]["comment"]
    assert [(c["from_stage"], c["to_stage"]) for c in history["stage_changes"]] == [("", "signed")]


def test_a_non_key_edit_of_an_approved_project_keeps_it_approved(cast, api):
    project = ProjectFactory(organization=cast.enterprise, approved=True)
    response = api.as_user(cast.owner).patch(
        detail_url(project), {"stage": "completed", "local_staff": 900}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["filing_status"] == "approved"
    change = project.stage_changes.get()
    assert (change.from_stage, change.to_stage, change.actor) == ("under_construction", "completed", cast.owner)


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("official", 200), ("outsider", 403), ("anonymous", 403)])
def test_history_is_for_the_owner_and_officials(role, status, cast, api):
    project = ProjectFactory(organization=cast.enterprise, approved=True)
    assert api.as_user(cast.user(role)).get(detail_url(project, "history")).status_code == status


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


def _report(**overrides) -> dict:
    return {"year": 2024, "half": 1, "revenue_usd": "1500000.00", "chinese_staff": 50, "local_staff": 300} | overrides


def test_the_owner_files_a_half_yearly_report_and_reads_it_back(cast, api):
    project = ProjectFactory(organization=cast.enterprise, approved=True)
    client = api.as_user(cast.owner)
    response = client.post(detail_url(project, "reports"), _report(notes="雨季停工两周"), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["project"] == project.pk
    listed = client.get(detail_url(project, "reports")).json()["results"]
    assert [(r["year"], r["half"], r["revenue_usd"]) for r in listed] == [(2024, 1, "1500000.00")]
    assert project.reports.get().created_by == cast.owner


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("colleague", 201),
        ("outsider", 403),
        ("supplier", 403),
        ("talent", 403),
        ("reviewer", 403),
        ("official", 403),
        ("anonymous", 401),
    ],
)
def test_only_the_enterprise_files_reports(role, status, cast, api):
    project = ProjectFactory(organization=cast.enterprise, approved=True)
    response = api.as_user(cast.user(role)).post(detail_url(project, "reports"), _report(), format="json")
    assert response.status_code == status
    assert project.reports.count() == (status == 201)


@pytest.mark.parametrize(("role", "sees"), [("owner", True), ("official", True), ("outsider", False)])
def test_reports_are_read_by_the_owner_and_officials_only(role, sees, cast, api):
    report = ProjectReportFactory(project__organization=cast.enterprise)
    rows = api.as_user(cast.user(role)).get(detail_url(report.project, "reports")).json()["results"]
    assert [r["id"] for r in rows] == ([report.pk] if sees else [])


BAD_REPORTS = [
    pytest.param(_report(revenue_usd="-5"), "revenue_usd", id="negative-revenue"),
    pytest.param(_report(new_contracts_usd="-5"), "new_contracts_usd", id="negative-new-contracts"),
    pytest.param(_report(half=3), "half", id="half-three"),
    pytest.param(_report(year=1999), "year", id="year-too-early"),
    pytest.param(_report(year=timezone.localdate().year + 1), "year", id="future-half"),
    pytest.param(_report(year="last"), "year", id="year-wrong-type"),
    pytest.param(_report(notes="记" * 5001), "notes", id="notes-too-long"),
    pytest.param(_report(chinese_staff=-1), "chinese_staff", id="negative-staff"),
]


@pytest.mark.parametrize(("data", "field"), BAD_REPORTS)
def test_a_bad_report_is_a_400_on_the_field(data, field, cast, api):
    project = ProjectFactory(organization=cast.enterprise, approved=True)
    response = api.as_user(cast.owner).post(detail_url(project, "reports"), data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not project.reports.exists()


def test_a_report_for_a_half_already_reported_is_a_400(cast, api):
    project = ProjectFactory(organization=cast.enterprise, approved=True)
    client = api.as_user(cast.owner)
    assert client.post(detail_url(project, "reports"), _report(), format="json").status_code == 201
    again = client.post(detail_url(project, "reports"), _report(revenue_usd="1.00"), format="json")
    assert again.status_code == 400
    assert "half" in again.json()
    assert project.reports.get().revenue_usd == Decimal("1500000.00")


def test_a_report_for_the_second_half_of_this_year_waits_for_july(cast, api):
    project = ProjectFactory(organization=cast.enterprise, approved=True)
    today = timezone.localdate()
    response = api.as_user(cast.owner).post(
        detail_url(project, "reports"), _report(year=today.year, half=2), format="json"
    )
    if today.month < 7:
        assert response.status_code == 400
        assert "year" in response.json()
    else:
        assert response.status_code == 201


@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "withdrawn"])
def test_a_report_on_an_unapproved_project_is_a_400(status, cast, api):
    project = ProjectFactory(organization=cast.enterprise, filing_status=status)
    response = api.as_user(cast.owner).post(detail_url(project, "reports"), _report(), format="json")
    assert response.status_code == 400
    assert "备案通过" in response.json()["detail"]
    assert not project.reports.exists()


# --- Query counts ---------------------------------------------------------------------------


@pytest.fixture
def many_projects(cast):
    """60 projects of three organisations in three countries, every filing status."""
    for n in range(60):
        ProjectFactory(
            organization=(cast.enterprise, cast.outsider_org)[n % 2],
            country_id=("KE", "ET", "ID")[n % 3],
            filing_status=list(FilingStatus)[n % len(FilingStatus)],
            submitted_at=timezone.now(),
        )


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


@pytest.mark.parametrize("page_size", [1, 50])
def test_the_review_queue_costs_the_same_queries_for_any_page_size(
    page_size, many_projects, cast, api, django_assert_num_queries
):
    client = api.as_user(cast.reviewer)
    # membership (IsOfficial); COUNT of submitted filings; the page
    with django_assert_num_queries(3):
        response = client.get(reverse("api:project-review-queue"), {"page_size": page_size})
    assert response.status_code == 200
    assert response.json()["count"] == 12
    assert len(response.json()["results"]) == min(page_size, 12)
    assert {row["filing_status"] for row in response.json()["results"]} == {"submitted"}


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


# --- Exchange rates -------------------------------------------------------------------------


def rate_url(code: str) -> str:
    return reverse("api:exchange-rate-detail", kwargs={"currency": code})


def test_contract_value_usd_is_computed_from_the_rate_table(cast, api):
    rate = ExchangeRate.objects.get(currency="KES").usd_per_unit
    response = api.as_user(cast.owner).post(
        list_url(), project_payload(country="KE", currency="kes", contract_value="123456789.00"), format="json"
    )
    assert response.status_code == 201, response.content
    expected = (Decimal("123456789.00") * rate).quantize(Decimal("0.01"))
    assert response.json()["currency"] == "KES"
    assert Decimal(response.json()["contract_value_usd"]) == expected
    assert Project.objects.get().contract_value_usd == expected


def test_a_project_without_a_value_needs_no_currency_or_rate(cast, api):
    response = api.as_user(cast.owner).post(
        list_url(), project_payload(contract_value=None, currency=""), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["contract_value_usd"] is None


def test_a_reviewer_sets_a_rate_and_new_values_use_it(cast, api):
    response = api.as_user(cast.reviewer).put(
        rate_url("etb"), {"usd_per_unit": "0.0075", "as_of": "2026-10-31", "source": "外汇交易中心"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["currency"] == "ETB"
    rate = ExchangeRate.objects.get(currency="ETB")
    assert (rate.usd_per_unit, rate.updated_by, rate.as_of) == (Decimal("0.0075"), cast.reviewer, dt.date(2026, 10, 31))
    owner = type(api)().as_user(cast.owner)
    created = owner.post(list_url(), project_payload(contract_value="1000000.00"), format="json")
    assert created.json()["contract_value_usd"] == "7500.00"


def test_a_reviewer_adds_a_rate_for_a_currency_the_table_lacks(cast, api):
    assert not ExchangeRate.objects.filter(currency="CHF").exists()
    response = api.as_user(cast.official).put(rate_url("CHF"), {"usd_per_unit": "1.25", "as_of": "2026-10-31"})
    assert response.status_code == 200
    assert ExchangeRate.objects.get(currency="CHF").usd_per_unit == Decimal("1.25")


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 403), ("outsider", 403), ("supplier", 403), ("publisher", 403), ("trainer", 403), ("anonymous", 401)],
)
def test_only_reviewers_set_rates(role, status, cast, api):
    response = api.as_user(cast.user(role)).put(rate_url("ETB"), {"usd_per_unit": "1", "as_of": "2026-10-31"})
    assert response.status_code == status
    assert ExchangeRate.objects.get(currency="ETB").usd_per_unit != Decimal(1)


@pytest.mark.parametrize(
    ("code", "data", "field"),
    [
        ("XYZ", {"usd_per_unit": "1", "as_of": "2026-10-31"}, "currency"),
        ("ETB", {"usd_per_unit": "0", "as_of": "2026-10-31"}, "usd_per_unit"),
        ("ETB", {"usd_per_unit": "-0.1", "as_of": "2026-10-31"}, "usd_per_unit"),
        ("ETB", {"usd_per_unit": "cheap", "as_of": "2026-10-31"}, "usd_per_unit"),
        ("ETB", {"usd_per_unit": "0.01", "as_of": "soon"}, "as_of"),
        ("ETB", {"usd_per_unit": "0.01"}, "as_of"),
    ],
)
def test_a_bad_rate_is_a_400(code, data, field, cast, api):
    before = list(ExchangeRate.objects.values_list("currency", "usd_per_unit"))
    response = api.as_user(cast.reviewer).put(rate_url(code), data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert list(ExchangeRate.objects.values_list("currency", "usd_per_unit")) == before


def test_a_rate_body_that_is_not_an_object_is_a_400(cast, api):
    response = api.as_user(cast.reviewer).put(rate_url("ETB"), [{"usd_per_unit": "1"}], format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_an_unknown_currency_has_no_rate_to_read(cast, api):
    assert api.get(rate_url("XYZ")).status_code == 404
    assert api.get(rate_url("kes")).json()["currency"] == "KES"


# --- Subsidy estimate (access; the tiers are tested in test_services) ----------------------


def subsidy_url() -> str:
    return reverse("api:project-subsidy-estimate")


@pytest.fixture
def reported(cast):
    project = ProjectFactory(organization=cast.enterprise, approved=True)
    ProjectReportFactory(project=project, year=2025, half=1, revenue_usd=Decimal("2000000"))
    ProjectReportFactory(project=project, year=2025, half=2, revenue_usd=Decimal("1500000"))
    return project


def test_an_enterprise_sees_its_own_subsidy_estimate(reported, cast, api):
    response = api.as_user(cast.colleague).get(subsidy_url(), {"year": 2025})
    assert response.status_code == 200
    body = response.json()
    assert body["organization_id"] == cast.enterprise.pk
    assert (body["revenue_usd"], body["first_time"], body["estimate_cny"]) == ("3500000.00", True, "200000.00")


@pytest.mark.parametrize("role", OFFICIALS)
def test_officials_see_any_enterprises_subsidy_estimate(role, reported, cast, api):
    response = api.as_user(cast.user(role)).get(subsidy_url(), {"year": 2025, "organization": cast.enterprise.pk})
    assert response.status_code == 200
    assert response.json()["estimate_cny"] == "200000.00"


@pytest.mark.parametrize("role", ["outsider", "supplier", "talent"])
def test_another_organisations_subsidy_estimate_is_a_404(role, reported, cast, api):
    response = api.as_user(cast.user(role)).get(subsidy_url(), {"year": 2025, "organization": cast.enterprise.pk})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"year": "last"}, 400, "year"),
        ({"year": 1999}, 400, "year"),
        ({"year": 2025, "organization": "abc"}, 400, "organization"),
        ({"year": 2025, "organization": 999999}, 404, "detail"),
    ],
)
def test_bad_subsidy_parameters_are_4xx(params, status, field, cast, api):
    response = api.as_user(cast.official).get(subsidy_url(), params)
    assert response.status_code == status
    assert field in response.json()


def test_subsidy_estimate_needs_a_sign_in_and_an_organisation(cast, api):
    assert api.get(subsidy_url()).status_code == 401
    response = api.as_user(cast.talent).get(subsidy_url())
    assert response.status_code == 400
    assert "organization" in response.json()


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
    "params", [{"year": "2024"}, {"organization": "99999999999999999999999"}, {"country": "ke,,et"}]
)
def test_odd_but_valid_filter_values_work(params, cast, api):
    ProjectFactory(organization=cast.enterprise, approved=True)
    assert api.as_user(cast.official).get(list_url(), params).status_code == 200
