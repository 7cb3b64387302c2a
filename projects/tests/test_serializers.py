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
