"""The project filing workflow, step by step, from every filing status (portal/testing/workflow.py):
submit, withdraw, approve, return, delete and edit, called as the views call them, through the
services; then who may take each step at all; then the same rule over HTTP.

The statuses are written out here rather than read from services.SUBMITTABLE_STATUSES and its
siblings, so that a change to those constants shows up as a failing test to be decided on."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.testing.workflow import GONE, assert_transitions
from projects import services
from projects.choices import FilingStatus
from projects.models import ProjectReport, ProjectReview, ProjectStageChange

from .factories import ProjectFactory

pytestmark = pytest.mark.django_db

DRAFT, SUBMITTED, APPROVED, RETURNED, WITHDRAWN = (
    FilingStatus.DRAFT,
    FilingStatus.SUBMITTED,
    FilingStatus.APPROVED,
    FilingStatus.RETURNED,
    FilingStatus.WITHDRAWN,
)
EVERY_STATUS = FilingStatus.values
WATCH = (ProjectReview, ProjectStageChange, ProjectReport)


@pytest.fixture
def make(cast):
    """A project of the cast's enterprise in a filing status, as the workflow would leave it."""

    def make(status):
        return ProjectFactory(organization=cast.enterprise, filing_status=status, submitted_at=timezone.now())

    return make


def same_status(status: str) -> str:
    return status


# --- From which status each step goes -------------------------------------------------------


def test_a_draft_a_returned_or_a_withdrawn_filing_is_submitted(make, cast):
    assert_transitions(
        make=make,
        action=lambda project: services.project_submit(actor=cast.owner, project=project),
        allowed=[DRAFT, RETURNED, WITHDRAWN],
        forbidden=[SUBMITTED, APPROVED],
        expect_status=SUBMITTED,
        audit="project.submit",
        statuses=EVERY_STATUS,
        raises=ValidationError,
        watch=WATCH,
    )


def test_only_a_submitted_filing_is_withdrawn(make, cast):
    assert_transitions(
        make=make,
        action=lambda project: services.project_withdraw(actor=cast.colleague, project=project),
        allowed=[SUBMITTED],
        forbidden=[DRAFT, APPROVED, RETURNED, WITHDRAWN],
        expect_status=WITHDRAWN,
        audit="project.withdraw",
        statuses=EVERY_STATUS,
        raises=ValidationError,
        watch=WATCH,
    )


def test_only_a_submitted_filing_is_approved(make, cast):
    assert_transitions(
        make=make,
        action=lambda project: services.project_approve(actor=cast.reviewer, project=project, comment="同意备案"),
        allowed=[SUBMITTED],
        forbidden=[DRAFT, APPROVED, RETURNED, WITHDRAWN],
        expect_status=APPROVED,
        audit="project.approved",
        statuses=EVERY_STATUS,
        raises=ValidationError,
        watch=WATCH,
    )


def test_only_a_submitted_filing_is_returned(make, cast):
    assert_transitions(
        make=make,
        action=lambda project: services.project_return(actor=cast.reviewer, project=project, comment="请补充材料"),
        allowed=[SUBMITTED],
        forbidden=[DRAFT, APPROVED, RETURNED, WITHDRAWN],
        expect_status=RETURNED,
        audit="project.returned",
        statuses=EVERY_STATUS,
        raises=ValidationError,
        watch=WATCH,
    )


def test_an_unfiled_project_is_deleted_and_a_filed_one_is_kept(make, cast):
    assert_transitions(
        make=make,
        action=lambda project: services.project_delete(actor=cast.owner, project=project),
        allowed=[DRAFT, RETURNED, WITHDRAWN],
        forbidden=[SUBMITTED, APPROVED],
        expect_status=GONE,
        audit="project.delete",
        statuses=EVERY_STATUS,
        raises=ValidationError,
        watch=WATCH,
    )


