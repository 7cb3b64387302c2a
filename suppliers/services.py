"""Writes and workflow of the supplier library: the application, its certificates, the review
and the decisions on an approved supplier. Keyword-only; one transaction each; audited; every
decision kept in the history and told to the supplier through the notification centre."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.choices import AgencyPermission, NotificationKind, OrganizationKind
from portal.files import private_storage
from portal.messages_i18n import Localized, Message, localized_name
from portal.models import Membership, User
from portal.permissions import is_official
from portal.services import Errors, Notice, audit_record, notify, notify_each

from .choices import ReviewAction, SupplierAuditAction, SupplierStatus
from .models import (
    REVIEW_CRITERIA,
    Category,
    CategoryRequirement,
    Certificate,
    CertificateKind,
    PerformanceReview,
    RatingCriterion,
    Supplier,
    SupplierRating,
    SupplierReview,
    SupplyChainLink,
)
from .selectors import missing_certificates
from .workflow import APPLICATION

# What a supplier fills in; the rest is the workflow's.
EDITABLE_FIELDS = (
    "description",
    "capacity",
    "references",
    "products",
    "contact_name",
    "contact_phone",
    "contact_email",
)
MANY_FIELDS = ("categories", "countries_served")
CERTIFICATE_FIELDS = ("kind", "number", "issuer", "valid_from", "valid_until", "file")


# --- Who is told ----------------------------------------------------------------------------


def application_url(supplier: Supplier) -> str:
    return reverse("suppliers:application", kwargs={"pk": supplier.pk})


# The title the supplier reads for each decision.
DECISION_TITLES = {
    SupplierStatus.UNDER_REVIEW: gettext_noop("入库申请已进入审核：%(name)s"),
    SupplierStatus.RETURNED: gettext_noop("入库申请被退回补正：%(name)s"),
    SupplierStatus.APPROVED: gettext_noop("供应商入库申请已通过：%(name)s"),
    SupplierStatus.REJECTED: gettext_noop("供应商入库申请未通过：%(name)s"),
    SupplierStatus.SUSPENDED: gettext_noop("供应商资格已暂停：%(name)s"),
    SupplierStatus.REVOKED: gettext_noop("供应商资格已撤销：%(name)s"),
}
REINSTATED_TITLE = gettext_noop("供应商资格已恢复：%(name)s")


def _period_body(review: SupplierReview) -> Message | str:
    if review.period_from is None:
        return review.comment
    if review.period_until is None:
        return Message(
            gettext_noop("期限：自 %(start)s 起。理由：%(grounds)s"),
            start=review.period_from.isoformat(),
            grounds=review.comment,
        )
    return Message(
        gettext_noop("期限：%(start)s 至 %(end)s。理由：%(grounds)s"),
        start=review.period_from.isoformat(),
        end=review.period_until.isoformat(),
        grounds=review.comment,
    )


def _tell_supplier(supplier: Supplier, review: SupplierReview | None) -> None:
    """The supplier's members are told of a decision, with the official's comment."""
    if review is None:  # pragma: no cover - every decision writes history
        return
    title = REINSTATED_TITLE if review.action == "reinstated" else DECISION_TITLES[supplier.status]
    notify(
        recipients=Membership.objects.members_of(supplier.organization_id),
        kind=NotificationKind.SUPPLIER_REVIEW,
        title=Message(title, name=localized_name(supplier.organization)),
        body=_period_body(review),
        url=application_url(supplier),
        dedupe_key=f"supplier-review:{review.pk}",
    )


def _tell_reviewers(supplier: Supplier, review: SupplierReview | None) -> None:
    notify(
        recipients=Membership.objects.officials_with(AgencyPermission.REVIEW),
        kind=NotificationKind.SUPPLIER_REVIEW,
        title=Message(gettext_noop("新的供应商入库申请待审核：%(name)s"), name=localized_name(supplier.organization)),
        body=Message(gettext_noop("%(name)s 提交了入库申请。"), name=localized_name(supplier.organization)),
        url=application_url(supplier),
        dedupe_key=f"supplier-review:{review.pk}" if review else f"supplier-submit:{supplier.pk}",
    )


# --- The application ------------------------------------------------------------------------


def _apply(supplier: Supplier, data: dict[str, Any]) -> list[str]:
    changed = []
    for field in EDITABLE_FIELDS:
        if field in data and getattr(supplier, field) != (data[field] or ""):
            setattr(supplier, field, data[field] or "")
            changed.append(field)
    return changed


def _check_many(data: dict[str, Any], errors: Errors) -> None:
    inactive = [c.display_name for c in data.get("categories") or () if isinstance(c, Category) and not c.active]
    if inactive:
        errors.add("categories", _("以下类别已停止受理申请：%(names)s。") % {"names": _("、").join(inactive)})


def application_check(*, data: dict[str, Any], supplier: Supplier | None = None, refused: tuple[str, ...] = ()) -> None:
    """Every rule a save of `data` would meet, as one ValidationError, without saving (fields in
    `refused` failed their own checks and are not checked again)."""
    errors = Errors()
    candidate = copy.copy(supplier) if supplier is not None else Supplier()
    _apply(candidate, data)
    if "categories" not in refused:
        _check_many(data, errors)
    with errors.collect():
        candidate.full_clean(exclude=["organization", "created_by", *refused, *MANY_FIELDS], validate_unique=False)
    errors.raise_if_any()


@transaction.atomic
def application_create(*, actor: User, data: dict[str, Any]) -> Supplier:
    """A supplier organisation starts its application, as a draft (one per organisation)."""
    membership = actor.org_membership if actor.is_authenticated else None
    if membership is None or membership.organization.kind != OrganizationKind.SUPPLIER:
        raise PermissionError(_("只有供应商单位可以申请入库。"))
    if Supplier.objects.filter(organization_id=membership.organization_id).exists():
        raise ValidationError(_("本单位已有入库申请，请在原申请上修改。"))
    application_check(data=data)
    supplier = Supplier(organization=membership.organization, created_by=actor, status=SupplierStatus.DRAFT)
    _apply(supplier, data)
    supplier.save()
    for field in MANY_FIELDS:
        if field in data:
            getattr(supplier, field).set(data[field])
    audit_record(actor=actor, action=SupplierAuditAction.APPLICATION_CREATE, target=supplier)
    return supplier


@transaction.atomic
def application_import(*, actor: User | None, organization, data: dict[str, Any]) -> Supplier:
    """An official (or the command's operator, `actor` None) enters a supplier organisation's
    application from a spreadsheet, as a draft that the organisation completes and submits."""
    if actor is not None and not is_official(actor):
        raise PermissionError(_("只有主管部门可以导入供应商申请。"))
    if organization.kind != OrganizationKind.SUPPLIER:
        raise ValidationError({"organization": _("%(name)s 不是供应商单位。") % {"name": organization.name}})
    if Supplier.objects.filter(organization=organization).exists():
        raise ValidationError({"organization": _("%(name)s 已有入库申请。") % {"name": organization.name}})
    application_check(data=data)
    supplier = Supplier(organization=organization, created_by=actor, status=SupplierStatus.DRAFT)
    _apply(supplier, data)
    supplier.save()
    for field in MANY_FIELDS:
        if field in data:
            getattr(supplier, field).set(data[field])
    audit_record(actor=actor, action=SupplierAuditAction.APPLICATION_CREATE, target=supplier, imported=True)
    return supplier


@transaction.atomic
def application_update(*, actor: User, supplier: Supplier, data: dict[str, Any]) -> Supplier:
    """Change the application while it is a draft, submitted or returned; under review the form
    is locked."""
    APPLICATION.authorise("edit", obj=supplier, actor=actor)
    supplier = APPLICATION.lock(supplier)
    APPLICATION.check("edit", obj=supplier, actor=actor)
    application_check(data=data, supplier=supplier)
    changed = _apply(supplier, data)
    for field in MANY_FIELDS:
        if field in data:
            before = set(getattr(supplier, field).values_list("pk", flat=True))
            after = {obj.pk for obj in data[field]}
            if before != after:
                getattr(supplier, field).set(data[field])
                changed.append(field)
    if not changed:
        return supplier
    concrete = [f for f in changed if f not in MANY_FIELDS]
    supplier.save(update_fields=[*concrete, "updated_at"])
    audit_record(actor=actor, action=SupplierAuditAction.APPLICATION_UPDATE, target=supplier, fields=sorted(changed))
    return supplier


def submit_check(supplier: Supplier) -> None:
    """What a complete application has, all at once: a category, a country served, a contact,
    and a valid certificate for every requirement of its categories (which are named)."""
    errors = Errors()
    category_ids = list(supplier.categories.values_list("pk", flat=True))
    if not category_ids:
        errors.add("categories", _("请至少选择一个类别。"))
    if not supplier.countries_served.exists():
        errors.add("countries_served", _("请至少选择一个服务国家。"))
    if not supplier.contact_name.strip():
        errors.add("contact_name", _("请填写联系人。"))
    if not (supplier.contact_email or "").strip():
        errors.add("contact_email", _("请填写联系邮箱。"))
    missing = missing_certificates(supplier, category_ids=category_ids)
    if missing:
        errors.add("certificates", missing)
    errors.raise_if_any()


def application_submit(*, actor: User, supplier: Supplier) -> Supplier:
    """Submit (or resubmit after a return). An application missing a required certificate
    cannot be submitted, and says which. Reviewers are told."""
    supplier, _review = APPLICATION.transition(
        "submit", obj=supplier, actor=actor, validate=submit_check, notify=_tell_reviewers
    )
    return supplier


def application_start_review(*, actor: User, supplier: Supplier, comment: str = "") -> Supplier:
    """An official takes up a submitted application: the form locks until a decision."""
    supplier, _review = APPLICATION.transition(
        "review", obj=supplier, actor=actor, comment=(comment or "").strip(), notify=_tell_supplier
    )
    return supplier


def _require(comment: str, field: str, message: str):
    def check(_supplier: Supplier) -> None:
        if not comment:
            raise ValidationError({field: message})

    return check


def application_return(*, actor: User, supplier: Supplier, comment: str = "") -> Supplier:
    """Return with questions: the form unlocks; the questions are kept in the history."""
    comment = (comment or "").strip()
    supplier, _review = APPLICATION.transition(
        "return",
        obj=supplier,
        actor=actor,
        comment=comment,
        validate=_require(comment, "comment", _("退回时必须写明需要补充或更正的内容。")),
        notify=_tell_supplier,
    )
    return supplier


def application_approve(*, actor: User, supplier: Supplier, comment: str = "") -> Supplier:
    """Approve: the supplier is listed in the directory."""
    supplier, _review = APPLICATION.transition(
        "approve", obj=supplier, actor=actor, comment=(comment or "").strip(), notify=_tell_supplier
    )
    return supplier


def application_reject(*, actor: User, supplier: Supplier, comment: str = "") -> Supplier:
    """Reject with a reason."""
    comment = (comment or "").strip()
    supplier, _review = APPLICATION.transition(
        "reject",
        obj=supplier,
        actor=actor,
        comment=comment,
        validate=_require(comment, "comment", _("不予入库时必须说明理由。")),
        notify=_tell_supplier,
    )
    return supplier


def _sanction(
    name: str, *, actor: User, supplier: Supplier, comment: str, period_from: date | None, period_until: date | None
) -> Supplier:
    comment = (comment or "").strip()
    start = period_from or timezone.localdate()

    def validate(locked: Supplier) -> None:
        errors = Errors()
        if not comment:
            errors.add("comment", _("必须写明依据。"))
        if period_until is not None and period_until < start:
            errors.add("period_until", _("截止日期不能早于起始日期。"))
        errors.raise_if_any()
        locked.sanction_from, locked.sanction_until = start, period_until

    with transaction.atomic():
        supplier, review = APPLICATION.transition(
            name,
            obj=supplier,
            actor=actor,
            comment=comment,
            validate=validate,
            update_fields=["sanction_from", "sanction_until"],
            audit_data={"period_from": start.isoformat(), "period_until": period_until and period_until.isoformat()},
        )
        review.period_from, review.period_until = start, period_until
        review.save(update_fields=["period_from", "period_until"])
        _tell_supplier(supplier, review)
    return supplier


def supplier_suspend(
    *, actor: User, supplier: Supplier, comment: str = "", period_from: date | None = None, period_until=None
) -> Supplier:
    """Suspend an approved supplier with grounds and a period (from, to; no end: until
    reinstated). It leaves the directory."""
    return _sanction(
        "suspend", actor=actor, supplier=supplier, comment=comment, period_from=period_from, period_until=period_until
    )


def supplier_revoke(
    *, actor: User, supplier: Supplier, comment: str = "", period_from: date | None = None, period_until=None
) -> Supplier:
    """Revoke an approved or suspended supplier with grounds and a debarment period."""
    return _sanction(
        "revoke", actor=actor, supplier=supplier, comment=comment, period_from=period_from, period_until=period_until
    )


def supplier_reinstate(*, actor: User, supplier: Supplier, comment: str = "") -> Supplier:
    """Reinstate a suspended supplier in one step, once every required certificate is valid
    again (a lapsed one replaced); otherwise the missing ones are named."""

    def validate(locked: Supplier) -> None:
        missing = missing_certificates(locked)
        if missing:
            raise ValidationError({"certificates": missing})
        locked.sanction_from = locked.sanction_until = None

    supplier, _review = APPLICATION.transition(
        "reinstate",
        obj=supplier,
        actor=actor,
        comment=(comment or "").strip(),
        validate=validate,
        update_fields=["sanction_from", "sanction_until"],
        notify=_tell_supplier,
    )
    return supplier


# --- Certificates ---------------------------------------------------------------------------


def certificate_check(*, data: dict[str, Any], refused: tuple[str, ...] = ()) -> None:
    """The rules of a certificate, all at once: the model's fields, the file's content and
    size, validity that ends after it starts and has not already ended."""
    errors = Errors()
    valid_from, valid_until = data.get("valid_from"), data.get("valid_until")
    if valid_from and valid_until and valid_until < valid_from:
        errors.add("valid_until", _("有效期截止日期不能早于起始日期。"))
    elif valid_until and valid_until < timezone.localdate():
        errors.add("valid_until", _("证书已过有效期，请上传有效的证书。"))
    kind = data.get("kind")
    certificate = Certificate(**{k: v for k, v in data.items() if k in CERTIFICATE_FIELDS and k != "kind"})
    if isinstance(kind, CertificateKind):
        certificate.kind = kind
    with errors.collect():
        certificate.full_clean(
            exclude=["supplier", "uploaded_by", *refused, *errors.by_field], validate_constraints=False
        )
    errors.raise_if_any()


@transaction.atomic
def certificate_add(*, actor: User, supplier: Supplier, data: dict[str, Any]) -> Certificate:
    """Attach a certificate (kind, number, issuer, validity, scan). After approval too: that is
    how a supplier keeps its certificates current."""
    APPLICATION.authorise("certify", obj=supplier, actor=actor)
    supplier = APPLICATION.lock(supplier)
    APPLICATION.check("certify", obj=supplier, actor=actor)
    certificate_check(data=data)
    certificate = Certificate(supplier=supplier, uploaded_by=actor, **{f: data[f] for f in CERTIFICATE_FIELDS})
    certificate.save()
    audit_record(
        actor=actor,
        action=SupplierAuditAction.CERTIFICATE_ADD,
        target=certificate,
        organization=supplier.organization,
        kind=certificate.kind.code,
        number=certificate.number,
    )
    if supplier.status == SupplierStatus.SUSPENDED and not missing_certificates(supplier):
        # A valid replacement: the reviewers may now reinstate the supplier in one step.
        notify(
            recipients=Membership.objects.officials_with(AgencyPermission.REVIEW),
            kind=NotificationKind.SUPPLIER_REVIEW,
            title=Message(
                gettext_noop("已暂停的供应商上传了有效证书，可恢复资格：%(name)s"),
                name=localized_name(supplier.organization),
            ),
            url=application_url(supplier),
            dedupe_key=f"supplier-replacement:{certificate.pk}",
        )
    return certificate


@transaction.atomic
def certificate_remove(*, actor: User, certificate: Certificate) -> None:
    """Remove a certificate from an application that is not yet under review. The scan is
    deleted from storage once the transaction has committed."""
    supplier = certificate.supplier
    APPLICATION.authorise("remove_certificate", obj=supplier, actor=actor)
    supplier = APPLICATION.lock(supplier)
    APPLICATION.check("remove_certificate", obj=supplier, actor=actor)
    name = certificate.file.name
    audit_record(
        actor=actor,
        action=SupplierAuditAction.CERTIFICATE_REMOVE,
        target=certificate,
        organization=supplier.organization,
        kind=certificate.kind.code,
        number=certificate.number,
    )
    certificate.delete()
    if name:
        transaction.on_commit(lambda: private_storage().delete(name))


# --- Star rating ----------------------------------------------------------------------------


def rating_check(*, scores: Any, stars: Any = None) -> dict[str, int]:
    """Every active criterion scored once, 1-5, and stars 1-5: the scores as {code: score}."""
    errors = Errors()
    codes = list(RatingCriterion.objects.filter(active=True).values_list("code", flat=True))
    clean: dict[str, int] = {}
    if not isinstance(scores, dict):
        errors.add("scores", _("请为每项指标评分。"))
    else:
        unknown = sorted(set(scores) - set(codes))
        if unknown:
            errors.add("scores", _("未知的评定指标：%(codes)s。") % {"codes": ", ".join(map(str, unknown))})
        missing = [code for code in codes if code not in scores]
        if missing:
            errors.add("scores", _("以下指标尚未评分：%(codes)s。") % {"codes": ", ".join(missing)})
        for code in codes:
            value = scores.get(code)
            if code in scores and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5):
                errors.add("scores", _("每项评分须为 1 至 5 的整数。"))
                break
            if code in scores:
                clean[code] = value
    if stars is not None and (isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5):
        errors.add("stars", _("星级须为 1 至 5 的整数。"))
    errors.raise_if_any()
    return clean


def suggested_stars(scores: dict[str, int]) -> int:
    """The stars the scores suggest: their average, rounded half up."""
    return int(Decimal(sum(scores.values()) / len(scores)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@transaction.atomic
def supplier_rate(
    *, actor: User, supplier: Supplier, scores: dict, stars: int | None = None, comment: str = ""
) -> SupplierRating:
    """An official sets a listed supplier's star rating (1-5) from per-criterion scores, with a
    comment; without `stars` the scores' average is taken. The supplier is told."""
    APPLICATION.authorise("rate", obj=supplier, actor=actor)
    supplier = APPLICATION.lock(supplier)
    APPLICATION.check("rate", obj=supplier, actor=actor)
    clean = rating_check(scores=scores, stars=stars)
    stars = stars if stars is not None else suggested_stars(clean)
    rating = SupplierRating.objects.create(
        supplier=supplier, stars=stars, scores=clean, comment=(comment or "").strip(), rated_by=actor
    )
    supplier.stars = stars
    supplier.save(update_fields=["stars", "updated_at"])
    audit_record(actor=actor, action=SupplierAuditAction.RATING_SET, target=supplier, stars=stars, scores=clean)
    notify(
        recipients=Membership.objects.members_of(supplier.organization_id),
        kind=NotificationKind.SUPPLIER_REVIEW,
        title=Message(
            gettext_noop("星级评定结果：%(name)s 评为 %(stars)s 星"),
            name=localized_name(supplier.organization),
            stars=stars,
        ),
        body=rating.comment,
        url=application_url(supplier),
        dedupe_key=f"supplier-rating:{rating.pk}",
    )
    return rating


# --- Project supply chains ------------------------------------------------------------------

LINK_FIELDS = ("supplier", "category", "scope", "contract_value", "currency", "start_date", "end_date")


def _project_owner(actor: User, project) -> None:
    from projects.models import Project

    if not Project.objects.editable_by(actor).filter(pk=project.pk).exists():
        raise PermissionError(_("只能登记本企业项目的供应链。"))


def supply_link_check(*, project, data: dict[str, Any], refused: tuple[str, ...] = ()) -> None:
    """Every rule of a new link at once: a listed supplier, one of its categories, once per
    project, supplier and category; a currency with a value; dates in order."""
    errors = Errors()
    supplier, category = data.get("supplier"), data.get("category")
    if isinstance(supplier, Supplier) and "supplier" not in refused:
        if supplier.status != SupplierStatus.APPROVED:
            errors.add("supplier", _("只能登记名录中的供应商。"))
        elif isinstance(category, Category) and not supplier.categories.filter(pk=category.pk).exists():
            errors.add("category", _("该供应商未入库此类别。"))
        elif (
            isinstance(category, Category)
            and SupplyChainLink.objects.filter(project=project, supplier=supplier, category=category).exists()
        ):
            errors.add("category", _("该供应商已按此类别登记在本项目。"))
    if data.get("contract_value") is not None and not (data.get("currency") or "").strip():
        errors.add("currency", _("填写合同金额时必须填写币种。"))
    start, end = data.get("start_date"), data.get("end_date")
    if start and end and end < start:
        errors.add("end_date", _("结束日期不能早于开始日期。"))
    link = SupplyChainLink(project=project, **{k: v for k, v in data.items() if k in LINK_FIELDS})
    with errors.collect():
        link.full_clean(
            exclude=["project", "created_by", *refused, *errors.by_field],
            validate_unique=False,
            validate_constraints=False,
        )
    errors.raise_if_any()


@transaction.atomic
def supply_link_add(*, actor: User, project, data: dict[str, Any]) -> SupplyChainLink:
    """An enterprise records a preferred supplier on one of its projects."""
    _project_owner(actor, project)
    data = {
        **data,
        "currency": (data.get("currency") or "").strip().upper(),
        "scope": (data.get("scope") or "").strip(),
    }
    supply_link_check(project=project, data=data)
    link = SupplyChainLink.objects.create(project=project, created_by=actor, **{f: data.get(f) for f in LINK_FIELDS})
    audit_record(
        actor=actor, action=SupplierAuditAction.SUPPLY_LINK_ADD, target=link, organization=project.organization
    )
    return link


@transaction.atomic
def supply_link_remove(*, actor: User, link: SupplyChainLink) -> None:
    """Remove a link that no review rests on."""
    _project_owner(actor, link.project)
    if PerformanceReview.objects.filter(project_id=link.project_id, supplier_id=link.supplier_id).exists():
        raise ValidationError(_("已评价的供应商不能从项目供应链中移除。"))
    audit_record(
        actor=actor, action=SupplierAuditAction.SUPPLY_LINK_REMOVE, target=link, organization=link.project.organization
    )
    link.delete()


# --- Performance reviews --------------------------------------------------------------------


def review_check(*, supplier: Supplier, project, data: dict[str, Any], refused: tuple[str, ...] = ()) -> None:
    errors = Errors()
    if project is not None and "project" not in refused:
        if not SupplyChainLink.objects.filter(project=project, supplier=supplier).exists():
            errors.add("project", _("只能评价登记在本项目供应链中的供应商。"))
        elif PerformanceReview.objects.filter(project=project, supplier=supplier).exists():
            errors.add("project", _("已评价过该供应商在本项目的履约。"))
    review = PerformanceReview(
        supplier=supplier, **{k: v for k, v in data.items() if k in (*REVIEW_CRITERIA, "comment")}
    )
    with errors.collect():
        review.full_clean(
            exclude=["supplier", "project", "organization", "created_by", *refused, *errors.by_field],
            validate_unique=False,
            validate_constraints=False,
        )
    errors.raise_if_any()


@transaction.atomic
def review_create(*, actor: User, supplier: Supplier, project, data: dict[str, Any]) -> PerformanceReview:
    """An enterprise reviews a supplier for one of its projects on which it recorded it (one
    review per supplier and project). A score that falls into a flagged standing (very poor) is
    told to the reviewers."""
    from projects.models import Project

    membership = actor.org_membership if actor.is_authenticated else None
    if membership is None or membership.organization.kind != OrganizationKind.ENTERPRISE:
        raise PermissionError(_("只有企业可以评价供应商履约。"))
    if not Project.objects.editable_by(actor).filter(pk=project.pk).exists():
        raise PermissionError(_("只能为本企业的项目评价供应商。"))
    Supplier.objects.select_for_update().filter(pk=supplier.pk).first()  # one review at a time per supplier
    review_check(supplier=supplier, project=project, data=data)
    review = PerformanceReview.objects.create(
        supplier=supplier,
        project=project,
        organization=membership.organization,
        created_by=actor,
        comment=(data.get("comment") or "").strip(),
        **{code: data[code] for code in REVIEW_CRITERIA},
    )
    audit_record(
        actor=actor,
        action=SupplierAuditAction.REVIEW_CREATE,
        target=review,
        organization=membership.organization,
        supplier=supplier.pk,
    )
    _flag_standing(supplier)
    return review


def _flag_standing(supplier: Supplier) -> None:
    from .selectors import Scorecard, scorecard_of, with_scorecard

    card = Scorecard.load()
    annotated = with_scorecard(Supplier.objects.filter(pk=supplier.pk)).get()
    standing = scorecard_of(annotated, card)["standing"]
    if standing is None or not standing.flag_to_reviewers:
        return
    notify(
        recipients=Membership.objects.officials_with(AgencyPermission.REVIEW),
        kind=NotificationKind.SUPPLIER_REVIEW,
        title=Message(
            gettext_noop("供应商履约评分为“%(standing)s”：%(name)s"),
            standing=localized_name(standing),
            name=localized_name(supplier.organization),
        ),
        url=reverse("suppliers:detail", kwargs={"pk": supplier.pk}),
        dedupe_key=f"supplier-standing:{supplier.pk}:{standing.code}:{timezone.localdate():%Y-%m}",
    )


# --- Certificate expiry (the daily beat job) ------------------------------------------------

#: Days before a certificate lapses on which its supplier is reminded, largest first.
REMINDER_DAYS = (60, 30, 7)
#: Statuses whose certificates matter: an application in progress or a supplier in the library.
WATCHED_STATUSES = (
    SupplierStatus.SUBMITTED,
    SupplierStatus.UNDER_REVIEW,
    SupplierStatus.RETURNED,
    SupplierStatus.APPROVED,
    SupplierStatus.SUSPENDED,
)


EXPIRY_BODY = gettext_noop("还有 %(days)s 天。请在到期前上传新证书；所选类别要求的证书失效时，入库资格将自动暂停。")


def certificate_reminders_send(*, today: date | None = None) -> int:
    """Remind suppliers of certificates that lapse within 60, 30 or 7 days: once per
    certificate and threshold however often this runs (the notification's dedupe key), only the
    nearest threshold crossed (a certificate first seen 5 days out gets the 7-day reminder),
    and not for a certificate already replaced by a later one of the same kind."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=REMINDER_DAYS[0])
    due = list(
        Certificate.objects.filter(
            valid_until__gte=today, valid_until__lte=horizon, supplier__status__in=WATCHED_STATUSES
        )
        .exclude(
            Exists(
                Certificate.objects.filter(
                    supplier_id=OuterRef("supplier_id"),
                    kind_id=OuterRef("kind_id"),
                    valid_until__gt=OuterRef("valid_until"),
                )
            )
        )
        .select_related("kind", "supplier")
        .order_by("valid_until", "id")
    )
    if not due:
        return 0
    # Every organisation's members in one query, not one per certificate.
    members: dict[int, list[int]] = {}
    for organization_id, user_id in Membership.objects.filter(
        organization_id__in={c.supplier.organization_id for c in due}, user__is_active=True
    ).values_list("organization_id", "user_id"):
        members.setdefault(organization_id, []).append(user_id)
    notices = []
    for certificate in due:
        left = (certificate.valid_until - today).days
        threshold = min(days for days in REMINDER_DAYS if left <= days)
        notices.append(
            Notice(
                recipients=members.get(certificate.supplier.organization_id, []),
                title=Message(
                    gettext_noop("证书将于 %(date)s 到期：%(kind)s %(number)s"),
                    date=certificate.valid_until.isoformat(),
                    kind=localized_name(certificate.kind),
                    number=certificate.number,
                ),
                body=Message(
                    gettext_noop(
                        "还有 %(days)s 天。请在到期前上传新证书；所选类别要求的证书失效时，入库资格将自动暂停。"
                    ),
                    days=left,
                ),
                url=application_url(certificate.supplier),
                dedupe_key=f"certificate-expiry:{certificate.pk}:{threshold}",
            )
        )
    return notify_each(kind=NotificationKind.SUPPLIER_REVIEW, notices=notices)


def lapsed_suppliers_suspend(*, today: date | None = None) -> list[int]:
    """Suspend every approved supplier that no longer holds a valid certificate its categories
    require; the supplier is told why and the reviewers are told. Run twice, the second run
    finds nothing to do. Returns the suspended suppliers' ids."""
    today = today or timezone.localdate()
    suspended = []
    for supplier in Supplier.objects.filter(pk__in=_lapsed_supplier_ids(today)).select_related("organization"):
        missing = missing_certificates(supplier, on=today)
        if missing and supplier_suspend_lapsed(supplier=supplier, missing=missing, today=today):
            suspended.append(supplier.pk)
    return suspended


def _lapsed_supplier_ids(today: date) -> list[int]:
    """The approved suppliers with a requirement of one of their categories that they held a
    certificate for, now lapsed, and hold no valid one for: one statement over the library.
    (A requirement officials add to a category later is not a lapse: it is asked for at the
    next submission or reinstatement, not enforced here.)"""
    requirement_kinds = CategoryRequirement.kinds.through._meta.db_table
    sql = f"""
        SELECT s.id FROM {Supplier._meta.db_table} s
        WHERE s.status = %(approved)s AND EXISTS (
            SELECT 1 FROM {Supplier.categories.through._meta.db_table} sc
            JOIN {CategoryRequirement._meta.db_table} r ON r.category_id = sc.category_id
            WHERE sc.supplier_id = s.id
              AND EXISTS (
                SELECT 1 FROM {requirement_kinds} rk
                JOIN {Certificate._meta.db_table} c ON c.kind_id = rk.certificatekind_id
                WHERE rk.categoryrequirement_id = r.id AND c.supplier_id = s.id AND c.valid_until < %(today)s
              )
              AND NOT EXISTS (
                SELECT 1 FROM {requirement_kinds} rk
                JOIN {Certificate._meta.db_table} c ON c.kind_id = rk.certificatekind_id
                WHERE rk.categoryrequirement_id = r.id AND c.supplier_id = s.id
                  AND c.valid_from <= %(today)s AND c.valid_until >= %(today)s
              )
        )
        ORDER BY s.id
    """  # noqa: S608 - table names come from the models; values are parameters
    day = connection.ops.adapt_datefield_value(today)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"approved": SupplierStatus.APPROVED, "today": day})
        return [row[0] for row in cursor.fetchall()]


