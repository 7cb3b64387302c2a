"""Openings (岗位) and applications: an enterprise posts an opening for one of its projects or
for a country (role, requirements, closing date); talents with a profile in the pool apply; the
enterprise moves each application through received → shortlisted → rejected or hired. Both
sides are told at each step through the notification centre. An opening and a project page
show suggested candidates from the pool, ranked by the pool's match score (talent/selectors.py).

Writes are `<entity>_<verb>(*, actor, ...)`: every rule at once, one transaction, audited,
notices after commit (notify() queues its deliveries on commit).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from portal.choices import NotificationKind
from portal.messages_i18n import Localized, Message
from portal.models import Country, Membership, User
from portal.permissions import is_enterprise, membership_of
from portal.services import Errors, audit_record, notify
from projects.models import Project

from . import selectors
from .choices import ApplicationStatus, CefrLevel, CertificateKind, LanguageCode, TalentAuditAction
from .models import Application, Opening, TalentProfile

S = ApplicationStatus
#: Where an application may go from each status; rejected and hired are final.
MOVES = {
    S.RECEIVED: (S.SHORTLISTED, S.REJECTED, S.HIRED),
    S.SHORTLISTED: (S.REJECTED, S.HIRED),
    S.REJECTED: (),
    S.HIRED: (),
}
OPENING_FIELDS = (
    "project",
    "country",
    "title",
    "requirements",
    "language",
    "level",
    "certificate",
    "positions",
    "closes_on",
)
#: How far ahead an opening may close.
MAX_OPEN_DAYS = 366
SUGGESTIONS = 5


def opening_url(opening: Opening | int) -> str:
    pk = opening if isinstance(opening, int) else opening.pk
    return reverse("talent:opening", kwargs={"pk": pk})


ENTERPRISES_ONLY = gettext_lazy("只有企业可以发布和处理岗位。")
PROFILE_FIRST = gettext_lazy("请先建立人才档案（经本人同意）后再申请岗位。")


def owns(user, opening: Opening) -> bool:
    """Whether `user` is a member of the enterprise that posted `opening`."""
    membership = membership_of(user)
    return is_enterprise(user) and membership is not None and membership.organization_id == opening.organization_id


def _require_enterprise(actor: User) -> int:
    if not is_enterprise(actor):
        raise PermissionError(str(ENTERPRISES_ONLY))
    return membership_of(actor).organization_id


# --- Openings ---------------------------------------------------------------------------------


def opening_check(*, actor: User, data: dict[str, Any], refused: tuple[str, ...] = ()) -> None:
    """Every rule of an opening at once: a title and requirements; a country, or a project of
    the enterprise's own (whose country it takes); a closing date from today to a year ahead;
    a level only with a language; known codes; at least one position."""
    errors = Errors()
    for field, message in (("title", _("请填写岗位名称。")), ("requirements", _("请填写任职要求。"))):
        if field not in refused and not (data.get(field) or "").strip():
            errors.add(field, message)
    project = data.get("project")
    organization_id = membership_of(actor).organization_id if membership_of(actor) else None
    if "project" not in refused and project is not None and project.organization_id != organization_id:
        errors.add("project", _("项目不存在。"))
    if "country" not in refused and project is None and not isinstance(data.get("country"), Country):
        errors.add("country", _("请选择工作国家，或选择本企业的项目。"))
    closes_on = data.get("closes_on")
    today = timezone.localdate()
    if "closes_on" not in refused:
        if not isinstance(closes_on, dt.date):
            errors.add("closes_on", _("请填写截止日期。"))
        elif closes_on < today:
            errors.add("closes_on", _("截止日期不能早于今天。"))
        elif closes_on > today + dt.timedelta(days=MAX_OPEN_DAYS):
            errors.add("closes_on", _("截止日期不能晚于一年以后。"))
    language, level = data.get("language") or "", data.get("level") or ""
    if "language" not in refused and language not in ("", *LanguageCode.values):
        errors.add("language", _("未知的语言。"))
    if "level" not in refused:
        if level not in ("", *CefrLevel.values):
            errors.add("level", _("未知的语言水平。"))
        elif level and not language:
            errors.add("level", _("请先选择语言要求。"))
    if "certificate" not in refused and (data.get("certificate") or "") not in ("", *CertificateKind.values):
        errors.add("certificate", _("未知的证书类型。"))
    positions = data.get("positions", 1)
    if "positions" not in refused and (not isinstance(positions, int) or not 1 <= positions <= 999):
        errors.add("positions", _("招聘人数须为 1 至 999。"))
    errors.raise_if_any()


def _values(data: dict[str, Any]) -> dict[str, Any]:
    values = {field: data[field] for field in OPENING_FIELDS if field in data}
    if values.get("project") is not None:
        values["country"] = values["project"].country
    for field in ("title", "requirements"):
        if field in values:
            values[field] = (values[field] or "").strip()
    for field in ("language", "level", "certificate"):
        if field in values:
            values[field] = values[field] or ""
    return values


@transaction.atomic
def opening_create(*, actor: User, data: dict[str, Any]) -> Opening:
    organization_id = _require_enterprise(actor)
    opening_check(actor=actor, data=data)
    opening = Opening.objects.create(**_values(data), organization_id=organization_id, created_by=actor)
    audit_record(actor=actor, action=TalentAuditAction.OPENING_CREATE, target=opening)
    return opening


@transaction.atomic
def opening_update(*, actor: User, opening: Opening, data: dict[str, Any]) -> Opening:
    """Change an opening still open; fields left out keep their values."""
    _require_enterprise(actor)
    opening = Opening.objects.editable_by(actor).select_for_update().get(pk=opening.pk)
    if opening.closed_at is not None:
        raise PermissionError(_("岗位已关闭，不能修改。"))
    merged = {field: getattr(opening, field) for field in OPENING_FIELDS} | dict(data)
    opening_check(actor=actor, data=merged)
    changed = []
    for field, value in _values(merged).items():
        if getattr(opening, field) != value:
            setattr(opening, field, value)
            changed.append(field)
    if changed:
        opening.save(update_fields=[*changed, "updated_at"])
        audit_record(actor=actor, action=TalentAuditAction.OPENING_UPDATE, target=opening, fields=changed)
    return opening


@transaction.atomic
def opening_close(*, actor: User, opening: Opening) -> Opening:
    """Stop taking applications (the applications stay, and may still be moved)."""
    _require_enterprise(actor)
    opening = Opening.objects.editable_by(actor).select_for_update().get(pk=opening.pk)
    if opening.closed_at is None:
        opening.closed_at = timezone.now()
        opening.save(update_fields=["closed_at", "updated_at"])
        audit_record(actor=actor, action=TalentAuditAction.OPENING_CLOSE, target=opening)
    return opening


# --- Applications -----------------------------------------------------------------------------


def _profile_of(actor: User) -> TalentProfile:
    profile = TalentProfile.objects.active().filter(owner=actor).first() if actor.is_authenticated else None
    if profile is None:
        raise PermissionError(str(PROFILE_FIRST))
    return profile


def may_apply(user) -> bool:
    return user is not None and user.is_authenticated and TalentProfile.objects.active().filter(owner=user).exists()


@transaction.atomic
def application_create(*, actor: User, opening: Opening, note: str = "") -> Application:
    """A talent applies with their profile, once per opening, while it is open; the enterprise
    and the applicant are told."""
    profile = _profile_of(actor)
    errors = Errors()
    opening = Opening.objects.select_for_update().get(pk=opening.pk)
    if not opening.is_open:
        errors.add(None, _("岗位已截止，不再接受申请。"))
    if len(note or "") > 2000:
        errors.add("note", _("不能超过 %(limit)d 个字符。") % {"limit": 2000})
    if Application.objects.filter(opening=opening, profile=profile).exists():
        errors.add(None, _("您已申请过该岗位。"))
    errors.raise_if_any()
    # The opening's row lock serialises applications to it, so the check above holds.
    application = Application.objects.create(opening=opening, profile=profile, note=(note or "").strip())
    audit_record(
        actor=actor, action=TalentAuditAction.APPLICATION_CREATE, target=application, organization=opening.organization
    )
    _tell(application, S.RECEIVED)
    return application


def allowed_moves(application: Application) -> tuple[str, ...]:
    return MOVES[S(application.status)]


@transaction.atomic
def application_move(*, actor: User, application: Application, status: str) -> Application:
    """The enterprise moves an application on (received → shortlisted → rejected or hired);
    both sides are told."""
    _require_enterprise(actor)
    application = Application.objects.editable_by(actor).select_for_update().get(pk=application.pk)
    if status not in S.values:
        errors = Errors()
        errors.add("status", _("未知的申请状态。"))
        errors.raise_if_any()
    if status not in allowed_moves(application):
        errors = Errors()
        errors.add(
            "status",
            _("“%(from)s”的申请不能改为“%(to)s”。") % {"from": S(application.status).label, "to": S(status).label},
        )
        errors.raise_if_any()
    old = application.status
    application.status = status
    application.decided_by = actor
    application.save(update_fields=["status", "decided_by", "updated_at"])
    audit_record(
        actor=actor,
        action=TalentAuditAction.APPLICATION_MOVE,
        target=application,
        organization=application.opening.organization,
        old=old,
        new=status,
    )
    _tell(application, S(status))
    return application


# The applicant's notice and the enterprise's, for each status.
_TO_APPLICANT = {
    S.RECEIVED: gettext_noop("已收到您对岗位“%(title)s”的申请"),
    S.SHORTLISTED: gettext_noop("您申请的岗位“%(title)s”已进入入围名单"),
    S.REJECTED: gettext_noop("您申请的岗位“%(title)s”未被录用"),
    S.HIRED: gettext_noop("恭喜：您已被岗位“%(title)s”录用"),
}
_TO_ENTERPRISE = {
    S.RECEIVED: gettext_noop("岗位“%(title)s”收到新的申请：%(name)s"),
    S.SHORTLISTED: gettext_noop("岗位“%(title)s”的申请人 %(name)s 已入围"),
    S.REJECTED: gettext_noop("岗位“%(title)s”的申请人 %(name)s 未被录用"),
    S.HIRED: gettext_noop("岗位“%(title)s”已录用 %(name)s"),
}


def _tell(application: Application, status: S) -> None:
    opening = application.opening
    title = Localized(opening.title)
    key = f"opening-application:{application.pk}:{status}"
    owner_id = application.profile.owner_id
    if owner_id:
        notify(
            recipients=[owner_id],
            kind=NotificationKind.TALENT,
            title=Message(_TO_APPLICANT[status], title=title),
            url=reverse("talent:opening", kwargs={"pk": opening.pk}),
            dedupe_key=key,
        )
    notify(
        recipients=Membership.objects.members_of(opening.organization_id),
        kind=NotificationKind.TALENT,
        title=Message(_TO_ENTERPRISE[status], title=title, name=application.profile.full_name),
        url=reverse("talent:applications", kwargs={"pk": opening.pk}),
        dedupe_key=f"{key}:enterprise",
    )


# --- Reading ----------------------------------------------------------------------------------


def criteria_of(opening: Opening) -> selectors.Criteria:
    return selectors.Criteria(
        country=opening.country_id,
        desired_country=opening.country_id,
        language=opening.language,
        level=opening.level,
        certificate=opening.certificate,
    )


def suggested_candidates(opening: Opening, *, user, limit: int = SUGGESTIONS) -> list[dict[str, Any]]:
    """The pool's best matches for an opening (only for those who may search the pool), with
    their score and reasons; those who already applied are left out."""
    from .services import may_search

    if not may_search(user):
        return []
    applied = Application.objects.filter(opening=opening).values("profile_id")
    queryset = TalentProfile.objects.active().exclude(pk__in=applied)
    ranked = selectors.with_match(queryset, criteria_of(opening)).filter(match_score__gt=0)[:limit]
    return [{"profile": p, "score": p.match_score, "reasons": selectors.reasons(p)} for p in ranked]


def suggested_for_project(project: Project, *, user, limit: int = SUGGESTIONS) -> list[dict[str, Any]]:
    """The pool's best matches for a project's country (experience there, wish to go there)."""
    from .services import may_search

    if not may_search(user):
        return []
    criteria = selectors.Criteria(country=project.country_id, desired_country=project.country_id)
    ranked = selectors.with_match(TalentProfile.objects.active(), criteria).filter(match_score__gt=0)[:limit]
    return [{"profile": p, "score": p.match_score, "reasons": selectors.reasons(p)} for p in ranked]
