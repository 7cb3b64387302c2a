"""Every model has a Django admin whose pages open for a superuser."""

import pytest
from django.contrib import admin
from django.urls import reverse

from portal.testing.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, cast):
    NotificationFactory(recipient=cast.owner)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def registered():
    return [(m._meta.app_label, m._meta.model_name) for m in admin.site._registry]


@pytest.mark.parametrize(("app", "model"), registered())
def test_admin_changelist_and_change_pages_open(superuser_client, app, model):
    response = superuser_client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200
    model_admin = next(ma for m, ma in admin.site._registry.items() if m._meta.model_name == model)
    obj = model_admin.model._default_manager.first()
    if obj is not None:
        assert superuser_client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk])).status_code == 200


def test_every_portal_model_is_in_the_admin():
    from django.apps import apps

    missing = [m.__name__ for m in apps.get_app_config("portal").get_models() if m not in admin.site._registry]
    assert missing == []


def test_marking_an_organisation_verified_is_recorded(superuser_client, cast):
    url = reverse("admin:portal_organization_changelist")
    response = superuser_client.post(url, {"action": "mark_verified", "_selected_action": [cast.enterprise.pk]})
    assert response.status_code == 302
    cast.enterprise.refresh_from_db()
    assert cast.enterprise.verified_at is not None
