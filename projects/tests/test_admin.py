"""The project library's admin shows the filing workflow and its history without moving or
rewriting them, and sets exchange rates through `exchange_rate_set`."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from portal.models import AuditEvent
from portal.testing.factories import UserFactory
from projects.choices import FilingStatus, Stage
from projects.models import ExchangeRate, Project, ProjectReview, ProjectStageChange

from .factories import filed_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def official_admin(client, cast):
    """The demo's official: a reviewer who is also a Django superuser."""
    cast.reviewer.is_staff = cast.reviewer.is_superuser = True
    cast.reviewer.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(cast.reviewer)
    return client


@pytest.fixture
def filed(cast):
    """A submitted project with its history, walked there by the services."""
    return filed_project(owner=cast.owner, reviewer=cast.reviewer, status=FilingStatus.SUBMITTED)


def _fields(obj):
    obj.refresh_from_db()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_a_project_and_its_history_are_shown(official_admin, filed):
    page = official_admin.get(reverse("admin:projects_project_change", args=[filed.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert "亚的斯亚贝巴环城公路二期" in page.content.decode()


def test_the_admin_does_not_move_a_filing_around_its_workflow(official_admin, filed):
    before = _fields(filed)
    response = official_admin.post(
        reverse("admin:projects_project_change", args=[filed.pk]),
        {"filing_status": FilingStatus.APPROVED, "approved_at_0": "2026-01-01", "contract_value": "1"},
    )
    assert response.status_code == 403
    assert _fields(filed) == before


def test_projects_are_not_added_or_deleted_in_the_admin(official_admin, filed):
    assert official_admin.get(reverse("admin:projects_project_add")).status_code == 403
    delete = reverse("admin:projects_project_delete", args=[filed.pk])
    assert official_admin.post(delete, {"post": "yes"}).status_code == 403
    assert Project.objects.filter(pk=filed.pk).exists()


@pytest.mark.parametrize("model", [ProjectReview, ProjectStageChange])
def test_filing_history_is_shown_but_not_added_changed_or_deleted(official_admin, filed, model):
    row = model.objects.filter(project=filed).first()
    before = _fields(row)
    name = model._meta.model_name
    change = reverse(f"admin:projects_{name}_change", args=[row.pk])
    assert official_admin.get(change).status_code == 200
    assert official_admin.post(change, {"action": "approved", "to_stage": Stage.COMPLETED}).status_code == 403
    assert official_admin.get(reverse(f"admin:projects_{name}_add")).status_code == 403
    delete = reverse(f"admin:projects_{name}_delete", args=[row.pk])
    assert official_admin.post(delete, {"post": "yes"}).status_code == 403
    assert _fields(row) == before


def _rate_form(**overrides):
    return {"currency": "ETB", "usd_per_unit": "0.0071", "as_of": "2026-10-31", "source": "中国人民银行", **overrides}


def test_a_rate_added_in_the_admin_is_set_through_the_service(official_admin, cast):
    ExchangeRate.objects.filter(currency="ETB").delete()
    response = official_admin.post(reverse("admin:projects_exchangerate_add"), _rate_form(currency="etb"))
    assert response.status_code == 302
    rate = ExchangeRate.objects.get(currency="ETB")
    assert (rate.usd_per_unit, rate.as_of, rate.updated_by) == (Decimal("0.0071"), dt.date(2026, 10, 31), cast.reviewer)
    event = AuditEvent.objects.get(action="exchange_rate.set")
    assert (event.actor, event.target_id, event.data) == (cast.reviewer, str(rate.pk), {"usd_per_unit": "0.0071"})


def test_a_rate_changed_in_the_admin_is_set_through_the_service(official_admin, cast):
    rate = ExchangeRate.objects.get(currency="EUR")
    form = _rate_form(usd_per_unit="1.2345", currency="GBP")  # the currency of a saved rate stays
    response = official_admin.post(reverse("admin:projects_exchangerate_change", args=[rate.pk]), form)
    assert response.status_code == 302
    rate.refresh_from_db()
    assert (rate.currency, rate.usd_per_unit, rate.updated_by) == ("EUR", Decimal("1.2345"), cast.reviewer)
    assert AuditEvent.objects.filter(action="exchange_rate.set", target_id=str(rate.pk)).exists()


def test_a_zero_rate_is_a_form_error_and_changes_nothing(official_admin):
    rate = ExchangeRate.objects.get(currency="EUR")
    before = _fields(rate)
    response = official_admin.post(
        reverse("admin:projects_exchangerate_change", args=[rate.pk]), _rate_form(usd_per_unit="0")
    )
    assert response.status_code == 200
    assert "usd_per_unit" in response.context["adminform"].form.errors
    assert _fields(rate) == before
    assert not AuditEvent.objects.filter(action="exchange_rate.set").exists()


def test_an_unknown_currency_is_a_form_error_and_adds_nothing(official_admin):
    response = official_admin.post(reverse("admin:projects_exchangerate_add"), _rate_form(currency="XYZ"))
    assert response.status_code == 200
    assert "currency" in response.context["adminform"].form.errors
    assert not ExchangeRate.objects.filter(currency="XYZ").exists()


def test_a_superuser_without_the_review_permission_cannot_set_a_rate(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    rate = ExchangeRate.objects.get(currency="EUR")
    before = _fields(rate)
    response = client.post(reverse("admin:projects_exchangerate_change", args=[rate.pk]), _rate_form(usd_per_unit="2"))
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert _fields(rate) == before
    assert not AuditEvent.objects.filter(action="exchange_rate.set").exists()


def test_rates_are_not_deleted_in_the_admin(official_admin):
    rate = ExchangeRate.objects.get(currency="EUR")
    delete = reverse("admin:projects_exchangerate_delete", args=[rate.pk])
    assert official_admin.post(delete, {"post": "yes"}).status_code == 403
    assert ExchangeRate.objects.filter(pk=rate.pk).exists()
