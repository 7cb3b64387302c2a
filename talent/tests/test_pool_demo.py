"""seed_demo's talent pool: the demo talent's profile and eight staff profiles; twice is once."""

import pytest
from django.core.management import call_command

from portal.models import User
from talent.models import ConsentRecord, TalentCertificate, TalentLanguage, TalentProfile

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_the_pool_once_with_varied_people(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (TalentProfile.objects.count(), ConsentRecord.objects.count(), TalentLanguage.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (TalentProfile.objects.count(), ConsentRecord.objects.count(), TalentLanguage.objects.count()) == counts
    assert counts[0] == 9 and counts[1] == 9
    assert TalentProfile.objects.filter(owner=User.objects.get(username="talent")).exists()
    assert TalentLanguage.objects.values("code").distinct().count() >= 5
    assert TalentCertificate.objects.values("kind").distinct().count() >= 6
    assert TalentProfile.objects.filter(entered_by__isnull=False).values("entered_by").distinct().count() == 2
