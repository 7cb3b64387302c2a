"""Reads of the talent pool: the match score of a search, the rows a list shows, a profile's
export and its contact-view log. The score is documented in docs/talent.md.

Match score (each criterion asked for adds its points when the profile meets it):

    +40  overseas experience in the country searched for (`country`, else `desired_country`)
    +25  the language searched for at or above the minimum level
    +20  a certificate of the kind searched for that is still valid today
    +15  the person wishes to work in the country searched for (`desired_country`, else `country`)
    +10  available by the date searched for

Ties go to the profile updated last. The filters narrow the list; the score ranks what is left,
so that a search on one country ranks those who also wish to go there (or have been there) first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ContactView, TalentCertificate, TalentExperience, TalentLanguage, TalentProfile

POINTS = {"experience": 40, "language": 25, "certificate": 20, "desired": 15, "available": 10}
DesiredCountries = TalentProfile.desired_countries.through


@dataclass(frozen=True)
class Criteria:
    country: str = ""  # ISO code: experience there
    desired_country: str = ""
    language: str = ""
    level: str = ""  # the minimum CEFR level
    certificate: str = ""
    available_by: datetime.date | None = None

    @classmethod
    def from_filters(cls, cleaned: dict[str, Any]) -> Criteria:
        """The criteria of a bound, valid FilterSet's cleaned data."""

        def code(value):
            return (value or "").strip().upper()

        return cls(
            country=code(cleaned.get("country")),
            desired_country=code(cleaned.get("desired_country")),
            language=cleaned.get("language") or "",
            level=cleaned.get("level") or "",
            certificate=cleaned.get("certificate") or "",
            available_by=cleaned.get("available_by"),
        )

    def filtered(self) -> frozenset[str]:
        """The reasons every profile left by the search's filters meets (TalentProfileFilterSet
        filters on the same conditions): `country` is experience there, `desired_country` the
        wish, the language at its level, the certificate and the availability likewise. Their
        flags need not be computed per row."""
        names = set()
        if self.country:
            names.add("experience")
        if self.language or self.level:
            names.add("language")
        if self.certificate:
            names.add("certificate")
        if self.desired_country:
            names.add("desired")
        if self.available_by:
            names.add("available")
        return frozenset(names)

    @property
    def experience_country(self) -> str:
        return self.country or self.desired_country

    @property
    def wished_country(self) -> str:
        return self.desired_country or self.country


def has_experience_in(country: str):
    return Exists(TalentExperience.objects.filter(profile_id=OuterRef("pk"), country_id=country))


def speaks(language: str = "", level: str = ""):
    rows = TalentLanguage.objects.filter(profile_id=OuterRef("pk"))
    if language:
        rows = rows.filter(code=language)
    if level:
        rows = rows.filter(level__gte=level)  # the codes sort as the levels do (choices.CefrLevel)
    return Exists(rows)


def holds_valid(kind: str, today: datetime.date | None = None):
    today = today or timezone.localdate()
    return Exists(TalentCertificate.objects.filter(profile_id=OuterRef("pk"), kind=kind).exclude(valid_until__lt=today))


def wishes_to_go_to(country: str):
    return Exists(DesiredCountries.objects.filter(talentprofile_id=OuterRef("pk"), country_id=country))


def _flag(condition) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def with_match(
    queryset: QuerySet,
    criteria: Criteria,
    today: datetime.date | None = None,
    *,
    filtered: frozenset[str] = frozenset(),
) -> QuerySet:
    """`queryset` annotated with `match_score` and one `match_<reason>` flag per criterion asked
    for, ranked by score (then the profile updated last). `filtered` names the reasons the
    queryset is already filtered on (`Criteria.filtered()` for the search's FilterSet): those
    flags are true for every row, so they are constants rather than a subquery per row (on
    100,000 profiles each costs a pass over its table, twice: the flag and the score)."""
    flags: dict[str, Any] = {}
    if criteria.experience_country:
        flags["experience"] = has_experience_in(criteria.experience_country)
    if criteria.language or criteria.level:
        flags["language"] = speaks(criteria.language, criteria.level)
    if criteria.certificate:
        flags["certificate"] = holds_valid(criteria.certificate, today)
    if criteria.wished_country:
        flags["desired"] = wishes_to_go_to(criteria.wished_country)
    if criteria.available_by:
        flags["available"] = _flag(Q(available_from__lte=criteria.available_by))
    annotations = {
        f"match_{name}": Value(True, output_field=BooleanField()) if name in filtered else condition
        for name, condition in flags.items()
    }
    score = Value(sum(POINTS[name] for name in flags if name in filtered), output_field=IntegerField())
    for name in (name for name in flags if name not in filtered):
        score = score + Case(
            When(**{f"match_{name}": True}, then=Value(POINTS[name])), default=Value(0), output_field=IntegerField()
        )
    return queryset.annotate(**annotations, match_score=score).order_by("-match_score", "-updated_at", "-id")


