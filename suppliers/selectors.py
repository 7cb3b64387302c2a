"""Reads of the supplier library that are more than a filter: the actions open to a user, the
certificates an application still lacks, the review queue with its ages in working days."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import SupplierStatus
from .models import CategoryRequirement, Certificate, Supplier
from .workflow import APPLICATION

# The decision target the issue sets (UN Global Marketplace promises it): 10 working days.
DECISION_TARGET_WORKING_DAYS = 10


def allowed_actions(*, obj: Supplier, user) -> frozenset[str]:
    return APPLICATION.allowed_actions(obj=obj, user=user)


def valid_kind_ids(supplier: Supplier, *, on: date | None = None) -> set[int]:
    """The certificate kinds the supplier holds a certificate of that is valid on `on`."""
    day = on or timezone.localdate()
    return set(
        Certificate.objects.filter(supplier=supplier, valid_from__lte=day, valid_until__gte=day).values_list(
            "kind_id", flat=True
        )
    )


def missing_certificates(supplier: Supplier, *, on: date | None = None, category_ids=None) -> list[str]:
    """What the supplier's categories require that it holds no valid certificate for, one
    message per requirement ("“劳务分包”类别需要在有效期内的以下证书之一：…"). Empty: complete."""
    if category_ids is None:
        category_ids = list(supplier.categories.values_list("pk", flat=True))
    requirements = (
        CategoryRequirement.objects.filter(category_id__in=category_ids)
        .select_related("category")
        .prefetch_related("kinds")
        .order_by("category__position", "category_id", "id")
    )
    held = valid_kind_ids(supplier, on=on)
    missing = []
    for requirement in requirements:
        kinds = list(requirement.kinds.all())
        if not kinds or held & {kind.pk for kind in kinds}:
            continue
        category = requirement.category.display_name
        if len(kinds) == 1:
            missing.append(
                _("“%(category)s”类别需要在有效期内的%(kind)s。")
                % {"category": category, "kind": kinds[0].display_name}
            )
        else:
            names = _("、").join(kind.display_name for kind in kinds)
            missing.append(
                _("“%(category)s”类别需要在有效期内的以下证书之一：%(kinds)s。")
                % {"category": category, "kinds": names}
            )
    return missing


def working_days_between(start: date, end: date) -> int:
    """Working days (Monday to Friday) after `start` up to and including `end`."""
    if end <= start:
        return 0
    days, weeks = 0, (end - start).days // 7
    days += weeks * 5
    cursor = start + timedelta(days=weeks * 7)
    while cursor < end:
        cursor += timedelta(days=1)
        if cursor.weekday() < 5:
            days += 1
    return days


def review_queue() -> QuerySet[Supplier]:
    """Applications waiting for a decision, oldest first (submitted and under review)."""
    return (
        Supplier.objects.filter(status__in=(SupplierStatus.SUBMITTED, SupplierStatus.UNDER_REVIEW))
        .select_related("organization")
        .prefetch_related(Prefetch("categories"))
        .order_by("submitted_at", "id")
    )


def age_in_working_days(supplier: Supplier, *, today: date | None = None) -> int:
    if supplier.submitted_at is None:
        return 0
    submitted = timezone.localdate(supplier.submitted_at)
    return working_days_between(submitted, today or timezone.localdate())
