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


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "Europe/London", "America/St_Johns", "Asia/Kathmandu"])
def test_rows_left_to_orjson_render_as_drfs_own_representation(cast, zone):
    """The list hands its rows' datetimes to the orjson renderer: the JSON must be what DRF's
    generic walk and DRF's renderer write, whatever the zone, for whole-minute offsets and for
    the local mean time before 1901 that orjson would round (left as DRF's text)."""
    import datetime
    import json

    from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

    from portal.api.renderers import JSONRenderer

    moments = [
        datetime.datetime(2026, 11, 21, 2, 0, 0, tzinfo=datetime.UTC),  # no microseconds
        datetime.datetime(2026, 7, 1, 23, 59, 59, 999999, tzinfo=datetime.UTC),  # summer time where it is kept
        datetime.datetime(1890, 1, 1, 0, 0, 0, 1, tzinfo=datetime.UTC),  # local mean time: +08:05:43 in Shanghai
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