def test_a_project_is_edited_in_every_status_but_submitted(make, cast):
    """A name is not a key field: the edit keeps the status, approved included."""
    assert_transitions(
        make=make,
        action=lambda project: services.project_update(actor=cast.owner, project=project, data={"name": "新名称"}),
        allowed=[DRAFT, RETURNED, WITHDRAWN, APPROVED],
        forbidden=[SUBMITTED],
        expect_status=same_status,
        audit="project.update",
        statuses=EVERY_STATUS,
        raises=ValidationError,
        watch=WATCH,
    )


def test_a_key_field_edit_sends_only_an_approved_project_back_to_review(make, cast):
    assert_transitions(
        make=make,
        action=lambda project: services.project_update(
            actor=cast.owner, project=project, data={"contract_value": project.contract_value * 2}
        ),
        allowed=[DRAFT, RETURNED, WITHDRAWN, APPROVED],
        forbidden=[SUBMITTED],
        expect_status=lambda status: SUBMITTED if status == APPROVED else status,
        audit="project.update",
        statuses=EVERY_STATUS,
        raises=ValidationError,
        watch=WATCH,
    )


# --- Who may take each step -----------------------------------------------------------------

ENTERPRISE_STEPS = {
    "submit": lambda actor, project: services.project_submit(actor=actor, project=project),
    "withdraw": lambda actor, project: services.project_withdraw(actor=actor, project=project),
    "update": lambda actor, project: services.project_update(actor=actor, project=project, data={"name": "改名"}),
    "delete": lambda actor, project: services.project_delete(actor=actor, project=project),
}
REVIEW_STEPS = {
    "approve": lambda actor, project: services.project_approve(actor=actor, project=project, comment="同意"),
    "return": lambda actor, project: services.project_return(actor=actor, project=project, comment="请补充"),
}


@pytest.mark.parametrize("role", ["outsider", "supplier", "talent", "reviewer", "official"])
@pytest.mark.parametrize("step", list(ENTERPRISE_STEPS))
def test_only_the_owning_enterprise_takes_its_steps_from_any_status(step, role, make, cast):
    assert_transitions(
        make=make,
        action=lambda project: ENTERPRISE_STEPS[step](cast.user(role), project),
        allowed=[],
        forbidden=EVERY_STATUS,
        statuses=EVERY_STATUS,
        raises=PermissionError,
        watch=WATCH,
    )


@pytest.mark.parametrize("role", ["owner", "colleague", "outsider", "supplier", "talent", "publisher", "trainer"])
@pytest.mark.parametrize("step", list(REVIEW_STEPS))
def test_only_reviewers_decide_from_any_status(step, role, make, cast):
    assert_transitions(
        make=make,
        action=lambda project: REVIEW_STEPS[step](cast.user(role), project),
        allowed=[],
        forbidden=EVERY_STATUS,
        statuses=EVERY_STATUS,
        raises=PermissionError,
        watch=WATCH,
    )


# --- The same rule over HTTP ----------------------------------------------------------------


def test_the_api_submits_from_the_same_statuses_as_the_service(make, cast, api):
    client = api.as_user(cast.owner)
    assert_transitions(
        make=make,
        action=lambda project: client.post(reverse("api:project-submit", kwargs={"pk": project.pk})),
        refused=lambda response: response.status_code == 400,
        allowed=[DRAFT, RETURNED, WITHDRAWN],
        forbidden=[SUBMITTED, APPROVED],
        expect_status=SUBMITTED,
        statuses=EVERY_STATUS,
        watch=WATCH,
    )


def _refused_with_a_message(response) -> bool:
    assert response.status_code == 302, response.status_code
    return any(m.level >= messages.WARNING for m in get_messages(response.wsgi_request))


def test_the_withdraw_button_withdraws_from_the_same_status_as_the_service(make, cast, client):
    client.force_login(cast.colleague)

    def withdraw(project):
        client.cookies.pop("messages", None)  # the messages of this request only
        return client.post(reverse("projects:withdraw", kwargs={"pk": project.pk}))

    assert_transitions(
        make=make,
        action=withdraw,
        refused=_refused_with_a_message,
        allowed=[SUBMITTED],
        forbidden=[DRAFT, APPROVED, RETURNED, WITHDRAWN],
        expect_status=WITHDRAWN,
        statuses=EVERY_STATUS,
        watch=WATCH,
    )
