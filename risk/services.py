"""Writes of the risk part: `<entity>_<verb>(*, actor, ...)`, each checking every rule at once,
in one transaction, with history and audit. Only officials with `publish_risk` write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.choices import AgencyPermission, NotificationKind
from portal.messages_i18n import Localized, Message
from portal.models import Country, Membership, User
from portal.permissions import has_agency_permission
from portal.services import Errors, audit_record, notify
from projects import emergency

from .choices import BulletinCategory, RatingSource, RiskAuditAction, RiskLevel
from .models import CountryRisk, CountryRiskChange, ReferenceRating, ReferenceRatingChange


def _require_publisher(actor: User) -> None:
    if not has_agency_permission(actor, "publish_risk"):
        raise PermissionError(_("只有具有发布风险权限的主管部门人员可以修改国别风险信息。"))


def country_name(country: Country) -> Localized:
    return Localized(country.name_zh, country.name_en)


def country_risk_url(country_code: str) -> str:
    return f"/risk/countries/{country_code}/"


# --- Country risk ---------------------------------------------------------------------------


def country_risk_check(
    *, data: dict[str, Any], country_risk: CountryRisk | None = None, refused: tuple[str, ...] = ()
) -> None:
    """Every rule of a level change at once: a known country, a level 1-4, indicators per known
    category on the same scale, and a reason whenever something changes."""
    errors = Errors()
    if country_risk is None and "country" not in refused:
        country = data.get("country")
        if country is None:
            errors.add("country", _("请选择国家或地区。"))
        elif CountryRisk.objects.filter(country=country).exists():
            errors.add("country", _("该国家或地区已有风险等级，请修改现有记录。"))
    level = data.get("level", country_risk.level if country_risk else None)
    if "level" not in refused and level not in RiskLevel.values:
        errors.add("level", _("风险等级须为 1 至 4。"))
    indicators = data.get("indicators")
    if indicators is not None and "indicators" not in refused:
        if not isinstance(indicators, dict):
            errors.add("indicators", _("分项指标须为“类别: 等级”的对照表。"))
        else:
            unknown = sorted(set(indicators) - set(BulletinCategory.values))
            if unknown:
                errors.add("indicators", _("未知的风险类别：%(names)s。") % {"names": "、".join(map(str, unknown))})
            if any(value not in RiskLevel.values for value in indicators.values()):
                errors.add("indicators", _("分项指标的等级须为 1 至 4。"))
    if not (data.get("reason") or "").strip() and "reason" not in refused:
        errors.add("reason", _("请说明调整或复核的理由。"))
    errors.raise_if_any()


@transaction.atomic
def country_risk_set(*, actor: User, data: dict[str, Any], country_risk: CountryRisk | None = None) -> CountryRisk:
    """Set (or first record) a country's level, indicators and summary; it counts as a review.

    Leaves a CountryRiskChange (who, why, old → new) and an audit event. Raising a level to 3
    or 4 starts a draft bulletin for the country (`level_raised_draft`) for the official to
    complete and publish."""
    _require_publisher(actor)
    country_risk_check(data=data, country_risk=country_risk)
    now = timezone.now()
    if country_risk is None:
        country_risk = CountryRisk(country=data["country"], level=data["level"])
        old = {"level": None, "indicators": {}, "summary": ""}
        created = True
    else:
        country_risk = CountryRisk.objects.select_for_update().get(pk=country_risk.pk)
        old = {"level": country_risk.level, "indicators": country_risk.indicators, "summary": country_risk.summary}
        created = False
    new = {
        "level": data.get("level", country_risk.level),
        "indicators": data.get("indicators", old["indicators"] if not created else {}),
        "summary": data.get("summary", old["summary"]),
    }
    changes = {k: {"old": old[k], "new": v} for k, v in new.items() if old[k] != v}
    country_risk.level, country_risk.indicators, country_risk.summary = new["level"], new["indicators"], new["summary"]
    country_risk.reviewed_at, country_risk.reviewed_by = now, actor
    if created:
        country_risk.save()
    else:
        country_risk.save(update_fields=["level", "indicators", "summary", "reviewed_at", "reviewed_by"])
    CountryRiskChange.objects.create(
        country_risk=country_risk,
        actor=actor,
        reason=data["reason"].strip(),
        old_level=old["level"],
        new_level=country_risk.level,
        changes=changes,
        created_at=now,
    )
    audit_record(
        actor=actor,
        action=RiskAuditAction.COUNTRY_RISK_SET,
        target=country_risk,
        old_level=old["level"],
        new_level=country_risk.level,
    )
    # A rise to 3 or 4 asks every exposed project there for an up-to-date emergency plan.
    emergency.obligations_open(country_id=country_risk.country_id, old_level=old["level"], new_level=country_risk.level)
    if country_risk.level >= RiskLevel.CAREFUL and (old["level"] or 0) < country_risk.level:
        level_raised_draft(actor=actor, country_risk=country_risk, reason=data["reason"].strip())
    return country_risk


#: How long the draft started by a raised level stays in force once published, unless changed.
RAISED_DRAFT_DAYS = 30


def level_raised_draft(*, actor: User, country_risk: CountryRisk, reason: str):
    """The draft bulletin a level raised to 3 or 4 starts: severe at 3, extreme at 4."""
    from .bulletins import bulletin_create

    country = country_risk.country
    level = RiskLevel(country_risk.level)
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):  # the bulletin's own text is Chinese
        title = _("%(country)s 风险等级调整为“%(level)s”") % {"country": country.name_zh, "level": level.label}
    return bulletin_create(
        actor=actor,
        data={
            "countries": [country],
            "title": title,
            "body": country_risk.summary or reason,
            "category": BulletinCategory.SECURITY,
            "severity": "extreme" if level == RiskLevel.AVOID else "severe",
            "effective_at": now,
            "expires_at": now + dt.timedelta(days=RAISED_DRAFT_DAYS),
        },
    )


# --- Reference ratings ----------------------------------------------------------------------


def rating_check(*, data: dict[str, Any], refused: tuple[str, ...] = ()) -> None:
    errors = Errors()
    source = data.get("source")
    if source not in RatingSource.values and "source" not in refused:
        errors.add("source", _("请选择评级来源。"))
    if source in (RatingSource.OTHER_GOVERNMENT, RatingSource.OTHER) and not (data.get("source_name") or "").strip():
        errors.add("source_name", _("请填写来源名称。"))
    grade = (data.get("grade") or "").strip()
    if not grade and "grade" not in refused:
        errors.add("grade", _("请填写评级。"))
    scale_max = data.get("scale_max")
    if grade.isdigit() and scale_max and int(grade) > scale_max:
        errors.add("grade", _("评级不能超过评级上限。"))
    as_of = data.get("as_of")
    if not isinstance(as_of, dt.date) and "as_of" not in refused:
        errors.add("as_of", _("请填写评级日期。"))
    elif isinstance(as_of, dt.date) and as_of > timezone.localdate():
        errors.add("as_of", _("评级日期不能晚于今天。"))
    errors.raise_if_any()


@transaction.atomic
def rating_set(*, actor: User, country_risk: CountryRisk, data: dict[str, Any]) -> ReferenceRating:
    """Record a reference rating as given by its source (one per country and source); a new
    grade or date replaces the current one and the change is kept."""
    _require_publisher(actor)
    rating_check(data=data)
    source_name = (data.get("source_name") or "").strip()
    rating = (
        ReferenceRating.objects.select_for_update()
        .filter(country_risk=country_risk, source=data["source"], source_name=source_name)
        .first()
    )
    old_grade = rating.grade if rating else ""
    values = {"grade": data["grade"].strip(), "scale_max": data.get("scale_max"), "as_of": data["as_of"]}
    if rating is None:
        rating = ReferenceRating.objects.create(
            country_risk=country_risk, source=data["source"], source_name=source_name, **values
        )
    else:
        if all(getattr(rating, k) == v for k, v in values.items()):
            return rating  # the same rating recorded twice: nothing changed
        for key, value in values.items():
            setattr(rating, key, value)
        rating.save(update_fields=list(values))
    ReferenceRatingChange.objects.create(
        rating=rating,
        actor=actor,
        old_grade=old_grade,
        new_grade=rating.grade,
        scale_max=rating.scale_max,
        as_of=rating.as_of,
    )
    audit_record(
        actor=actor, action=RiskAuditAction.RATING_SET, target=rating, old_grade=old_grade, new_grade=rating.grade
    )
    return rating


# --- Staleness ------------------------------------------------------------------------------


def stale_countries_notify(*, now=None) -> int:
    """Tell the publishing officials of each country whose review is overdue (levels 3-4 after
    6 months, others after 12): once per country and staleness period, the period being the
    review it follows (a new review starts a new one). Returns the notifications created."""
    officials = Membership.objects.officials_with(AgencyPermission.PUBLISH_RISK)
    if not officials:
        return 0
    sent = 0
    for risk in CountryRisk.objects.stale(now=now).select_related("country"):
        sent += notify(
            recipients=officials,
            kind=NotificationKind.SYSTEM,
            title=Message(gettext_noop("国别风险等级待复核：%(country)s"), country=country_name(risk.country)),
            body=Message(
                gettext_noop("%(country)s 的风险等级（%(level)s）自 %(date)s 起未复核，请复核。"),
                country=country_name(risk.country),
                level=Localized(str(RiskLevel(risk.level).label), _level_en(risk.level)),
                date=timezone.localdate(risk.reviewed_at).isoformat(),
            ),
            url=country_risk_url(risk.country_id),
            dedupe_key=f"risk-stale:{risk.country_id}:{risk.reviewed_at.isoformat()}",
        )
    return sent


def _level_en(level: int) -> str:
    from django.utils import translation

    with translation.override("en"):
        return str(RiskLevel(level).label)
