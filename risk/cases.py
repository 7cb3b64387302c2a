"""Typical negative cases (典型负面案例): the officials' writes, the public search, and the monthly
digest that tells every enterprise the month's new cases and the countries at level 3 or 4.

Only officials with `publish_risk` keep the list (`case_create`, `case_update`, `case_delete`,
each checking every rule at once, in one transaction, audited). Everyone reads it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.choices import NotificationKind, OrganizationKind
from portal.messages_i18n import Localized, Message
from portal.models import Country, User
from portal.permissions import has_agency_permission
from portal.services import Errors, audit_record, notify_audience
from projects.choices import Sector

from .choices import HIGH_LEVELS, CaseCategory, RiskAuditAction
from .models import CountryRisk, NegativeCase

#: The fields an official fills in, in the form's order.
CASE_FIELDS = ("title", "country", "sector", "category", "occurred_on", "summary", "lessons", "source")
LIMITS = {"title": 200, "summary": 5000, "lessons": 5000, "source": 200}
#: Cases and countries a digest names at most (the rest are a link away).
DIGEST_MAX_ITEMS = 20


def _require_publisher(actor: User) -> None:
    if not has_agency_permission(actor, "publish_risk"):
        raise PermissionError(_("只有具有发布风险权限的主管部门人员可以维护典型负面案例。"))


def case_check(*, data: dict[str, Any], refused: tuple[str, ...] = ()) -> None:
    """Every rule of a case at once: a title, a known country, sector and category, a date not
    in the future, a summary and the lessons, each within its length."""
    errors = Errors()
    for field, message in (
        ("title", _("请填写案例名称。")),
        ("summary", _("请填写案情概要。")),
        ("lessons", _("请填写经验教训。")),
    ):
        if field not in refused and not (data.get(field) or "").strip():
            errors.add(field, message)
    for field, limit in LIMITS.items():
        if field not in refused and len(data.get(field) or "") > limit:
            errors.add(field, _("不能超过 %(limit)d 个字符。") % {"limit": limit})
    if "country" not in refused and not isinstance(data.get("country"), Country):
        errors.add("country", _("请选择国家或地区。"))
    if "sector" not in refused and (data.get("sector") or "") not in ("", *Sector.values):
        errors.add("sector", _("请选择行业。"))
    if "category" not in refused and data.get("category") not in CaseCategory.values:
        errors.add("category", _("请选择案例类别。"))
    occurred = data.get("occurred_on")
    if "occurred_on" not in refused:
        if not isinstance(occurred, dt.date):
            errors.add("occurred_on", _("请填写发生日期。"))
        elif occurred > timezone.localdate():
            errors.add("occurred_on", _("发生日期不能晚于今天。"))
    errors.raise_if_any()


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    values = {field: data[field] for field in CASE_FIELDS if field in data}
    for field in ("title", "summary", "lessons", "source"):
        if field in values:
            values[field] = (values[field] or "").strip()
    if "sector" in values:
        values["sector"] = values["sector"] or ""
    return values


@transaction.atomic
def case_create(*, actor: User, data: dict[str, Any]) -> NegativeCase:
    _require_publisher(actor)
    case_check(data=data)
    case = NegativeCase.objects.create(**_clean(data), created_by=actor)
    audit_record(actor=actor, action=RiskAuditAction.CASE_CREATE, target=case, country=case.country_id)
    return case


@transaction.atomic
def case_update(*, actor: User, case: NegativeCase, data: dict[str, Any]) -> NegativeCase:
    """Change a case; fields left out keep their values."""
    _require_publisher(actor)
    case = NegativeCase.objects.select_for_update().get(pk=case.pk)
    merged = {field: getattr(case, field) for field in CASE_FIELDS} | dict(data)
    case_check(data=merged)
    changed = []
    for field, value in _clean(merged).items():
        if getattr(case, field) != value:
            setattr(case, field, value)
            changed.append(field)
    if changed:
        case.save(update_fields=[*changed, "updated_at"])
        audit_record(actor=actor, action=RiskAuditAction.CASE_UPDATE, target=case, fields=changed)
    return case


@transaction.atomic
def case_delete(*, actor: User, case: NegativeCase) -> None:
    """Remove a case from the list (the audit trail keeps its title and country)."""
    _require_publisher(actor)
    audit_record(
        actor=actor,
        action=RiskAuditAction.CASE_DELETE,
        target=case,
        title=case.title,
        country=case.country_id,
    )
    case.delete()


# --- Reading ----------------------------------------------------------------------------------


def search_cases(queryset: QuerySet[NegativeCase], value: str) -> QuerySet[NegativeCase]:
    """Chinese (or English) substrings of the title, summary, lessons and the country's names;
    every word must match."""
    for term in value.split()[:5]:
        queryset = queryset.filter(
            Q(title__icontains=term)
            | Q(summary__icontains=term)
            | Q(lessons__icontains=term)
            | Q(country__name_zh__icontains=term)
            | Q(country__name_en__icontains=term)
        )
    return queryset


def cases_for_country(country_code: str, *, limit: int = 5) -> list[NegativeCase]:
    """The country page's latest cases."""
    return list(NegativeCase.objects.filter(country_id=country_code).order_by("-occurred_on", "-id")[:limit])


