"""Demo talent pool for `manage.py seed_demo` (idempotent: each profile is looked up by its
keeper and name first). The demo `talent` account's own profile, and eight staff profiles the
demo enterprises entered, with varied languages, certificates and overseas experience. Made
through talent/services.py, so each has its consent record. Called by talent/demo.py."""

from __future__ import annotations

import datetime
import zlib

from django.utils import timezone

from portal.models import Country
from projects.choices import FilingStatus
from projects.models import Project

from . import services
from .models import TalentProfile

# name, occupation, education, languages, certificates (kind, years valid; None: no expiry),
# experiences (country, role, years ago), desired countries, available in days
PEOPLE = [
    (
        "刘建华",
        "项目经理",
        "master",
        [("en", "C1"), ("fr", "B1")],
        [("constructor_1", 3), ("pmp", 2)],
        [("KE", "项目经理", 6), ("ET", "副经理", 10)],
        ["KE", "TZ"],
        30,
    ),
    (
        "陈思远",
        "法语翻译",
        "bachelor",
        [("fr", "C2"), ("en", "B2")],
        [("catti", None)],
        [("SN", "现场翻译", 4), ("CI", "翻译", 2)],
        ["SN", "CI", "CM"],
        14,
    ),
    (
        "王海波",
        "造价工程师",
        "bachelor",
        [("en", "B2")],
        [("cost_engineer", 4), ("fidic", None)],
        [("PK", "造价负责人", 5)],
        ["PK", "BD"],
        60,
    ),
    (
        "赵敏",
        "安全总监",
        "master",
        [("en", "C1")],
        [("nebosh", 2), ("constructor_1", 1)],
        [("SA", "HSE 经理", 7), ("AE", "安全工程师", 3)],
        ["SA", "QA"],
        0,
    ),
    (
        "孙立",
        "BIM 工程师",
        "bachelor",
        [("en", "B1"), ("ru", "A2")],
        [("bim", 3)],
        [("KZ", "BIM 负责人", 3)],
        ["KZ", "UZ"],
        45,
    ),
    (
        "周丽娜",
        "合同律师",
        "doctorate",
        [("en", "C2"), ("es", "B2")],
        [("fidic", None), ("ciob", 5)],
        [("PE", "法务经理", 4), ("CL", "合同顾问", 2)],
        ["PE", "MX"],
        90,
    ),
    (
        "吴强",
        "机电工程师",
        "college",
        [("ar", "B1"), ("en", "A2")],
        [("constructor_1", -1)],
        [("EG", "机电主管", 5), ("DZ", "技术员", 9)],
        ["EG"],
        20,
    ),
    ("郑晓东", "施工员", "secondary", [("pt", "B2")], [], [("AO", "施工员", 6), ("MZ", "班组长", 3)], ["AO"], 7),
]


def _profile_for(actor, name, occupation, education, languages, certificates, experiences, desired, days):
    today = timezone.localdate()
    countries = {c.code: c for c in Country.objects.filter(code__in={*desired, *(e[0] for e in experiences)})}
    project = Project.objects.filter(filing_status=FilingStatus.APPROVED).order_by("id").first()
    return services.profile_create(
        actor=actor,
        consent=True,
        data={
            "full_name": name,
            "occupation": occupation,
            "education": education,
            "current_employer": actor.organization.name if actor.organization else "",
            "phone": f"1380000{zlib.crc32(name.encode()) % 10000:04d}",
            "email": "",
            "available_from": today + datetime.timedelta(days=days),
            "skills": "",
        },
        languages=[{"code": code, "level": level} for code, level in languages],
        certificates=[
            {
                "kind": kind,
                "number": f"{kind.upper()}-{index:04d}",
                "valid_until": None if years is None else today + datetime.timedelta(days=365 * years),
            }
            for index, (kind, years) in enumerate(certificates, start=1)
        ],
        experiences=[
            {
                "country": countries[code],
                "project": project if (project and project.country_id == code) else None,
                "role": role,
                "date_from": today - datetime.timedelta(days=365 * ago),
                "date_to": today - datetime.timedelta(days=365 * max(ago - 2, 0)) if ago > 2 else None,
            }
            for code, role, ago in experiences
        ],
        desired_countries=[countries[code] for code in desired],
    )


def seed(*, accounts, stdout) -> None:
    talent = accounts.users["talent"]
    made = 0
    if not TalentProfile.objects.filter(owner=talent).exists():
        _profile_for(
            talent, "张工程师", "土木工程师", "bachelor", [("en", "B2"), ("fr", "A2")], [("constructor_1", 3)],
            [("KE", "结构工程师", 5)], ["KE", "ET", "TZ"], 30,
        )  # fmt: skip
        made += 1
    keepers = [accounts.users["enterprise"], accounts.users["enterprise2"]]
    for index, person in enumerate(PEOPLE):
        actor = keepers[index % 2]
        if TalentProfile.objects.filter(entered_by=actor.organization, full_name=person[0]).exists():
            continue
        _profile_for(actor, *person)
        made += 1
    stdout.write(f"talent pool: {made} profiles added")
