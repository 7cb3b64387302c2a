"""The rules of the supplier library as its services apply them: what a complete application
holds, who is told of each decision, what the history keeps, the grounds and periods of
suspensions and revocations, and certificates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.choices import NotificationKind
from portal.models import AuditEvent, Notification
from portal.testing.files import upload
from suppliers import services
from suppliers.choices import ReviewAction
from suppliers.choices import SupplierStatus as S
from suppliers.models import Category, CategoryRequirement, Certificate, Supplier

from .factories import CertificateFactory, SupplierFactory, certificate_data, kind

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def messages_on(error: ValidationError, field: str) -> list[str]:
    return error.value.message_dict.get(field, [])


# --- Starting and completing an application -------------------------------------------------


def test_a_supplier_starts_one_application_for_its_organisation(cast):
    data = {"categories": list(Category.objects.filter(code="legal")), "contact_name": "李律师"}
    supplier = services.application_create(actor=cast.supplier, data=data)
    assert supplier.organization == cast.supplier_org
    assert supplier.status == S.DRAFT
    assert list(supplier.categories.values_list("code", flat=True)) == ["legal"]
    assert AuditEvent.objects.filter(action="supplier_application.create", target_id=str(supplier.pk)).exists()
    with pytest.raises(ValidationError, match="已有入库申请"):
        services.application_create(actor=cast.supplier, data={})
    assert Supplier.objects.count() == 1


@pytest.mark.parametrize("role", ["owner", "reviewer", "talent"])
def test_only_a_supplier_organisation_applies(role, cast):
    with pytest.raises(PermissionError):
        services.application_create(actor=cast.user(role), data={})
    assert not Supplier.objects.exists()


def test_an_application_missing_a_required_certificate_cannot_be_submitted_and_says_which(cast):
    supplier = SupplierFactory(
        organization=cast.supplier_org, categories=["labour_subcontracting", "testing_certification"]
    )
    CertificateFactory(supplier=supplier, kind=kind("safety_production"))
    with pytest.raises(ValidationError) as error:
        services.application_submit(actor=cast.supplier, supplier=supplier)
    missing = messages_on(error, "certificates")
    assert len(missing) == 2, missing
    assert "劳务分包" in missing[0]
    assert "劳务派遣经营许可证" in missing[0]
    assert "施工劳务资质证书" in missing[0]
    assert "检验检测认证" in missing[1]
    assert "CMA" in missing[1]
    assert "CNAS" in missing[1]
    supplier.refresh_from_db()
    assert supplier.status == S.DRAFT
    assert not supplier.history.exists()


def test_any_one_of_the_accepted_kinds_satisfies_a_requirement(cast):
    supplier = SupplierFactory(organization=cast.supplier_org, categories=["testing_certification"])
    CertificateFactory(supplier=supplier, kind=kind("cnas"))
    assert services.application_submit(actor=cast.supplier, supplier=supplier).status == S.SUBMITTED


def test_an_expired_or_not_yet_valid_certificate_does_not_count(cast):
    supplier = SupplierFactory(organization=cast.supplier_org, categories=["green_materials"])
    CertificateFactory(supplier=supplier, valid_from=dt.date(2020, 1, 1), valid_until=TODAY() - dt.timedelta(days=1))
    CertificateFactory(supplier=supplier, valid_from=TODAY() + dt.timedelta(days=3))
    with pytest.raises(ValidationError) as error:
        services.application_submit(actor=cast.supplier, supplier=supplier)
    assert "绿色建材产品认证证书" in messages_on(error, "certificates")[0]


def test_an_incomplete_application_is_told_every_problem_at_once(cast):
    supplier = SupplierFactory(
        organization=cast.supplier_org, categories=[], countries=[], contact_name="", contact_email=""
    )
    with pytest.raises(ValidationError) as error:
        services.application_submit(actor=cast.supplier, supplier=supplier)
    assert set(error.value.message_dict) == {"categories", "countries_served", "contact_name", "contact_email"}


def test_officials_change_what_a_category_requires_and_the_rule_follows(cast, make):
    supplier = make()
    requirement = CategoryRequirement.objects.create(category=Category.objects.get(code="green_materials"))
    requirement.kinds.set([kind("iso9001")])
    with pytest.raises(ValidationError, match="ISO 9001"):
        services.application_submit(actor=cast.supplier, supplier=supplier)


def test_submitting_tells_the_reviewers(cast, make):
    services.application_submit(actor=cast.supplier, supplier=make())
    told = set(Notification.objects.filter(kind=NotificationKind.SUPPLIER_REVIEW).values_list("recipient", flat=True))
    assert told == {cast.reviewer.pk, cast.official.pk}
    note = Notification.objects.filter(recipient=cast.reviewer).get()
    assert cast.supplier_org.name in note.title
    assert cast.supplier_org.name_en in note.title_en  # the English text names it in English


# --- Review and decisions -------------------------------------------------------------------


def test_under_review_locks_the_form_and_a_return_with_questions_unlocks_it_keeping_the_history(cast, make):
    supplier = services.application_submit(actor=cast.supplier, supplier=make())
    services.application_start_review(actor=cast.reviewer, supplier=supplier)
    with pytest.raises(ValidationError, match="不能修改"):
        services.application_update(actor=cast.supplier, supplier=supplier, data={"capacity": "x"})
    services.application_return(actor=cast.reviewer, supplier=supplier, comment="请补充近三年海外业绩。")
    supplier = services.application_update(
        actor=cast.supplier, supplier=supplier, data={"references": "柬埔寨金边项目"}
    )
    assert supplier.references == "柬埔寨金边项目"
    services.application_submit(actor=cast.supplier, supplier=supplier)
    history = list(supplier.history.values_list("action", "comment"))
    assert history == [
        (ReviewAction.SUBMITTED, ""),
        (ReviewAction.REVIEW_STARTED, ""),
        (ReviewAction.RETURNED, "请补充近三年海外业绩。"),
        (ReviewAction.SUBMITTED, ""),
    ]
    returned = Notification.objects.get(recipient=cast.supplier, title__contains="退回")
    assert returned.body == "请补充近三年海外业绩。"
    assert returned.url == f"/suppliers/applications/{supplier.pk}/"


@pytest.mark.parametrize(("service", "field"), [("application_return", "comment"), ("application_reject", "comment")])
@pytest.mark.parametrize("comment", ["", "   "])
def test_a_return_or_a_rejection_needs_its_questions_or_reason(service, field, comment, cast, make):
    supplier = make(S.SUBMITTED)
    with pytest.raises(ValidationError) as error:
        getattr(services, service)(actor=cast.reviewer, supplier=supplier, comment=comment)
    assert messages_on(error, field)
    supplier.refresh_from_db()
    assert supplier.status == S.SUBMITTED
    assert not supplier.history.exists()
    assert not Notification.objects.exists()


def test_approval_lists_the_supplier_and_tells_it(cast, make):
    supplier = services.application_approve(actor=cast.reviewer, supplier=make(S.UNDER_REVIEW), comment="材料齐全")
    assert supplier.status == S.APPROVED
    assert supplier.approved_at is not None
    assert Supplier.objects.listed().filter(pk=supplier.pk).exists()
    note = Notification.objects.get(recipient=cast.supplier)
    assert "已通过" in note.title
    assert note.kind == NotificationKind.SUPPLIER_REVIEW


def test_a_rejection_keeps_its_reason_and_tells_the_supplier(cast, make):
    supplier = services.application_reject(actor=cast.reviewer, supplier=make(S.SUBMITTED), comment="非本省企业。")
    assert supplier.history.get().comment == "非本省企业。"
    assert Notification.objects.get(recipient=cast.supplier).body == "非本省企业。"
    assert AuditEvent.objects.get(action="supplier_application.reject").data["comment"] == "非本省企业。"


def test_a_suspension_records_its_grounds_and_period_and_takes_the_supplier_out_of_the_directory(cast, make):
    supplier = make(S.APPROVED)
    start, end = TODAY(), TODAY() + dt.timedelta(days=90)
    supplier = services.supplier_suspend(
        actor=cast.reviewer, supplier=supplier, comment="项目质量事故调查中。", period_from=start, period_until=end
    )
    assert (supplier.status, supplier.sanction_from, supplier.sanction_until) == (S.SUSPENDED, start, end)
    step = supplier.history.get()
    assert (step.action, step.comment, step.period_from, step.period_until) == (
        ReviewAction.SUSPENDED,
        "项目质量事故调查中。",
        start,
        end,
    )
    assert not Supplier.objects.listed().filter(pk=supplier.pk).exists()
    note = Notification.objects.get(recipient=cast.supplier)
    assert "暂停" in note.title
    assert start.isoformat() in note.body
    assert end.isoformat() in note.body
    assert "项目质量事故调查中。" in note.body
    event = AuditEvent.objects.get(action="supplier.suspend")
    assert event.data["period_until"] == end.isoformat()


def test_a_suspension_without_grounds_or_with_a_period_that_ends_before_it_starts_is_refused(cast, make):
    supplier = make(S.APPROVED)
    with pytest.raises(ValidationError) as error:
        services.supplier_suspend(
            actor=cast.reviewer,
            supplier=supplier,
            comment=" ",
            period_from=TODAY(),
            period_until=TODAY() - dt.timedelta(1),
        )
    assert set(error.value.message_dict) == {"comment", "period_until"}
    supplier.refresh_from_db()
    assert supplier.status == S.APPROVED
    assert supplier.sanction_from is None


def test_a_revocation_records_a_debarment_period(cast, make):
    end = TODAY() + dt.timedelta(days=730)
    supplier = services.supplier_revoke(
        actor=cast.reviewer, supplier=make(S.SUSPENDED), comment="伪造资质证书。", period_until=end
    )
    assert supplier.status == S.REVOKED
    assert supplier.sanction_until == end
    assert supplier.history.get().period_until == end
    assert "撤销" in Notification.objects.get(recipient=cast.supplier).title


def test_reinstatement_needs_every_required_certificate_valid_and_clears_the_period(cast, make):
    supplier = make(S.SUSPENDED, sanction_from=TODAY())
    Certificate.objects.filter(supplier=supplier).update(valid_until=TODAY() - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        services.supplier_reinstate(actor=cast.reviewer, supplier=supplier)
    assert "绿色建材产品认证证书" in messages_on(error, "certificates")[0]
    supplier.refresh_from_db()
    assert supplier.status == S.SUSPENDED

    services.certificate_add(actor=cast.supplier, supplier=supplier, data=certificate_data("green_material"))
    reviewers_told = Notification.objects.filter(recipient=cast.reviewer, title__contains="可恢复资格")
    assert reviewers_told.exists()
    supplier = services.supplier_reinstate(actor=cast.reviewer, supplier=supplier)
    assert (supplier.status, supplier.sanction_from) == (S.APPROVED, None)
    assert "已恢复" in Notification.objects.filter(recipient=cast.supplier).latest("id").title


# --- Certificates ---------------------------------------------------------------------------


def test_a_certificate_is_saved_with_its_scan_and_audited(cast, make):
    supplier = make()
    certificate = services.certificate_add(actor=cast.supplier, supplier=supplier, data=certificate_data())
    assert certificate.file.name.startswith("suppliers/certificate/")
    assert certificate.file.read().startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="supplier_certificate.add", organization=cast.supplier_org).exists()


def test_a_file_that_claims_to_be_a_pdf_but_is_not_is_refused(cast, make):
    supplier = make()
    before = Certificate.objects.count()
    data = certificate_data(file=upload("证书.pdf", b"MZ\x90\x00 this is an executable"))
    with pytest.raises(ValidationError) as error:
        services.certificate_add(actor=cast.supplier, supplier=supplier, data=data)
    assert "仅接受 PDF、JPEG 或 PNG" in messages_on(error, "file")[0]
    assert Certificate.objects.count() == before


def test_a_certificate_must_end_after_it_starts_and_not_be_expired_already(cast, make):
    supplier = make()
    with pytest.raises(ValidationError) as error:
        services.certificate_add(
            actor=cast.supplier,
            supplier=supplier,
            data=certificate_data(valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2024, 1, 1)),
        )
    assert "不能早于" in messages_on(error, "valid_until")[0]
    with pytest.raises(ValidationError, match="已过有效期"):
        services.certificate_add(
            actor=cast.supplier, supplier=supplier, data=certificate_data(valid_until=TODAY() - dt.timedelta(days=1))
        )


def test_another_organisation_cannot_attach_or_remove_certificates(cast, make):
    supplier = make()
    with pytest.raises(PermissionError):
        services.certificate_add(actor=cast.outsider, supplier=supplier, data=certificate_data())
    with pytest.raises(PermissionError):
        services.certificate_remove(actor=cast.reviewer, certificate=supplier.certificates.first())


def test_a_removed_certificate_takes_its_scan_with_it(cast, make, django_capture_on_commit_callbacks):
    supplier = make()
    certificate = supplier.certificates.get()
    storage, name = certificate.file.storage, certificate.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_remove(actor=cast.supplier, certificate=certificate)
    assert not Certificate.objects.filter(pk=certificate.pk).exists()
    assert not storage.exists(name)
