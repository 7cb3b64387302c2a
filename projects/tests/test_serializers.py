"""The project serializer's direct representation matches DRF's generic one exactly."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from projects.api.serializers import PRIVATE_FIELDS, ProjectSerializer
from projects.choices import FilingStatus
from projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["owner", "outsider", "official", "anonymous"])
def test_direct_representation_equals_the_model_serializers(cast, role):
    project = ProjectFactory(
        organization=cast.enterprise,
        contract_value=Decimal("1234567.5"),
        currency="KES",
        start_date=date(2025, 3, 1),
        planned_completion=date(2027, 6, 30),
        embassy_registered=True,
        embassy_registered_on=date(2025, 4, 2),
        filing_status=FilingStatus.APPROVED,
        submitted_at=timezone.now(),
        approved_at=timezone.now(),
        chinese_staff=35,
        local_staff=420,
    )
    request = APIRequestFactory().get("/")
    request.user = cast.user(role) or AnonymousUser()
    serializer = ProjectSerializer(context={"request": request})
    direct = serializer.to_representation(project)
    generic = dict(super(ProjectSerializer, serializer).to_representation(project))  # DRF's own walk
    if role in ("outsider", "anonymous"):
        generic.update(dict.fromkeys(PRIVATE_FIELDS))
    assert direct == generic
    assert list(direct) == list(generic)


@pytest.mark.parametrize(
    "zone", ["Asia/Shanghai", "UTC", "Europe/London", "America/St_Johns", "Asia/Kathmandu", "Africa/Monrovia"]
)
def test_rows_left_to_orjson_render_as_drfs_own_representation(cast, zone):
    """The list hands its rows' datetimes to the orjson renderer: the JSON must be what DRF's
    generic walk and DRF's renderer write, whatever the zone, for whole-minute offsets and for
    offsets of seconds that orjson would round (local mean time before 1901, Liberia's
    until 1972) (left as DRF's text)."""
    import datetime
    import json

    from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

    from portal.api.renderers import JSONRenderer

    moments = [
        datetime.datetime(2026, 11, 21, 2, 0, 0, tzinfo=datetime.UTC),  # no microseconds
        datetime.datetime(2026, 7, 1, 23, 59, 59, 999999, tzinfo=datetime.UTC),  # summer time where it is kept
        datetime.datetime(1890, 1, 1, 0, 0, 0, 1, tzinfo=datetime.UTC),  # local mean time: +08:05:43 in Shanghai
        datetime.datetime(1960, 6, 1, 12, 0, 0, tzinfo=datetime.UTC),  # Monrovia kept -00:44:30 until 1972
    ]
    project = ProjectFactory(organization=cast.enterprise, filing_status=FilingStatus.APPROVED)
    serializer = ProjectSerializer()
    with timezone.override(zone):
        for moment in moments:
            project.submitted_at = project.approved_at = project.created_at = project.updated_at = moment
            generic = dict(super(ProjectSerializer, serializer).to_representation(project))
            generic.update(dict.fromkeys(PRIVATE_FIELDS))
            row = serializer.represent_row(project, timezone.get_current_timezone(), for_orjson=True)
            assert json.loads(JSONRenderer().render(row)) == json.loads(DRFJSONRenderer().render(generic))
            assert list(row) == list(generic)


def test_the_list_leaves_datetimes_to_orjson_and_gives_other_renderers_text(cast, client):
    from django.urls import reverse
    from rest_framework.test import APIClient

    project = ProjectFactory(organization=cast.enterprise, approved=True)
    response = APIClient().get(reverse("api:project-list"))
    assert isinstance(response.data["results"][0]["approved_at"], timezone.datetime)
    assert response.json()["results"][0]["approved_at"] == timezone.localtime(project.approved_at).isoformat()
    page = client.get(reverse("api:project-list"), headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert isinstance(page.data["results"][0]["approved_at"], str)  # the browsable API's own rendering


def test_a_row_read_without_the_private_columns_shows_them_null_in_drfs_order(cast):
    """A reader who may see no figures is not sent them from the database: the row without
    those columns is represented as the full row is for that reader."""
    from projects.models import Project

    ProjectFactory(organization=cast.enterprise, contract_value=Decimal("99"), currency="USD", chinese_staff=3)
    queryset = Project.objects.with_figures_for(AnonymousUser())
    serializer = ProjectSerializer()
    public_columns = ProjectSerializer.row_columns(private=False)
    assert not set(public_columns) & set(PRIVATE_FIELDS)
    (narrow,) = queryset.values(*public_columns, "figures_visible")
    (full,) = queryset.values(*ProjectSerializer.row_columns(), "figures_visible")
    assert full["contract_value"] == Decimal("99")
    tz = timezone.get_current_timezone()
    for for_orjson in (False, True):
        represented = serializer.represent_row(narrow, tz, for_orjson=for_orjson)
        assert represented == serializer.represent_row(full, tz, for_orjson=for_orjson)
        assert list(represented) == list(ProjectSerializer.Meta.fields)
        assert all(represented[name] is None for name in PRIVATE_FIELDS)


@pytest.mark.parametrize(
    ("role", "read", "shown"),
    [
        ("anonymous", False, False),
        ("supplier", False, False),
        ("talent", False, False),
        ("outsider", True, False),  # its own projects' figures, not this one's
        ("owner", True, True),
        ("official", True, True),
    ],
)
def test_the_list_reads_private_figures_only_for_a_reader_who_may_see_some(cast, role, read, shown):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from rest_framework.test import APIClient

    from portal.api import statements

    ProjectFactory(organization=cast.enterprise, approved=True, contract_value=Decimal("5"))
    statements.STATEMENTS.clear()  # the page's first request of its shape sends the SQL itself
    client = APIClient()
    if user := cast.user(role):
        client.force_authenticate(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("api:project-list"))
    assert response.status_code == 200
    (page_sql,) = [q["sql"] for q in queries if '"projects_project"."name"' in q["sql"]]
    assert ('"contract_value"' in page_sql) is read
    assert ('"chinese_staff"' in page_sql) is read
    assert (response.json()["results"][0]["contract_value"] == "5.00") is shown
