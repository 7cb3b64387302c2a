"""The pool in the admin: view-only, and without the contact details (a view there would escape
the contact-view log)."""

import pytest
from django.urls import reverse

from portal.testing.factories import UserFactory
from talent import services
from talent.models import TalentProfile

from .factories import make_profile

pytestmark = pytest.mark.django_db


def test_the_admin_shows_a_profile_without_its_contacts_and_changes_nothing(cast, client):
    profile = make_profile(cast.talent)
    services.contact_view_record(viewer=cast.official, profile=profile)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:talent_talentprofile_change", args=[profile.pk])).content.decode()
    assert "李工程师" in page and "13800000001" not in page and "li@example.com" not in page
    assert client.get(reverse("admin:talent_contactview_changelist")).status_code == 200
    client.post(reverse("admin:talent_talentprofile_delete", args=[profile.pk]), {"post": "yes"})
    assert TalentProfile.objects.filter(pk=profile.pk).exists()