@transaction.atomic
def supplier_suspend_lapsed(*, supplier: Supplier, missing: list[str], today: date) -> bool:
    """The automatic suspension of one supplier (no actor: the platform did it)."""
    supplier = APPLICATION.lock(supplier)
    if supplier.status != SupplierStatus.APPROVED:
        return False  # decided meanwhile
    # The history keeps the reason in the portal's language; the notifications carry both.
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("所选类别要求的证书已失效：%(missing)s") % {
            "missing": " ".join(missing_certificates(supplier, on=today))
        }
    lapsed = _missing_in_both(supplier, today)
    supplier.status = SupplierStatus.SUSPENDED
    supplier.sanction_from, supplier.sanction_until = today, None
    supplier.decided_at = timezone.now()
    supplier.save(update_fields=["status", "sanction_from", "sanction_until", "decided_at", "updated_at"])
    review = SupplierReview.objects.create(
        supplier=supplier, action=ReviewAction.AUTO_SUSPENDED, actor=None, comment=reason, period_from=today
    )
    audit_record(actor=None, action=SupplierAuditAction.SUPPLIER_AUTO_SUSPEND, target=supplier, missing=missing)
    name = localized_name(supplier.organization)
    notify(
        recipients=Membership.objects.members_of(supplier.organization_id),
        kind=NotificationKind.SUPPLIER_REVIEW,
        title=Message(gettext_noop("证书失效，供应商资格已自动暂停：%(name)s"), name=name),
        body=Message(gettext_noop("%(missing)s 上传有效证书后，主管部门可恢复资格。"), missing=lapsed),
        url=application_url(supplier),
        dedupe_key=f"supplier-review:{review.pk}",
    )
    notify(
        recipients=Membership.objects.officials_with(AgencyPermission.REVIEW),
        kind=NotificationKind.SUPPLIER_REVIEW,
        title=Message(gettext_noop("供应商因证书失效被自动暂停：%(name)s"), name=name),
        body=Message(gettext_noop("所选类别要求的证书已失效：%(missing)s"), missing=lapsed),
        url=application_url(supplier),
        dedupe_key=f"supplier-review:{review.pk}:reviewers",
    )
    return True


def _missing_in_both(supplier: Supplier, today: date) -> Localized:
    """What the supplier lacks, written in Chinese and in English (for a notification)."""
    texts = {}
    for language in (settings.LANGUAGE_CODE, "en"):
        with translation.override(language):
            texts[language] = " ".join(missing_certificates(supplier, on=today))
    return Localized(texts[settings.LANGUAGE_CODE], texts["en"])


def certificates_check(*, today: date | None = None) -> dict[str, int]:
    """The daily job: reminders, then automatic suspensions."""
    today = today or timezone.localdate()
    reminded = certificate_reminders_send(today=today)
    suspended = lapsed_suppliers_suspend(today=today)
    return {"reminded": reminded, "suspended": len(suspended)}
