"""Every model has a Django admin whose pages open for a superuser, and the admin goes through
the services: history is read-only, actions call services."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from portal import services
from portal.models import AuditEvent, Delivery, Organization
from portal.testing.factories import NotificationFactory, UserFactory, valid_credit_code

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
    event = AuditEvent.objects.get(action="organization.verify")
    assert (event.organization, event.target_id, event.actor.is_superuser) == (
        cast.enterprise,
        str(cast.enterprise.pk),
        True,
    )


def test_marking_a_verified_organisation_again_changes_and_records_nothing(superuser_client, cast):
    url = reverse("admin:portal_organization_changelist")
    superuser_client.post(url, {"action": "mark_verified", "_selected_action": [cast.enterprise.pk]})
    cast.enterprise.refresh_from_db()
    first = cast.enterprise.verified_at
    superuser_client.post(url, {"action": "mark_verified", "_selected_action": [cast.enterprise.pk]})
    cast.enterprise.refresh_from_db()
    assert cast.enterprise.verified_at == first
    assert AuditEvent.objects.filter(action="organization.verify").count() == 1


def test_the_organisation_form_does_not_set_verified_at(superuser_client, cast):
    org = cast.enterprise
    data = {
        "name": org.name,
        "name_en": org.name_en,
        "kind": org.kind,
        "credit_code": org.credit_code,
        "province": org.province,
        "city": org.city,
        "contact_email": org.contact_email,
        "webhook_url": "",
        "verified_at_0": "2026-01-01",
        "verified_at_1": "00:00:00",
    }
    response = superuser_client.post(reverse("admin:portal_organization_change", args=[org.pk]), data)
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.verified_at is None


def test_verifying_is_a_service_that_needs_the_change_organisation_permission(cast):
    with pytest.raises(PermissionError):
        services.organization_verify(actor=cast.official, organization=cast.enterprise)
    cast.enterprise.refresh_from_db()
    assert cast.enterprise.verified_at is None
    assert not AuditEvent.objects.filter(action="organization.verify").exists()


def test_verifying_twice_keeps_the_first_time(cast):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    first = services.organization_verify(actor=admin_user, organization=cast.enterprise).verified_at
    again = services.organization_verify(actor=admin_user, organization=cast.enterprise).verified_at
    assert first is not None
    assert again == first
    assert AuditEvent.objects.filter(action="organization.verify").count() == 1


@pytest.fixture
def history(cast):
    """One row of each kind of history the portal keeps."""
    note = NotificationFactory(recipient=cast.colleague)
    return {
        "auditevent": services.audit_record(actor=cast.owner, action="organization.update", target=cast.enterprise),
        "delivery": Delivery.objects.create(notification=note, channel="email", status="failed", attempts=6),
        "notification": note,
    }


@pytest.mark.parametrize("model", ["auditevent", "delivery", "notification"])
def test_history_is_shown_but_not_added_changed_or_deleted_in_the_admin(superuser_client, history, model):
    obj = history[model]
    before = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    change = reverse(f"admin:portal_{model}_change", args=[obj.pk])
    page = superuser_client.get(change)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert superuser_client.post(change, {"status": "sent", "action": "x", "title": "改过"}).status_code == 403
    assert superuser_client.get(reverse(f"admin:portal_{model}_add")).status_code == 403
    delete = reverse(f"admin:portal_{model}_delete", args=[obj.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    obj.refresh_from_db()
    assert {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields} == before


def test_requeue_in_the_admin_calls_the_service(superuser_client, history, django_capture_on_commit_callbacks):
    delivery = history["delivery"]
    with django_capture_on_commit_callbacks() as callbacks:
        response = superuser_client.post(
            reverse("admin:portal_delivery_changelist"), {"action": "requeue", "_selected_action": [delivery.pk]}
        )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("queued", 0)
    assert AuditEvent.objects.filter(action="delivery.requeue").exists()
    assert len(callbacks) == 1


def test_staff_without_the_change_permission_cannot_requeue(client, history):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_delivery"))
    client.force_login(staff)
    delivery = history["delivery"]
    client.post(reverse("admin:portal_delivery_changelist"), {"action": "requeue", "_selected_action": [delivery.pk]})
    delivery.refresh_from_db()
    assert delivery.status == "failed"


def test_organisations_are_still_added_in_the_admin(superuser_client):
    data = {
        "name": "湖北省国资委",
        "name_en": "",
        "kind": "agency",
        "credit_code": valid_credit_code(424242),
        "province": "湖北省",
        "city": "武汉市",
        "contact_email": "gzw@example.cn",
        "webhook_url": "",
    }
    response = superuser_client.post(reverse("admin:portal_organization_add"), data)
    assert response.status_code == 302
    assert Organization.objects.filter(name="湖北省国资委", verified_at__isnull=True).exists()


def test_the_admin_carries_the_portals_name_and_its_sections_in_the_pages_language(superuser_client):
    chinese = superuser_client.get("/admin/").content.decode()
    assert "走出去企业服务平台 · 管理后台" in chinese
    assert "海外项目库" in chinese and "平台基础" in chinese
    assert "Django administration" not in chinese and "Django 管理" not in chinese
    english = superuser_client.get("/en/admin/").content.decode()
    assert "Overseas Expansion Enterprise Service Portal · Administration" in english
    assert "Overseas Project Library" in english
    assert "海外项目库" not in english
