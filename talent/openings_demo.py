"""Demo openings for `manage.py seed_demo` (run from talent/demo.py after the pool): the demo
enterprise's openings in Kenya and Cambodia with applications at each step, the demo `talent`
account among the applicants. Made through talent/openings.py (so both sides were told);
idempotent: an opening is looked up by its enterprise and title first."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from portal.models import Country
from projects.models import Project

from . import openings
from .models import Application, Opening, TalentProfile

OPENINGS = [
    # title, country, language, level, certificate, requirements, days open
    (
        "港口工程项目经理",
        "KE",
        "en",
        "B2",
        "constructor_1",
        "一级建造师，五年以上海外港口或码头项目管理经验，英语流利。",
        30,
    ),
    ("法语现场翻译", "CM", "fr", "C1", "catti", "CATTI 二级以上，熟悉工程术语，能长期驻外。", 21),
    ("HSE 安全工程师", "KH", "en", "B1", "nebosh", "NEBOSH 证书，熟悉营地安全管理和应急演练。", 45),
]


def seed(*, accounts, stdout) -> None:
    owner = accounts.users["enterprise"]
    organization = accounts.organizations["enterprise"]
    today = timezone.localdate()
    made = []
    for title, country, language, level, certificate, requirements, days in OPENINGS:
        opening = Opening.objects.filter(organization=organization, title=title).first()
        if opening is None:
            project = Project.objects.filter(organization=organization, country_id=country).first()
            opening = openings.opening_create(
                actor=owner,
                data={
                    "project": project,
                    "country": Country.objects.get(code=country),
                    "title": title,
                    "requirements": requirements,
                    "language": language,
                    "level": level,
                    "certificate": certificate,
                    "positions": 2,
                    "closes_on": today + dt.timedelta(days=days),
                },
            )
        made.append(opening)
    talent = accounts.users.get("talent")
    profile = TalentProfile.objects.active().filter(owner=talent).first() if talent else None
    if profile and not Application.objects.filter(opening=made[0], profile=profile).exists():
        application = openings.application_create(
            actor=talent, opening=made[0], note="十年海外工程经验，可一个月内到岗。"
        )
        openings.application_move(actor=owner, application=application, status="shortlisted")
    stdout.write(f"  talent: {len(made)} openings, the demo talent shortlisted for one")
