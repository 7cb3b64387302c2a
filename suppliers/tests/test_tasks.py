"""The daily certificate job (Celery beat): reminders 60, 30 and 7 days before a certificate
lapses, once per threshold however often it runs; the automatic suspension when a required
certificate lapses, told to the supplier and the reviewers; the one-step reinstatement after a
valid replacement; and the job through a real worker and in the beat schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from portal.models import AuditEvent, Notification
from portal.testing.factories import member
from suppliers import services, tasks
from suppliers.choices import ReviewAction
from suppliers.choices import SupplierStatus as S
from suppliers.models import Supplier

from .factories import CertificateFactory, SupplierFactory, certificate_data, kind

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)


def expiring(cast, days_left: int, status=S.APPROVED, **kwargs):
    supplier = SupplierFactory(organization=cast.supplier_org, status=status, **kwargs)
    return CertificateFactory(supplier=supplier, valid_until=TODAY + dt.timedelta(days=days_left))


def reminders(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, dedupe_key__startswith="certificate-expiry:")
        .order_by("id")
        .values_list("dedupe_key", flat=True)
    )


def test_a_supplier_is_reminded_at_60_30_and_7_days_once_each_however_often_the_job_runs(cast):
    certificate = expiring(cast, 60)
    colleague = member(cast.supplier_org)
    for day in range(61):
        for _run in range(2):  # twice a day: a retried or doubled beat run
            services.certificate_reminders_send(today=TODAY + dt.timedelta(days=day))
    keys = [f"certificate-expiry:{certificate.pk}:{threshold}" for threshold in (60, 30, 7)]
    assert reminders(cast.supplier) == keys
    assert reminders(colleague) == keys
    note = Notification.objects.filter(recipient=cast.supplier).order_by("id").last()
    assert certificate.valid_until.isoformat() in note.title
    assert "还有 7 天" in note.body


def test_a_certificate_first_seen_close_to_its_end_gets_only_the_nearest_reminder(cast):
    certificate = expiring(cast, 5)
    services.certificate_reminders_send(today=TODAY)
    assert reminders(cast.supplier) == [f"certificate-expiry:{certificate.pk}:7"]


def test_no_reminder_far_from_the_end_after_it_or_for_a_replaced_certificate(cast):
    far = expiring(cast, 61)
    CertificateFactory(supplier=far.supplier, kind=kind("iso9001"), valid_until=TODAY - dt.timedelta(days=1))
    replaced = CertificateFactory(supplier=far.supplier, kind=kind("cma"), valid_until=TODAY + dt.timedelta(days=20))
    CertificateFactory(supplier=far.supplier, kind=kind("cma"), valid_until=TODAY + dt.timedelta(days=800))
    assert replaced.pk
    services.certificate_reminders_send(today=TODAY)
    assert reminders(cast.supplier) == []


@pytest.mark.parametrize("status", [S.DRAFT, S.REJECTED, S.REVOKED])
def test_applications_not_in_play_are_not_reminded(status, cast):
    expiring(cast, 7, status=status)
    services.certificate_reminders_send(today=TODAY)
    assert reminders(cast.supplier) == []


def test_when_a_required_certificate_lapses_the_supplier_is_suspended_told_why_and_reviewers_are_told(cast):
    certificate = expiring(cast, -1, categories=["green_materials"])
    supplier = certificate.supplier
    suspended = services.lapsed_suppliers_suspend(today=TODAY)
    assert suspended == [supplier.pk]
    supplier.refresh_from_db()
    assert (supplier.status, supplier.sanction_from) == (S.SUSPENDED, TODAY)
    step = supplier.history.get()
    assert step.action == ReviewAction.AUTO_SUSPENDED
    assert step.actor is None
    assert "绿色建材产品认证证书" in step.comment
    told = Notification.objects.get(recipient=cast.supplier)
    assert "自动暂停" in told.title
    assert "绿色建材产品认证证书" in told.body
    assert "Green building material product certificate" in told.body_en  # each reader's language
    assert Notification.objects.filter(recipient=cast.reviewer, title__contains="自动暂停").count() == 1
    assert AuditEvent.objects.filter(action="supplier.auto_suspend", target_id=str(supplier.pk)).exists()
    assert not Supplier.objects.listed().exists()

    assert services.lapsed_suppliers_suspend(today=TODAY) == []  # run again: nothing more
    assert supplier.history.count() == 1
    assert Notification.objects.filter(recipient=cast.supplier).count() == 1


def test_a_lapsed_certificate_that_is_not_required_or_already_replaced_suspends_nobody(cast):
    supplier = SupplierFactory(organization=cast.supplier_org, status=S.APPROVED, categories=["green_materials"])
    CertificateFactory(supplier=supplier, kind=kind("iso9001"), valid_until=TODAY - dt.timedelta(days=3))
    CertificateFactory(supplier=supplier, valid_until=TODAY - dt.timedelta(days=3))
    CertificateFactory(supplier=supplier, valid_until=TODAY + dt.timedelta(days=300))
    assert services.lapsed_suppliers_suspend(today=TODAY) == []
    supplier.refresh_from_db()
    assert supplier.status == S.APPROVED


def test_a_valid_replacement_lets_an_official_reinstate_in_one_step(cast):
    supplier = expiring(cast, -1, categories=["green_materials"]).supplier
    services.lapsed_suppliers_suspend(today=TODAY)
    supplier.refresh_from_db()
    services.certificate_add(
        actor=cast.supplier,
        supplier=supplier,
        data=certificate_data("green_material", valid_until=timezone.localdate() + dt.timedelta(days=365)),
    )
    assert Notification.objects.filter(recipient=cast.reviewer, title__contains="可恢复资格").exists()
    supplier = services.supplier_reinstate(actor=cast.reviewer, supplier=supplier)
    assert supplier.status == S.APPROVED
    assert Supplier.objects.listed().filter(pk=supplier.pk).exists()


def test_the_job_is_in_the_beat_schedule_on_its_queue():
    entry = settings.PORTAL_BEAT_SCHEDULE["suppliers-check-certificates"]
    assert entry["task"] == "suppliers.check_certificates" == tasks.check_certificates.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({6}, {30})
    assert settings.CELERY_TASK_ROUTES["suppliers.check_certificates"] == {"queue": "bulk"}


def test_the_task_runs_the_job(cast, tasks_run_here):
    supplier = SupplierFactory(organization=cast.supplier_org, status=S.APPROVED)
    CertificateFactory(supplier=supplier, valid_until=timezone.localdate() + dt.timedelta(days=30))
    CertificateFactory(supplier=supplier, kind=kind("iso9001"), valid_until=timezone.localdate() + dt.timedelta(days=6))
    result = tasks.check_certificates.delay().get()
    assert result == {"reminded": 2, "suspended": 0}
    assert tasks.check_certificates.delay().get() == {"reminded": 0, "suspended": 0}


def test_a_requirement_officials_add_later_is_not_a_lapse(cast):
    """The job suspends for a certificate that lapsed, not for a requirement added to a category
    since approval (that is asked for at the next submission or reinstatement)."""
    from suppliers.models import Category, CategoryRequirement

    supplier = SupplierFactory(organization=cast.supplier_org, status=S.APPROVED, categories=["green_materials"])
    CertificateFactory(supplier=supplier, valid_until=TODAY + dt.timedelta(days=300))  # the required one, valid
    CertificateFactory(supplier=supplier, kind=kind("iso9001"), valid_until=TODAY - dt.timedelta(days=3))
    added = CategoryRequirement.objects.create(category=Category.objects.get(code="green_materials"))
    added.kinds.set([kind("cma")])

    assert services.lapsed_suppliers_suspend(today=TODAY) == []
    supplier.refresh_from_db()
    assert supplier.status == S.APPROVED


def _library(count: int) -> None:
    """`count` approved suppliers of their own organisations, each with a certificate lapsing in
    a week and an older one of the same kind that lapsed and was replaced."""
    for _n in range(count):
        supplier = SupplierFactory(status=S.APPROVED, categories=["green_materials"])
        member(supplier.organization)
        CertificateFactory(supplier=supplier, valid_until=TODAY + dt.timedelta(days=7))
        CertificateFactory(supplier=supplier, valid_until=TODAY - dt.timedelta(days=30))


@pytest.mark.parametrize("count", [2, 20])
def test_the_daily_job_costs_the_same_queries_however_many_certificates_are_due(count, django_assert_max_num_queries):
    _library(count)
    # Reminders: the due certificates; their organisations' members; SAVEPOINT, the keys used,
    # the active recipients, INSERT notifications, INSERT deliveries, RELEASE. Suspensions: the
    # lapsed suppliers (none: each lapse was replaced) and their rows.
    with django_assert_max_num_queries(10):
        result = services.certificates_check(today=TODAY)
    assert result == {"reminded": count, "suspended": 0}
    assert Notification.objects.filter(dedupe_key__startswith="certificate-expiry:").count() == count
