"""Writes of the talent pool: `profile_<verb>(*, actor, ...)`, each the one place of its rule.

- consent: a profile is created only with the person's explicit consent to the purpose text
  shown (`CONSENT_TEXT_VERSION`, `consent_purpose()`); the ConsentRecord keeps which text and when;
- withdrawal hides the profile at once and erases the personal fields; the consent records stay;
- the person (or the enterprise that entered the profile for its staff) corrects, exports and
  deletes it;
- contact details: `may_see_contacts` decides, `contact_view_record` logs each view.

The trainings' services are in talent/trainings/services.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import User
from portal.permissions import is_enterprise, is_official, membership_of
from portal.services import Errors, audit_record
from projects.models import Project

from .choices import ConsentAction, TalentAuditAction
from .models import (
    ConsentRecord,
    ContactView,
    TalentCertificate,
    TalentExperience,
    TalentLanguage,
    TalentProfile,
)

# The version of the consent text below; change it with the text, so that each record says
# which one the person agreed to.
CONSENT_TEXT_VERSION = "2026-12-v1"
CONSENT_PURPOSE = gettext_lazy(
    "本人同意“走出去”企业服务平台收集并处理本人填写的个人信息（姓名、学历、工作单位、职业、"
    "联系方式、语言能力、资格证书、海外经历、意向国家和可到岗日期），用于人才库检索和岗位匹配。"
    "经核验的企业和主管部门工作人员可检索本档案，查看联系方式时平台记录查看人和时间，本人可随时查看。"
    "本人可随时查看、更正、导出和删除本档案，也可随时撤回同意，撤回后档案立即隐藏，个人信息即被清除。"
)
# What a profile's name becomes once consent is withdrawn.
ERASED_NAME = "（已撤回授权）"

PERSONAL_FIELDS = (
    "full_name",
    "education",
    "current_employer",
    "occupation",
    "phone",
    "email",
    "available_from",
    "skills",
)


def consent_purpose() -> str:
    """The purpose text in Chinese, as shown on the consent form and kept in the record."""
    with translation.override("zh-hans"):
        return str(CONSENT_PURPOSE)


# --- Who may ---------------------------------------------------------------------------------


def may_create_profile(user) -> bool:
    """A talent (a user without organisation) for themselves, or an enterprise member for staff."""
    if user is None or not user.is_authenticated:
        return False
    return membership_of(user) is None or is_enterprise(user)


def may_search(user) -> bool:
    """Enterprise members and officials search the pool."""
    return user is not None and user.is_authenticated and (is_enterprise(user) or is_official(user))


def may_see_contacts(user, profile: TalentProfile) -> bool:
    """The contact details of an active profile: the person, the enterprise that entered it,
    members of verified enterprises and officials. Never suppliers or the public."""
    if user is None or not user.is_authenticated or not profile.is_active:
        return False
    if profile.owner_id == user.pk:
        return True
    membership = membership_of(user)
    if membership is None:
        return False
    if is_official(user):
        return True
    if not is_enterprise(user):
        return False
    return membership.organization.verified_at is not None or profile.entered_by_id == membership.organization_id


def _editable(actor, profile: TalentProfile) -> None:
    if not TalentProfile.objects.editable_by(actor).filter(pk=profile.pk).exists():
        raise PermissionError(_("只有本人或录入该档案的企业可以处理该档案。"))


# --- Checks ----------------------------------------------------------------------------------


def profile_check(*, actor, languages: Iterable[dict] = (), experiences: Iterable[dict] = ()) -> Errors:
    """The rules across rows that a single form cannot check: a language once, experience dates
    in order, a linked project the actor may see."""
    errors = Errors()
    codes = [row["code"] for row in languages]
    if len(codes) != len(set(codes)):
        errors.add("languages", _("每种语言只能填写一次。"))
    visible_projects = None
    for row in experiences:
        if row.get("date_to") and row["date_to"] < row["date_from"]:
            errors.add("experiences", _("海外经历的结束日期不能早于开始日期。"))
        if row.get("project") is not None:
            if visible_projects is None:
                visible_projects = set(Project.objects.visible_to(actor).values_list("pk", flat=True))
            if row["project"].pk not in visible_projects:
                errors.add("experiences", _("所选项目不存在或不可见。"))
    return errors


def raise_if_withdrawn(profile: TalentProfile) -> None:
    if not profile.is_active:
        raise ValidationError(_("该档案已撤回授权，不能再修改。"))


def _audit_org(profile: TalentProfile):
    return profile.entered_by


def _replace_rows(profile: TalentProfile, languages, certificates, experiences) -> None:
    if languages is not None:
        profile.languages.all().delete()
        TalentLanguage.objects.bulk_create(
            TalentLanguage(profile=profile, code=row["code"], level=row["level"]) for row in languages
        )
    if certificates is not None:
        profile.certificates.all().delete()
        TalentCertificate.objects.bulk_create(
            TalentCertificate(
                profile=profile, kind=row["kind"], number=row.get("number", ""), valid_until=row.get("valid_until")
            )
            for row in certificates
        )
    if experiences is not None:
        profile.experiences.all().delete()
        TalentExperience.objects.bulk_create(
            TalentExperience(
                profile=profile,
                country=row["country"],
                project=row.get("project"),
                role=row["role"],
                date_from=row["date_from"],
                date_to=row.get("date_to"),
            )
            for row in experiences
        )


# --- Writes ----------------------------------------------------------------------------------


@transaction.atomic
def profile_create(
    *,
    actor: User,
    data: dict[str, Any],
    consent: bool,
    languages: list[dict] = (),
    certificates: list[dict] = (),
    experiences: list[dict] = (),
    desired_countries: Iterable = (),
) -> TalentProfile:
    """A talent's own profile, or (for an enterprise member) one for the enterprise's staff.
    Without `consent` (the person's explicit agreement to `consent_purpose()`) nothing is kept."""
    if not may_create_profile(actor):
        raise PermissionError(_("只有人才本人或企业可以建立人才档案。"))
    errors = profile_check(actor=actor, languages=languages, experiences=experiences)
    if consent is not True:
        errors.add("consent", _("须经本人同意个人信息处理规则后才能建立人才档案。"))
    entered_by = membership_of(actor).organization if is_enterprise(actor) else None
    if entered_by is None and TalentProfile.objects.filter(owner=actor).exists():
        errors.add(None, _("您已有人才档案，请修改现有档案。"))
    profile = TalentProfile(
        owner=None if entered_by else actor,
        entered_by=entered_by,
        consent_at=timezone.now(),
        consent_text_version=CONSENT_TEXT_VERSION,
        **{name: data.get(name, "" if name != "available_from" else None) for name in PERSONAL_FIELDS},
    )
    with errors.collect():
        profile.full_clean(exclude=["owner", "entered_by"])
    errors.raise_if_any()
    profile.save()
    profile.desired_countries.set(desired_countries)
    _replace_rows(profile, languages, certificates, experiences)
    ConsentRecord.objects.create(
        profile=profile,
        action=ConsentAction.GIVEN,
        text_version=CONSENT_TEXT_VERSION,
        purpose_text=consent_purpose(),
        actor=actor,
        at=profile.consent_at,
    )
    audit_record(actor=actor, action=TalentAuditAction.PROFILE_CREATE, target=profile, organization=entered_by)
    return profile


@transaction.atomic
def profile_update(
    *,
    actor: User,
    profile: TalentProfile,
    data: dict[str, Any],
    languages: list[dict] | None = None,
    certificates: list[dict] | None = None,
    experiences: list[dict] | None = None,
    desired_countries: Iterable | None = None,
) -> TalentProfile:
    """Correct a profile (the person's right to rectify). Rows given replace the old ones."""
    _editable(actor, profile)
    profile = TalentProfile.objects.select_for_update().get(pk=profile.pk)
    raise_if_withdrawn(profile)
    errors = profile_check(actor=actor, languages=languages or (), experiences=experiences or ())
    changed = [name for name in PERSONAL_FIELDS if name in data]
    for name in changed:
        setattr(profile, name, data[name])
    with errors.collect():
        profile.full_clean(exclude=["owner", "entered_by"])
    errors.raise_if_any()
    profile.save(update_fields=[*changed, "updated_at"])
    if desired_countries is not None:
        profile.desired_countries.set(desired_countries)
    _replace_rows(profile, languages, certificates, experiences)
    audit_record(actor=actor, action=TalentAuditAction.PROFILE_UPDATE, target=profile, organization=_audit_org(profile))
    return profile


@transaction.atomic
def profile_withdraw_consent(*, actor: User, profile: TalentProfile) -> TalentProfile:
    """Withdraw consent: the profile is hidden from every search at once and its personal fields
    are erased (name, contacts, employer, languages, certificates, experiences, desired
    countries). The consent records stay, with the withdrawal added."""
    _editable(actor, profile)
    profile = TalentProfile.objects.select_for_update().get(pk=profile.pk)
    raise_if_withdrawn(profile)
    now = timezone.now()
    profile.full_name = ERASED_NAME
    for name in PERSONAL_FIELDS[1:]:
        setattr(profile, name, None if name == "available_from" else "")
    profile.consent_withdrawn_at = now
    profile.save(update_fields=[*PERSONAL_FIELDS, "consent_withdrawn_at", "updated_at"])
    profile.desired_countries.clear()
    _replace_rows(profile, [], [], [])
    ConsentRecord.objects.create(
        profile=profile,
        action=ConsentAction.WITHDRAWN,
        text_version=profile.consent_text_version,
        purpose_text=consent_purpose(),
        actor=actor,
        at=now,
    )
    audit_record(
        actor=actor, action=TalentAuditAction.CONSENT_WITHDRAW, target=profile, organization=_audit_org(profile)
    )
    return profile


@transaction.atomic
def profile_delete(*, actor: User, profile: TalentProfile) -> None:
    """Delete the profile and everything held with it (the person's right to deletion)."""
    _editable(actor, profile)
    audit_record(actor=actor, action=TalentAuditAction.PROFILE_DELETE, target=profile, organization=_audit_org(profile))
    profile.delete()


def profile_export(*, actor: User, profile: TalentProfile) -> dict[str, Any]:
    """Everything held about the person, as JSON-ready data (the right of access)."""
    from .selectors import profile_export_data

    _editable(actor, profile)
    audit_record(actor=actor, action=TalentAuditAction.PROFILE_EXPORT, target=profile, organization=_audit_org(profile))
    return profile_export_data(profile)


def contact_view_record(*, viewer: User, profile: TalentProfile) -> ContactView | None:
    """Log that `viewer` was shown the contact details (the person's own views are not logged)."""
    if profile.owner_id == viewer.pk:
        return None
    membership = membership_of(viewer)
    return ContactView.objects.create(
        profile=profile, viewer=viewer, viewer_organization=membership.organization if membership else None
    )
