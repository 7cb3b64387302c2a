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


def test_seed_demo_publishes_a_severe_bulletin_the_demo_enterprise_must_acknowledge(settings):
    from portal.models import Notification, User
    from risk.models import Follow, RiskBulletin

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    counts = (RiskBulletin.objects.count(), Follow.objects.count(), Notification.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (RiskBulletin.objects.count(), Follow.objects.count(), Notification.objects.count()) == counts

    severe = RiskBulletin.objects.in_force().get(severity="severe")
    assert list(severe.countries.values_list("code", flat=True)) == ["KE"]
    alert = Notification.objects.get(recipient=User.objects.get(username="enterprise"), dedupe_key=severe.alert_key)
    assert alert.requires_ack
    assert Follow.objects.filter(user__username="talent").exists()