# --- The monthly digest (Celery beat) ---------------------------------------------------------


def previous_month(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of the month before `today`'s and the first day of `today`'s."""
    this = today.replace(day=1)
    last = (this - dt.timedelta(days=1)).replace(day=1)
    return last, this


def _joined(names: list[Localized]) -> Localized:
    return Localized(_zh_join([n.zh for n in names]), ", ".join(n.en or n.zh for n in names))


def _zh_join(items: list[str]) -> str:
    return "、".join(items)


def monthly_digest_send(*, today: dt.date | None = None) -> int:
    """Tell every member of every enterprise the cases recorded last month and the countries at
    level 3 or 4 now: once a month however often the job runs (the dedupe key is the month).
    Returns how many notifications were created."""
    today = today or timezone.localdate()
    start, end = previous_month(today)
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end, dt.time.min, tzinfo=tz)
    cases = list(
        NegativeCase.objects.filter(created_at__gte=since, created_at__lt=until)
        .select_related("country")
        .order_by("-occurred_on", "-id")
    )
    high = list(
        CountryRisk.objects.filter(level__in=HIGH_LEVELS).select_related("country").order_by("-level", "country_id")
    )
    month = f"{start:%Y-%m}"
    case_lines = _joined(
        [Localized(f"《{c.title}》（{c.country.name_zh}）", f"“{c.title}” ({c.country.name_en})") for c in cases][
            :DIGEST_MAX_ITEMS
        ]
    )
    country_lines = _joined(
        [
            Localized(
                f"{r.country.name_zh}（{r.get_level_display()}）",
                f"{r.country.name_en} (level {r.level})",
            )
            for r in high
        ][:DIGEST_MAX_ITEMS]
    )
    title = Message(
        gettext_noop("%(month)s 境外风险月报：新增典型负面案例 %(cases)s 起，高风险国家 %(countries)s 个"),
        month=month,
        cases=len(cases),
        countries=len(high),
    )
    body = Message(
        gettext_noop("新增案例：%(cases)s。风险等级为“谨慎前往”或“暂勿前往”的国家：%(countries)s。"),
        cases=case_lines if cases else Localized("无", "none"),
        countries=country_lines if high else Localized("无", "none"),
    )
    recipients = User.objects.filter(is_active=True, membership__organization__kind=OrganizationKind.ENTERPRISE)
    return notify_audience(
        recipients=recipients,
        kind=NotificationKind.RISK_ALERT,
        title=title,
        body=body,
        url=reverse("risk:cases") + f"?since={start.isoformat()}",
        dedupe_key=f"risk-digest:{month}",
    )
