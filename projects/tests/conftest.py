"""Fixtures shared by the project library's tests."""

import pytest
from django.utils import timezone

from projects.choices import FilingStatus

from .factories import ProjectFactory


@pytest.fixture
def many_projects(cast):
    """60 projects of three organisations in three countries, every filing status."""
    for n in range(60):
        ProjectFactory(
            organization=(cast.enterprise, cast.outsider_org)[n % 2],
            country_id=("KE", "ET", "ID")[n % 3],
            filing_status=list(FilingStatus)[n % len(FilingStatus)],
            submitted_at=timezone.now(),
        )
