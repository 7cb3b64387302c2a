"""Half-yearly reports on the project's page: the form offers the next unreported half-year, a
filed report can be corrected while the project is not under review, every correction keeping
the earlier values where the enterprise and the officials see them; the return comment is on
the edit form; confirming the survey lists what is being confirmed first."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from portal.testing.cast import Cast, roles
from projects import services
from projects.choices import FilingStatus, ReviewAction, Stage
from projects.models import ProjectReport, ProjectReportRevision, ProjectReview, SurveyResponse

from .factories import ProjectFactory, ProjectReportFactory, SurveyFactory
from .helpers import officials

TODAY = date(2026, 12, 2)  # the second half of 2026 is in progress


def report_url(report) -> str:
    return reverse("projects:report_correct", kwargs={"pk": report.project_id, "report_pk": report.pk})


def correction(**overrides) -> dict:
    data = {"revenue_usd": "2500000.00", "new_contracts_usd": "0", "chinese_staff": "90", "local_staff": "480"}
    return {**data, "notes": "更正：营业额按合同结算单重新核对。", **overrides}


# --- The next unreported half-year ------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        ([], (2026, 1)),  # nothing yet: the last half-year that has ended
        ([(2025, 1)], (2025, 2)),  # the one after the first report
        ([(2025, 1), (2025, 2)], (2026, 1)),
        ([(2025, 1), (2026, 1)], (2025, 2)),  # a gap is offered first
        ([(2025, 2), (2026, 1), (2026, 2)], (2026, 1)),  # all filed: the last ended (already filed)
        ([(2026, 1)], (2026, 2)),  # the half-year in progress may be reported
    ],
)
def test_the_report_form_defaults_to_the_next_unreported_half_year(cast, reported, expected):
    project = ProjectFactory(organization=cast.enterprise, approved=True)
    for year, half in reported:
        ProjectReportFactory(project=project, year=year, half=half)
    assert services.next_report_period(project, today=TODAY) == expected


def test_the_project_page_offers_the_next_unreported_half_year(cast, client):
    project = ProjectFactory(organization=cast.enterprise, approved=True)
    today = timezone.localdate()
    ended = (today.year, 1) if today.month >= 7 else (today.year - 1, 2)
    ProjectReportFactory(project=project, year=ended[0] - 1, half=ended[1])
    client.force_login(cast.owner)
    form = client.get(reverse("projects:detail", args=[project.pk])).context["report_form"]
    following = (ended[0] - 1, 2) if ended[1] == 1 else (ended[0], 1)
    assert (form["year"].value(), form["half"].value()) == following


# --- Correcting a filed report --------------------------------------------------------------


@pytest.fixture
def report(cast):
    project = ProjectFactory(organization=cast.enterprise, returned=True)  # not public
    return ProjectReportFactory(project=project, year=2025, half=2, revenue_usd=Decimal("2000000.00"))


EXPECT_GET = roles(404, officials(403), owner=200, colleague=200, anonymous="login")
EXPECT_POST = roles(404, officials(403), owner="done", colleague="done", anonymous="login")


@pytest.mark.parametrize("role", Cast.ROLES)
def test_who_may_open_the_correction_page(cast, client, report, role):
    user = cast.user(role)
    if user is not None:
        client.force_login(user)
    response = client.get(report_url(report))
    expected = EXPECT_GET[role]
    if expected == "login":
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("role", Cast.ROLES)
def test_who_may_correct_a_report_and_what_a_refusal_leaves(cast, client, report, role):
    user = cast.user(role)
    if user is not None:
        client.force_login(user)
    response = client.post(report_url(report), correction())
    report.refresh_from_db()
    if EXPECT_POST[role] == "done":
        assert response.status_code == 302
        assert report.revenue_usd == Decimal("2500000.00")
        revision = ProjectReportRevision.objects.get(report=report)
        assert revision.previous["revenue_usd"] == "2000000.00" and revision.actor == user
        assert AuditEvent.objects.filter(action="report.correct", target_id=str(report.pk)).exists()
    else:
        expected = EXPECT_POST[role]
        if expected == "login":
            assert response.status_code == 302 and "/login/" in response["Location"]
        else:
            assert response.status_code == expected
        assert report.revenue_usd == Decimal("2000000.00")
        assert not ProjectReportRevision.objects.exists()


def test_a_report_on_another_project_is_not_found_through_this_one(cast, client, report):
    other = ProjectFactory(organization=cast.enterprise, approved=True)
    client.force_login(cast.owner)
    url = reverse("projects:report_correct", kwargs={"pk": other.pk, "report_pk": report.pk})
    assert client.get(url).status_code == 404


def test_a_report_cannot_be_corrected_while_the_project_is_under_review(cast, client, report):
    report.project.filing_status = FilingStatus.SUBMITTED
    report.project.save(update_fields=["filing_status"])
    client.force_login(cast.owner)
    for response in (
        client.get(report_url(report), follow=True),
        client.post(report_url(report), correction(), follow=True),
    ):
        assert "审核期间不能更正半年报" in response.content.decode()
    report.refresh_from_db()
    assert report.revenue_usd == Decimal("2000000.00")
    assert not ProjectReportRevision.objects.exists()
    with pytest.raises(ValidationError, match="审核期间不能更正半年报"):
        services.report_correct(actor=cast.owner, report=report, data={"revenue_usd": Decimal(1)})


def test_each_correction_keeps_the_earlier_values_on_the_page(cast, client, report):
    client.force_login(cast.owner)
    client.post(report_url(report), correction())
    client.post(report_url(report), correction(revenue_usd="2600000.00", local_staff="480"))
    history = list(ProjectReportRevision.objects.filter(report=report).order_by("id"))
    assert [r.previous for r in history] == [
        {
            "revenue_usd": "2000000.00",
            "chinese_staff": "100",
            "local_staff": "500",
            "notes": "",
        },
        {"revenue_usd": "2500000.00"},
    ]
    page = client.get(report_url(report)).content.decode()
    assert 'data-testid="report-history"' in page and "2000000.00" in page and "2500000.00" in page
    # Officials read the corrections on the project's page.
    client.force_login(cast.reviewer)
    detail = client.get(reverse("projects:detail", args=[report.project_id])).content.decode()
    assert "已更正 2 次" in detail and "2000000.00" in detail


def test_a_correction_with_bad_figures_shows_every_error_and_changes_nothing(cast, client, report):
    client.force_login(cast.owner)
    response = client.post(report_url(report), correction(revenue_usd="-1", chinese_staff="x"))
    assert response.status_code == 200
    assert {"revenue_usd", "chinese_staff"} <= response.context["form"].errors.keys()
    assert 'data-testid="error-summary"' in response.content.decode()
    assert not ProjectReportRevision.objects.exists()


def test_an_unchanged_correction_records_nothing(cast, report):
    data = {field: getattr(report, field) for field in services.REPORT_CORRECTABLE_FIELDS}
    services.report_correct(actor=cast.owner, report=report, data=data)
    assert not ProjectReportRevision.objects.exists()
    assert ProjectReport.objects.get(pk=report.pk).revenue_usd == report.revenue_usd


# --- The return comment on the edit form ----------------------------------------------------


def test_the_edit_form_shows_the_officials_return_comment(cast, client):
    project = ProjectFactory(organization=cast.enterprise, returned=True)
    ProjectReview.objects.create(
        project=project, action=ReviewAction.RETURNED, actor=cast.reviewer, comment="请补充项目所在郡县。"
    )
    client.force_login(cast.owner)
    page = client.get(reverse("projects:edit", args=[project.pk])).content.decode()
    assert 'data-testid="return-comment"' in page and "请补充项目所在郡县。" in page


def test_the_edit_form_of_a_draft_shows_no_return_comment(cast, client):
    project = ProjectFactory(organization=cast.enterprise)
    client.force_login(cast.owner)
    assert (
        'data-testid="return-comment"' not in client.get(reverse("projects:edit", args=[project.pk])).content.decode()
    )


# --- Confirming the survey ------------------------------------------------------------------


def test_confirming_the_survey_first_lists_the_projects_being_confirmed(cast, client):
    survey = SurveyFactory()
    intended = ProjectFactory(organization=cast.enterprise, stage=Stage.INTENDED, name="金边物流园意向项目")
    ProjectFactory(organization=cast.enterprise, stage=Stage.UNDER_CONSTRUCTION, name="在建的港口")
    ProjectFactory(organization=cast.outsider_org, stage=Stage.INTENDED, name="别家的意向项目")
    client.force_login(cast.owner)
    url = reverse("projects:survey_respond", args=[survey.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert intended.name in body and "在建的港口" not in body and "别家的意向项目" not in body
    assert "确认以上 1 个项目" in body
    assert not SurveyResponse.objects.exists()  # opening the page confirms nothing
    assert client.post(url).status_code == 302
    assert SurveyResponse.objects.filter(survey=survey, organization=cast.enterprise).exists()


@pytest.mark.parametrize("role", ["reviewer", "supplier", "talent"])
def test_only_an_enterprise_opens_the_survey_confirmation(cast, client, role):
    client.force_login(cast.user(role))
    assert client.get(reverse("projects:survey_respond", args=[SurveyFactory().pk])).status_code == 403


@pytest.mark.parametrize("role", ["reviewer", "supplier", "talent"])
def test_a_confirmation_posted_by_a_non_enterprise_is_a_403_that_says_why(cast, client, role):
    # It used to redirect to the workspace, which then refused without saying why.
    client.force_login(cast.user(role))
    response = client.post(reverse("projects:survey_respond", args=[SurveyFactory().pk]))
    assert response.status_code == 403
    assert "只有企业可以确认意向项目" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_one_post_of_a_bad_report_names_the_taken_half_year_beside_the_bad_figures(cast, client):
    project = ProjectFactory(organization=cast.enterprise, approved=True)
    ProjectReportFactory(project=project, year=2025, half=1)
    client.force_login(cast.owner)
    data = {"year": "2025", "half": "1", "revenue_usd": "-1", "new_contracts_usd": "0", "chinese_staff": "1"}
    response = client.post(reverse("projects:report_create", args=[project.pk]), {**data, "local_staff": "x"})
    errors = response.context["report_form"].errors
    assert {"half", "revenue_usd", "local_staff"} <= errors.keys(), errors
    assert "该半年度已填报" in " ".join(errors["half"])
    assert ProjectReport.objects.filter(project=project).count() == 1


def test_one_post_of_a_bad_survey_names_the_year_taken_beside_the_bad_date(cast, client):
    survey = SurveyFactory()
    client.force_login(cast.reviewer)
    data = {"year": str(survey.year), "opens_on": "2026-02-30", "closes_on": "2026-01-01"}
    errors = client.post(reverse("projects:survey_list"), data).context["form"].errors
    assert {"year", "opens_on"} <= errors.keys(), errors
    assert "该年度调查已发起" in " ".join(errors["year"])
