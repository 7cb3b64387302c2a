"""The rules that have one home: the figures scope, the workflow's allowed actions, scope that
fails closed, authorisation before validation, and rows built from the serializer's fields."""

from decimal import Decimal

import pytest
from django.urls import reverse

from portal.models import AuditEvent, Country, ScopedQuerySet
from projects.api.serializers import ProjectSerializer
from projects.choices import FilingStatus
from projects.models import Project, ProjectReport, figures_scope, figures_visible
from projects.selectors import allowed_actions
from projects.tests.factories import ProjectFactory, ProjectReportFactory

pytestmark = pytest.mark.django_db

ALL_STATUSES = tuple(FilingStatus.values)


# --- Private figures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "own", "other"),
    [
        ("owner", True, False),
        ("colleague", True, False),
        ("outsider", False, True),  # the outsider's own project is `other` here
        ("supplier", False, False),
        ("talent", False, False),
        ("reviewer", True, True),
        ("publisher", True, True),
        ("official", True, True),
        ("anonymous", False, False),
    ],
)
def test_figures_are_visible_to_the_owning_enterprise_and_officials_only(cast, role, own, other):
    mine = ProjectFactory(organization=cast.enterprise, approved=True, contract_value=Decimal("100"))
    theirs = ProjectFactory(organization=cast.outsider_org, approved=True, contract_value=Decimal("200"))
    user = cast.user(role)
    annotated = dict(Project.objects.with_figures_for(user).values_list("pk", "figures_visible"))
    assert (annotated[mine.pk], annotated[theirs.pk]) == (own, other)
    # The predicate for a single record and the filter agree with the annotation.
    assert figures_visible(user, mine.organization_id) is own
    assert figures_visible(user, theirs.organization_id) is other
    filtered = set(Project.objects.with_visible_figures(user).values_list("pk", flat=True))
    assert filtered == {pk for pk, visible in annotated.items() if visible}


def test_only_officials_see_every_projects_figures(cast):
    assert figures_scope(cast.official) is True
    assert figures_scope(cast.owner) == cast.enterprise.pk
    assert figures_scope(cast.supplier) is False
    assert figures_scope(None) is False


def test_a_value_filter_cannot_probe_another_enterprises_figures(cast, api):
    ProjectFactory(organization=cast.outsider_org, approved=True, contract_value=Decimal("5000000"), currency="USD")
    response = api.as_user(cast.owner).get(reverse("api:project-list"), {"value_min": 1_000_000})
    assert response.status_code == 200
    assert response.json()["results"] == []
    response = api.as_user(cast.official).get(reverse("api:project-list"), {"value_min": 1_000_000})
    assert len(response.json()["results"]) == 1


# --- Allowed actions ------------------------------------------------------------------------

OWNER_ACTIONS = {
    FilingStatus.DRAFT: {"edit", "delete", "submit"},
    FilingStatus.SUBMITTED: {"withdraw"},
    FilingStatus.APPROVED: {"edit", "report"},
    FilingStatus.RETURNED: {"edit", "delete", "submit"},
    FilingStatus.WITHDRAWN: {"edit", "delete", "submit"},
}


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_allowed_actions_follow_the_role_and_the_filing_status(cast, status):
    project = ProjectFactory(organization=cast.enterprise, filing_status=status)
    assert allowed_actions(obj=project, user=cast.owner) == OWNER_ACTIONS[status]
    reviewing = {"approve", "return"} if status == FilingStatus.SUBMITTED else set()
    assert allowed_actions(obj=project, user=cast.reviewer) == reviewing
    assert allowed_actions(obj=project, user=cast.publisher) == set()  # an official without review
    for role in ("outsider", "supplier", "talent", "anonymous"):
        assert allowed_actions(obj=project, user=cast.user(role)) == set(), role


def test_the_api_lists_the_actions_open_to_the_reader(cast, api):
    project = ProjectFactory(organization=cast.enterprise, submitted=True)
    url = reverse("api:project-detail", args=[project.pk])
    assert api.as_user(cast.owner).get(url).json()["allowed_actions"] == ["withdraw"]
    assert api.as_user(cast.reviewer).get(url).json()["allowed_actions"] == ["approve", "return"]
    assert api.as_user(cast.publisher).get(url).json()["allowed_actions"] == []


def test_the_project_page_shows_only_the_open_actions(cast, client):
    project = ProjectFactory(organization=cast.enterprise, submitted=True)
    client.force_login(cast.publisher)  # an official, but without review
    body = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert reverse("projects:approve", args=[project.pk]) not in body
    client.force_login(cast.reviewer)
    body = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert reverse("projects:approve", args=[project.pk]) in body


# --- Authorise before validating ------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "supplier", "publisher"])
def test_an_empty_return_by_a_non_reviewer_is_refused_not_validated(cast, api, role):
    project = ProjectFactory(organization=cast.enterprise, approved=True)
    response = api.as_user(cast.user(role)).post(reverse("api:project-return", args=[project.pk]), {}, format="json")
    assert response.status_code == 403
    assert "comment" not in response.json()
    project.refresh_from_db()
    assert project.filing_status == FilingStatus.APPROVED
    assert not AuditEvent.objects.filter(target_id=str(project.pk), action="project.returned").exists()


def test_a_reviewers_empty_return_is_told_to_give_a_comment(cast, api):
    project = ProjectFactory(organization=cast.enterprise, submitted=True)
    response = api.as_user(cast.reviewer).post(reverse("api:project-return", args=[project.pk]), {}, format="json")
    assert response.status_code == 400
    assert "comment" in response.json()
    project.refresh_from_db()
    assert project.filing_status == FilingStatus.SUBMITTED


def test_an_official_without_review_cannot_read_the_review_queue(cast, api):
    ProjectFactory(organization=cast.enterprise, submitted=True)
    assert api.as_user(cast.publisher).get(reverse("api:project-review-queue")).status_code == 403
    assert api.as_user(cast.reviewer).get(reverse("api:project-review-queue")).status_code == 200


# --- Scope fails closed ---------------------------------------------------------------------


def test_a_scoped_queryset_without_an_editable_rule_allows_no_writes(cast):
    class Unconfigured(ScopedQuerySet):
        def visible_to(self, user):
            return self.all()

    queryset = Unconfigured(model=Country)
    assert queryset.editable_by(cast.official).count() == 0
    assert queryset.visible_to(cast.official).count() == Country.objects.count()


def test_officials_read_reports_but_cannot_edit_them(cast):
    report = ProjectReportFactory(project=ProjectFactory(organization=cast.enterprise, approved=True))
    assert ProjectReport.objects.visible_to(cast.official).filter(pk=report.pk).exists()
    assert not ProjectReport.objects.editable_by(cast.official).exists()
    assert ProjectReport.objects.editable_by(cast.owner).filter(pk=report.pk).exists()
    assert not ProjectReport.objects.editable_by(cast.outsider).exists()


# --- One field list -------------------------------------------------------------------------


def test_the_list_reads_exactly_the_serializers_declared_fields():
    columns = ProjectSerializer.row_columns()
    assert len(columns) == len(ProjectSerializer.Meta.fields)
    assert "organization_id" in columns and "country__name_zh" in columns
    assert "search_text" not in columns
