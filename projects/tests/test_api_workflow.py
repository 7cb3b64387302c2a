"""The project library's API, the filing workflow over HTTP: review decisions per role, the whole
workflow, the history and the review queue's query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.testing.cast import Cast
from projects.choices import FilingStatus, ReviewAction
from projects.models import Project

from .factories import ProjectFactory, project_payload
from .helpers import detail_url, list_url, roles

pytestmark = pytest.mark.django_db


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


# --- Query counts ---------------------------------------------------------------------------


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
