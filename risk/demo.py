"""Demo data of the risk part for `manage.py seed_demo`: levels for the key markets with their
reference ratings (MFA, Sinosure 1-9, another government), a few published bulletins (a severe
one in Kenya, where the demo enterprise builds the Mombasa port, so its people get an alert to
acknowledge) and followers. Idempotent: natural keys (country; country and source; a
bulletin's title; a follow's user, country and category) with update_or_create / get_or_create;
each first history row once; the alerts under the bulletins' dedupe keys. Negative cases:
risk/cases_demo.py."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from portal.models import Country

from . import bulletins, cases_demo, rollcalls_demo
from .choices import BulletinAction, BulletinStatus, RatingSource
from .models import BulletinHistory, CountryRisk, CountryRiskChange, Follow, ReferenceRating, RiskBulletin

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
    follows = seed_follows(accounts=accounts)  # first, so that the followers are alerted
    seeded = seed_bulletins(official=official)
    stdout.write(f"risk: {len(LEVELS)} country levels with reference ratings, {seeded} bulletins, {follows} follows")
    rollcalls_demo.seed(accounts=accounts, stdout=stdout)  # the severe Kenya bulletin's roll-call
    cases_demo.seed(accounts=accounts, stdout=stdout)


# title: (countries, category, severity, urgency, certainty, days in force, English title, body, English body)
BULLETINS = {
    "肯尼亚内罗毕抗议活动安全提醒": (
        ["KE"],
        "civil_unrest",
        "severe",
        "expected",
        "likely",
        14,
        "Security alert: protests in Nairobi",
        "近期内罗毕、蒙巴萨等地连续发生大规模抗议活动，部分地区出现冲突和打砸抢事件。请在肯中资企业和人员"
        "避免前往抗议集会区域，加强营地和工地安保，储备必要物资，并保持与驻肯尼亚使馆的联系。",
        "Large protests have taken place in Nairobi, Mombasa and other cities, with clashes and looting in "
        "some areas. Avoid protest sites, tighten security at camps and sites, keep supplies and stay in "
        "touch with the embassy.",
    ),
    "巴基斯坦开伯尔-普什图赫瓦省安全风险提示": (
        ["PK"],
        "terrorism",
        "moderate",
        "future",
        "possible",
        30,
        "",
        "开伯尔-普什图赫瓦省近期发生多起针对外国人员的袭击事件。请在巴中资企业严格执行出行报备，减少不必要的"
        "外出，车辆出行须有安保护送。",
        "",
    ),
    "印度尼西亚雨季洪涝和山体滑坡提示": (
        ["ID"],
        "natural_disaster",
        "minor",
        "future",
        "likely",
        60,
        "",
        "印度尼西亚进入雨季，爪哇、苏门答腊等地洪涝和山体滑坡多发。请在建项目做好防汛排涝，临建设施避开低洼和"
        "易滑坡地段。",
        "",
    ),
}


def seed_bulletins(*, official) -> int:
    """The demo bulletins, published (as the workflow would leave them) and their alerts sent."""
    now = timezone.now()
    for title, (codes, category, severity, urgency, certainty, days, title_en, body, body_en) in BULLETINS.items():
        bulletin, created = RiskBulletin.objects.get_or_create(
            title=title,
            defaults={
                "title_en": title_en,
                "body": body,
                "body_en": body_en,
                "category": category,
                "severity": severity,
                "urgency": urgency,
                "certainty": certainty,
                "effective_at": now - dt.timedelta(hours=2),
                "expires_at": now + dt.timedelta(days=days),
                "status": BulletinStatus.PUBLISHED,
                "created_by": official,
                "published_by": official,
                "published_at": now - dt.timedelta(hours=1),
            },
        )
        if created:
            bulletin.countries.set(codes)
            BulletinHistory.objects.create(bulletin=bulletin, action=BulletinAction.PUBLISHED, actor=official)
        bulletins.bulletin_alert(bulletin_id=bulletin.pk)  # once per person: the dedupe key
    return len(BULLETINS)


# username: [(country or None, category)]
FOLLOWS = {"talent": [("KH", ""), (None, "health")], "enterprise2": [("PK", "")]}


def seed_follows(*, accounts) -> int:
    count = 0
    for username, follows in FOLLOWS.items():
        user = accounts.users.get(username)
        if user is None:
            continue
        for code, category in follows:
            Follow.objects.get_or_create(user=user, country_id=code, category=category)
            count += 1
    return count
