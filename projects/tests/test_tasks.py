"""The annual survey of intended projects (seed 001, item 16): opened by an official, announced to
every enterprise by a task, answered by enterprises, and a reminder a week before it closes to
those that have not answered, once."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.choices import NotificationKind
from portal.models import Notification
from portal.testing.factories import OrganizationFactory, member
from projects import services, tasks
from projects.models import IntendedProjectSurvey, SurveyResponse

from .factories import ProjectFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def survey_url(survey=None, name: str = "detail") -> str:
    if survey is None:
        return reverse("api:project-survey-list")
    return reverse(f"api:project-survey-{name}", kwargs={"pk": survey.pk})


def told(dedupe_suffix: str) -> list[int]:
    return sorted(
        Notification.objects.filter(
            kind=NotificationKind.PROJECT_REPORT, dedupe_key__endswith=dedupe_suffix
        ).values_list("recipient", flat=True)
    )


def enterprise_users(cast) -> list[int]:
    return sorted([cast.owner.pk, cast.colleague.pk, cast.outsider.pk])


def open_survey(cast, api, django_capture_on_commit_callbacks, **dates) -> IntendedProjectSurvey:
    today = timezone.localdate()
    data = {
        "year": today.year,
        "opens_on": (today - dt.timedelta(days=1)).isoformat(),
        "closes_on": (today + dt.timedelta(days=30)).isoformat(),
        **dates,
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.as_user(cast.reviewer).post(survey_url(), data, format="json")
    assert response.status_code == 201, response.content
    assert len(callbacks) == 1  # the announcement is queued after commit
    return IntendedProjectSurvey.objects.get(pk=response.json()["id"])


def test_an_official_opens_the_survey_and_the_task_tells_every_enterprise_user_once(
    cast, api, django_capture_on_commit_callbacks
):
    survey = open_survey(cast, api, django_capture_on_commit_callbacks)
    assert survey.opened_by == cast.reviewer
    tasks.survey_announce(survey.pk)
    assert told(":open") == enterprise_users(cast)  # not the supplier, the talent or officials
    notification = Notification.objects.filter(recipient=cast.owner).get()
    assert str(survey.year) in notification.title
    assert survey.closes_on.isoformat() in notification.body
    tasks.survey_announce(survey.pk)  # a second run (a redelivered task) tells no one again
    assert told(":open") == enterprise_users(cast)


def test_the_announcement_skips_deactivated_users(cast):
    cast.colleague.is_active = False
    cast.colleague.save(update_fields=["is_active"])
    survey = SurveyFactory(opened_by=cast.reviewer)
    tasks.survey_announce(survey.pk)
    assert told(":open") == sorted([cast.owner.pk, cast.outsider.pk])


@pytest.mark.parametrize("role", ["owner", "colleague", "outsider", "supplier", "talent", "publisher", "trainer"])
def test_only_reviewers_open_surveys(role, cast, api):
    year = timezone.localdate().year
    data = {"year": year, "opens_on": f"{year}-01-01", "closes_on": f"{year}-12-31"}
    assert api.as_user(cast.user(role)).post(survey_url(), data, format="json").status_code == 403
    assert not IntendedProjectSurvey.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"year": 2026, "opens_on": "2026-05-01", "closes_on": "2026-04-01"}, "closes_on"),
        ({"year": 2026, "opens_on": "2026-05-01", "closes_on": "2026-05-01"}, "closes_on"),
        ({"year": 1999, "opens_on": "2026-05-01", "closes_on": "2026-06-01"}, "year"),
        ({"year": "this", "opens_on": "2026-05-01", "closes_on": "2026-06-01"}, "year"),
        ({"year": 2026, "opens_on": "May", "closes_on": "2026-06-01"}, "opens_on"),
    ],
)
def test_a_bad_survey_is_a_400(data, field, cast, api):
    response = api.as_user(cast.official).post(survey_url(), data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not IntendedProjectSurvey.objects.exists()


def test_a_year_has_one_survey(cast, api):
    SurveyFactory(year=2026, opened_by=cast.reviewer)
    data = {"year": 2026, "opens_on": "2026-05-01", "closes_on": "2026-06-01"}
    response = api.as_user(cast.official).post(survey_url(), data, format="json")
    assert response.status_code == 400
    assert "year" in response.json()


def test_enterprises_answer_and_the_answers_show_who_did(cast, api):
    survey = SurveyFactory(opened_by=cast.reviewer)
    ProjectFactory(organization=cast.enterprise, stage="intended")
    ProjectFactory(organization=cast.enterprise, stage="tracking")
    ProjectFactory(organization=cast.enterprise, stage="signed")
    assert api.as_user(cast.colleague).post(survey_url(survey, "respond")).status_code == 204
    assert api.as_user(cast.owner).post(survey_url(survey, "respond")).status_code == 204  # again: still one answer
    assert SurveyResponse.objects.get(survey=survey).confirmed_by == cast.owner

    answers = api.as_user(cast.official).get(survey_url(survey, "answers"))
    assert answers.status_code == 200
    rows = {row["organization_id"]: row for row in answers.json()}
    assert set(rows) == {cast.enterprise.pk, cast.outsider_org.pk}  # enterprises only
    assert rows[cast.enterprise.pk]["answered"] is True
    assert rows[cast.enterprise.pk]["confirmed_at"] is not None
    assert rows[cast.enterprise.pk]["intended_projects"] == 2
    assert rows[cast.outsider_org.pk] == {
        "organization_id": cast.outsider_org.pk,
        "organization_name": cast.outsider_org.name,
        "answered": False,
        "confirmed_at": None,
        "intended_projects": 0,
    }


@pytest.mark.parametrize(
    ("role", "status"),
    # Officials with `review`, as on the survey's page: an official without it is refused too.
    [
        ("owner", 403),
        ("outsider", 403),
        ("supplier", 403),
        ("talent", 403),
        ("publisher", 403),
        ("reviewer", 200),
        ("anonymous", 401),
    ],
)
def test_the_answers_are_for_officials(role, status, cast, api):
    survey = SurveyFactory(opened_by=cast.reviewer)
    assert api.as_user(cast.user(role)).get(survey_url(survey, "answers")).status_code == status


@pytest.mark.parametrize(
    ("opens", "closes"),
    [(1, 30), (-30, -1)],  # days from today: not yet open; already closed
    ids=["not-yet-open", "closed"],
)
def test_a_survey_outside_its_dates_cannot_be_answered(opens, closes, cast, api):
    today = timezone.localdate()
    survey = SurveyFactory(
        opened_by=cast.reviewer, opens_on=today + dt.timedelta(days=opens), closes_on=today + dt.timedelta(days=closes)
    )
    response = api.as_user(cast.owner).post(survey_url(survey, "respond"))
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("role", ["supplier", "talent", "reviewer", "official"])
def test_only_enterprises_answer(role, cast, api):
    survey = SurveyFactory(opened_by=cast.reviewer)
    assert api.as_user(cast.user(role)).post(survey_url(survey, "respond")).status_code == 403


# --- The reminder ---------------------------------------------------------------------------


def test_the_reminder_a_week_before_closing_goes_only_to_enterprises_that_have_not_answered(cast):
    survey = SurveyFactory(opened_by=cast.reviewer)
    late = OrganizationFactory(name="武汉江城路桥国际有限公司")
    late_user = member(late)
    services.survey_respond(actor=cast.colleague, survey=survey)

    week_before = survey.closes_on - dt.timedelta(days=7)
    assert services.survey_remind_due(today=week_before - dt.timedelta(days=1)) == 0  # too early
    assert services.survey_remind_due(today=week_before) == 2
    assert told(":remind") == sorted([cast.outsider.pk, late_user.pk])
    survey.refresh_from_db()
    assert survey.reminded_at is not None

    # Idempotent: the daily task runs again the next days and reminds no one twice.
    for days in range(1, 8):
        assert services.survey_remind_due(today=week_before + dt.timedelta(days=days)) == 0
    assert told(":remind") == sorted([cast.outsider.pk, late_user.pk])


def test_no_reminder_after_the_survey_closed(cast):
    survey = SurveyFactory(opened_by=cast.reviewer)
    assert services.survey_remind_due(today=survey.closes_on + dt.timedelta(days=1)) == 0
    assert told(":remind") == []


def test_the_daily_task_reminds_for_a_survey_closing_within_a_week(cast):
    today = timezone.localdate()
    SurveyFactory(opened_by=cast.reviewer, opens_on=today - dt.timedelta(days=30), closes_on=today + dt.timedelta(3))
    tasks.survey_remind()
    tasks.survey_remind()
    assert told(":remind") == enterprise_users(cast)


def test_when_everyone_answered_nobody_is_reminded(cast):
    survey = SurveyFactory(opened_by=cast.reviewer)
    services.survey_respond(actor=cast.owner, survey=survey)
    services.survey_respond(actor=cast.outsider, survey=survey)
    assert services.survey_remind_due(today=survey.closes_on - dt.timedelta(days=2)) == 0
    assert told(":remind") == []


# --- Through a real worker ------------------------------------------------------------------


def wait_until(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting until {what}")
        time.sleep(0.2)
    return result


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_opening_a_survey_announces_it_through_the_worker(cast, celery_worker):
    today = timezone.localdate()
    services.survey_open(actor=cast.reviewer, year=today.year, opens_on=today, closes_on=today + dt.timedelta(days=30))
    wait_until(lambda: len(told(":open")) == 3, timeout=60, what="three enterprise users are told")
    time.sleep(0.5)  # nothing more arrives
    assert told(":open") == enterprise_users(cast)
    assert "Task projects.survey_announce[" in celery_worker.log()
