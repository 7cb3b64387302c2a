"""The API's report corrections: `GET /api/v1/projects/{id}/reports/{report_id}/` reads a report
with its corrections, `PATCH` corrects its figures (the project's organisation, while the
project is not under review), keeping the earlier values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from portal.models import AuditEvent
from portal.testing.cast import Cast, roles
from projects.choices import FilingStatus
from projects.models import ProjectReport, ProjectReportRevision

from .factories import ProjectFactory, ProjectReportFactory
from .helpers import officials

pytestmark = pytest.mark.django_db


def url(report) -> str:
    return reverse("api:project-report", kwargs={"pk": report.project_id, "report_id": report.pk})


@pytest.fixture
def report(cast):
    project = ProjectFactory(organization=cast.enterprise, approved=True)  # public: the report is not
    return ProjectReportFactory(project=project, year=2025, half=1, revenue_usd=Decimal("3000000.00"))


EXPECT_GET = roles(404, officials(200), owner=200, colleague=200)
EXPECT_PATCH = roles(404, officials(403), owner=200, colleague=200, anonymous=401)


@pytest.mark.parametrize("role", Cast.ROLES)
def test_who_reads_a_report_with_its_corrections(cast, api, report, role):
    response = api.as_user(cast.user(role)).get(url(report))
    assert response.status_code == EXPECT_GET[role], response.content
    if response.status_code == 200:
        assert response.json()["revisions"] == []


@pytest.mark.parametrize("role", Cast.ROLES)
def test_who_corrects_a_report_and_that_a_refusal_changes_nothing(cast, api, report, role):
    response = api.as_user(cast.user(role)).patch(url(report), {"revenue_usd": "3100000.00"}, format="json")
    assert response.status_code == EXPECT_PATCH[role], response.content
    report.refresh_from_db()
    if response.status_code == 200:
        assert report.revenue_usd == Decimal("3100000.00")
        body = response.json()
        assert body["revenue_usd"] == "3100000.00"
        assert [r["previous"] for r in body["revisions"]] == [{"revenue_usd": "3000000.00"}]
        assert AuditEvent.objects.filter(action="report.correct").count() == 1
    else:
        assert report.revenue_usd == Decimal("3000000.00")
        assert not ProjectReportRevision.objects.exists()
        assert not AuditEvent.objects.filter(action="report.correct").exists()


def test_a_report_under_review_is_refused_with_a_400(cast, api, report):
    report.project.filing_status = FilingStatus.SUBMITTED
    report.project.save(update_fields=["filing_status"])
    response = api.as_user(cast.owner).patch(url(report), {"revenue_usd": "1.00"}, format="json")
    assert response.status_code == 400
    assert "审核期间不能更正半年报" in str(response.json())
    assert ProjectReport.objects.get(pk=report.pk).revenue_usd == Decimal("3000000.00")


@pytest.mark.parametrize(
    ("body", "field"),
    [({"revenue_usd": "-5"}, "revenue_usd"), ({"half": 2}, "half"), ({"year": 2024}, "year")],
)
def test_bad_figures_or_another_half_year_are_a_400_that_changes_nothing(cast, api, report, body, field):
    response = api.as_user(cast.owner).patch(url(report), body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not ProjectReportRevision.objects.exists()


def test_a_report_of_another_project_is_not_found_through_this_one(cast, api, report):
    other = ProjectFactory(organization=cast.enterprise, approved=True)
    path = reverse("api:project-report", kwargs={"pk": other.pk, "report_id": report.pk})
    assert api.as_user(cast.owner).get(path).status_code == 404
