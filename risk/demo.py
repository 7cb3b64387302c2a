"""Demo data of the risk part for `manage.py seed_demo`: levels for the key markets with their
reference ratings (MFA, Sinosure 1-9, another government). Idempotent: natural keys
(country; country and source) with update_or_create; each level's first history row once.
Negative cases: risk/cases_demo.py."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from portal.models import Country

from . import cases_demo
from .choices import RatingSource
from .models import CountryRisk, CountryRiskChange, ReferenceRating

# code: (level, summary, Sinosure grade 1-9, MFA reminder or "")
LEVELS = {
    "KH": (2, "治安总体平稳，电信诈骗和盗抢案件多发，注意人身和财产安全。", "6", "提醒中国公民注意防范电信诈骗"),
    "VN": (2, "社会总体稳定，雨季洪涝和台风多发。", "5", ""),
    "LA": (2, "社会稳定，交通事故多发，部分地区有未爆弹药。", "7", ""),
    "TH": (2, "总体稳定，南部边境地区安全形势复杂。", "4", ""),
    "ID": (2, "地震、火山等自然灾害频发，注意防范。", "5", ""),
    "MY": (1, "社会稳定，营商环境较好。", "3", ""),
    "PK": (3, "部分地区恐怖袭击风险高，针对中国人员和项目的袭击时有发生。", "7", "提醒在巴中国公民和机构加强安全防范"),
    "SA": (2, "总体稳定，注意遵守当地宗教习俗和法律。", "4", ""),
    "AE": (1, "社会稳定，治安良好。", "2", ""),
    "KE": (2, "城市治安犯罪多发，注意防范抢劫。", "6", ""),
    "NG": (3, "部分地区绑架和武装袭击多发。", "7", "提醒在尼中国公民注意防范绑架"),
    "ET": (3, "部分地区局势动荡，冲突时有发生。", "7", ""),
    "EG": (2, "总体稳定，西奈半岛等地区安全风险较高。", "6", ""),
    "BR": (2, "大城市治安犯罪多发。", "5", ""),
    "MM": (4, "局势持续动荡，武装冲突多发。", "8", "提醒中国公民暂勿前往"),
}


def seed(*, accounts, stdout) -> None:
    official = accounts.users.get("official")
    reviewed = timezone.now() - dt.timedelta(days=30)
    as_of = timezone.localdate() - dt.timedelta(days=60)
    countries = Country.objects.in_bulk(list(LEVELS))
    for code, (level, summary, sinosure, mfa) in LEVELS.items():
        risk, _created = CountryRisk.objects.update_or_create(
            country=countries[code],
            defaults={"level": level, "summary": summary, "reviewed_at": reviewed, "reviewed_by": official},
        )
        CountryRiskChange.objects.get_or_create(
            country_risk=risk,
            reason="初始评估（演示数据）",
            defaults={"actor": official, "old_level": None, "new_level": level, "created_at": reviewed},
        )
        ReferenceRating.objects.update_or_create(
            country_risk=risk,
            source=RatingSource.SINOSURE,
            source_name="",
            defaults={"grade": sinosure, "scale_max": 9, "as_of": as_of},
        )
        if mfa:
            ReferenceRating.objects.update_or_create(
                country_risk=risk,
                source=RatingSource.MFA,
                source_name="",
                defaults={"grade": mfa, "scale_max": None, "as_of": as_of},
            )
    stdout.write(f"risk: {len(LEVELS)} country levels with reference ratings")
    cases_demo.seed(accounts=accounts, stdout=stdout)
