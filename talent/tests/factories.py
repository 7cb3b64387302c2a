"""Profiles of the talent pool for the tests: through the service (consent recorded, audited)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from portal.models import Country
from talent import services
from talent.models import TalentProfile


def profile_data(**extra) -> dict:
    data = {
        "full_name": "李工程师",
        "education": "bachelor",
        "current_employer": "湖北楚天国际工程有限公司",
        "occupation": "土木工程师",
        "phone": "13800000001",
        "email": "li@example.com",
        "available_from": datetime.date(2027, 1, 1),
        "skills": "路桥施工管理",
    }
    data.update(extra)
    return data


def make_profile(
    actor,
    *,
    languages=(("fr", "B2"),),
    certificates=(("pmp", None),),
    experiences=(("KE", "项目经理"),),
    desired=("KE",),
    **data,
) -> TalentProfile:
    """A profile as `actor` creates it (a talent: their own; an enterprise member: the staff's)."""
    today = timezone.localdate()
    return services.profile_create(
        actor=actor,
        consent=True,
        data=profile_data(**data),
        languages=[{"code": code, "level": level} for code, level in languages],
        certificates=[{"kind": kind, "number": "C-1", "valid_until": until} for kind, until in certificates],
        experiences=[
            {"country": Country.objects.get(code=code), "role": role, "date_from": today - datetime.timedelta(days=800)}
            for code, role in experiences
        ],
        desired_countries=list(Country.objects.filter(code__in=desired)),
    )
