"""`manage.py seed_demo` adds the key markets' levels with their reference ratings; twice gives
the same data."""

import io

import pytest
from django.core.management import call_command

from risk.models import CountryRisk, CountryRiskChange, ReferenceRating

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_gives_the_same_levels_and_ratings(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    counts = (CountryRisk.objects.count(), CountryRiskChange.objects.count(), ReferenceRating.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (CountryRisk.objects.count(), CountryRiskChange.objects.count(), ReferenceRating.objects.count()) == counts
    assert CountryRisk.objects.get(pk="MM").level == 4
    assert CountryRisk.objects.get(pk="KH").ratings.get(source="sinosure").scale_max == 9