def reasons(profile: TalentProfile) -> list[tuple[int, str]]:
    """Why a profile scored what it did: (points, reason) for each criterion it meets."""
    labels = {
        "experience": _("在该国有海外经历"),
        "language": _("语言达到要求的水平"),
        "certificate": _("持有有效的所需证书"),
        "desired": _("意向前往该国"),
        "available": _("可按时到岗"),
    }
    return [(POINTS[name], labels[name]) for name in POINTS if getattr(profile, f"match_{name}", False)]


def list_rows(queryset: QuerySet) -> QuerySet:
    """What a list of profiles shows, in a fixed number of queries: one per related list."""
    return queryset.prefetch_related(
        "languages",
        "certificates",
        Prefetch("experiences", queryset=TalentExperience.objects.select_related("country")),
        "desired_countries",
    )


def contact_views_of(profile: TalentProfile) -> QuerySet:
    """Who viewed the contact details and when (the person's page shows it)."""
    return ContactView.objects.filter(profile=profile).select_related("viewer", "viewer_organization")


def profile_export_data(profile: TalentProfile) -> dict[str, Any]:
    """Everything held about the person: the profile, its rows, the contact-view log and the
    consent records (the export of the right of access, as JSON)."""
    profile = (
        TalentProfile.objects.select_related("owner", "entered_by")
        .prefetch_related(
            "languages",
            "certificates",
            Prefetch("experiences", queryset=TalentExperience.objects.select_related("country", "project")),
            "desired_countries",
            "consent_records",
        )
        .get(pk=profile.pk)
    )

    def day(value):
        return value.isoformat() if value else None

    return {
        "id": profile.pk,
        "owner": profile.owner.username if profile.owner else None,
        "entered_by": profile.entered_by.name if profile.entered_by else None,
        "full_name": profile.full_name,
        "education": profile.education,
        "current_employer": profile.current_employer,
        "occupation": profile.occupation,
        "phone": profile.phone,
        "email": profile.email,
        "desired_countries": [country.code for country in profile.desired_countries.all()],
        "available_from": day(profile.available_from),
        "skills": profile.skills,
        "languages": [{"code": row.code, "level": row.level} for row in profile.languages.all()],
        "certificates": [
            {"kind": row.kind, "number": row.number, "valid_until": day(row.valid_until)}
            for row in profile.certificates.all()
        ],
        "experiences": [
            {
                "country": row.country_id,
                "project": {"id": row.project_id, "name": row.project.name} if row.project else None,
                "role": row.role,
                "date_from": day(row.date_from),
                "date_to": day(row.date_to),
            }
            for row in profile.experiences.all()
        ],
        "consent_at": profile.consent_at.isoformat(),
        "consent_text_version": profile.consent_text_version,
        "consent_withdrawn_at": profile.consent_withdrawn_at.isoformat() if profile.consent_withdrawn_at else None,
        "consent_records": [
            {
                "action": row.action,
                "text_version": row.text_version,
                "purpose_text": row.purpose_text,
                "at": row.at.isoformat(),
            }
            for row in profile.consent_records.all()
        ],
        "contact_views": [
            {
                "viewer": str(row.viewer) if row.viewer else None,
                "organization": row.viewer_organization.name if row.viewer_organization else None,
                "viewed_at": row.viewed_at.isoformat(),
            }
            for row in contact_views_of(profile)
        ],
        "created_at": profile.created_at.isoformat(),
        "updated_at": profile.updated_at.isoformat(),
    }
