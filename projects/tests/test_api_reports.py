"""The project library's API: the half-yearly reports and the subsidy estimate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from .factories import ProjectFactory, ProjectReportFactory
from .helpers import OFFICIALS, detail_url

pytestmark = pytest.mark.django_db


# --- Reports --------------------------------------------------------------------------------


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
