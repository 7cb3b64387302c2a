"""Demo suppliers for `manage.py seed_demo` (idempotent: update_or_create on the credit code,
get_or_create on each certificate's kind and number, each history step and each review).

The demo supplier account's firm, 武汉绿建新材料 (approved, with a certificate near expiry), and
nine more across the categories in every status: approved, submitted, under review, returned
with a question, rejected, suspended, revoked; certificates with real PDF scans; star ratings;
supply chains on some of the demo enterprises' approved projects, with performance reviews.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.core.files.base import ContentFile
from django.utils import timezone

from portal.choices import OrganizationKind
from portal.models import Organization
from portal.testing.files import pdf_bytes
from portal.validators import credit_code_check_char
from projects.choices import FilingStatus
from projects.models import Project

from .choices import ReviewAction
from .choices import SupplierStatus as S
from .models import (
    Category,
    CategoryRequirement,
    Certificate,
    PerformanceReview,
    Supplier,
    SupplierRating,
    SupplierReview,
    SupplyChainLink,
)


class Demo(NamedTuple):
    key: str  # "supplier" is the demo account's organisation (portal/demo.py)
    name: str
    name_en: str
    province: str
    city: str
    categories: tuple[str, ...]
    countries: tuple[str, ...]
    status: str
    stars: int | None
    products: str
    # days from today to the end of each certificate's validity (one per requirement)
    expires_in: int = 700
    comment: str = ""  # the official's last comment (return, rejection, grounds)


SUPPLIERS = [
    Demo(
        "supplier",
        "武汉绿建新材料有限公司",
        "Wuhan Lvjian New Materials Co., Ltd.",
        "湖北省",
        "武汉市",
        ("green_materials", "equipment"),
        ("KH", "MY", "KE", "ID"),
        S.APPROVED,
        4,
        "蒸压加气混凝土砌块、装配式墙板、绿色建材产品",
        expires_in=25,
    ),
    Demo(
        "s1",
        "湖北荆楚劳务合作有限公司",
        "Hubei Jingchu Labour Cooperation Co., Ltd.",
        "湖北省",
        "荆州市",
        ("labour_subcontracting",),
        ("KE", "ET", "TZ", "KH"),
        S.APPROVED,
        5,
        "钢筋工、木工、架子工劳务分包，海外用工合规管理",
    ),
    Demo(
        "s2",
        "湖北长江律师事务所",
        "Hubei Changjiang Law Firm",
        "湖北省",
        "武汉市",
        ("legal",),
        ("KH", "MY", "SA", "AE", "KE"),
        S.APPROVED,
        4,
        "跨境并购、国际工程合同、争议仲裁法律服务",
    ),
    Demo(
        "s3",
        "武汉中南检测认证有限公司",
        "Wuhan Zhongnan Testing & Certification Co., Ltd.",
        "湖北省",
        "武汉市",
        ("testing_certification",),
        ("KH", "LA", "ID", "VN"),
        S.APPROVED,
        3,
        "建材检测、钢结构检测、CNAS 认可实验室",
        expires_in=50,
    ),
    Demo(
        "s4",
        "湖南潇湘税务师事务所",
        "Hunan Xiaoxiang Tax Agency",
        "湖南省",
        "长沙市",
        ("tax",),
        ("MY", "TH", "ID"),
        S.SUBMITTED,
        None,
        "境外税务筹划、双边税收协定咨询",
    ),
    Demo(
        "s5",
        "宜昌三峡装备制造有限公司",
        "Yichang Three Gorges Equipment Co., Ltd.",
        "湖北省",
        "宜昌市",
        ("equipment",),
        ("UZ", "KZ", "KG"),
        S.UNDER_REVIEW,
        None,
        "塔式起重机、混凝土搅拌站",
    ),
    Demo(
        "s6",
        "襄阳汉江物流有限公司",
        "Xiangyang Hanjiang Logistics Co., Ltd.",
        "湖北省",
        "襄阳市",
        ("logistics",),
        ("KZ", "UZ"),
        S.RETURNED,
        None,
        "中欧班列集拼、跨境工程物资运输",
        comment="请补充近三年海外工程物流业绩及道路运输经营许可证的有效期。",
    ),
    Demo(
        "s7",
        "武汉东湖设计咨询有限公司",
        "Wuhan Donghu Design Consulting Co., Ltd.",
        "湖北省",
        "武汉市",
        ("design_consulting",),
        ("SA", "QA"),
        S.REJECTED,
        None,
        "建筑设计、BIM 咨询",
        comment="所附工程设计资质证书与企业名称不一致，不予入库。",
    ),
    Demo(
        "s8",
        "孝感楚风专业承包有限公司",
        "Xiaogan Chufeng Specialist Contracting Co., Ltd.",
        "湖北省",
        "孝感市",
        ("specialist_contracting",),
        ("KE", "NG"),
        S.SUSPENDED,
        2,
        "钢结构、幕墙专业承包",
        comment="海外项目发生安全生产事故，调查期间暂停入库资格。",
    ),
    Demo(
        "s9",
        "黄石矿冶建材有限公司",
        "Huangshi Mining Building Materials Co., Ltd.",
        "湖北省",
        "黄石市",
        ("green_materials",),
        ("ZM", "AO"),
        S.REVOKED,
        None,
        "矿渣微粉、水泥基材料",
        comment="提供虚假的绿色建材产品认证证书，撤销入库资格，三年内不得再次申请。",
    ),
]

# (project name, supplier key, category, scope, value in USD, a review or None)
CHAINS = [
    (
        "蒙巴萨港扩建工程（二期）",
        "supplier",
        "green_materials",
        "堆场及附属用房绿色建材供应",
        3_800_000,
        (5, 4, 5, 4, "按期供货，质量稳定。"),
    ),
    (
        "蒙巴萨港扩建工程（二期）",
        "s1",
        "labour_subcontracting",
        "码头主体结构劳务分包",
        6_500_000,
        (4, 4, 5, 5, "劳务管理规范，当地用工合规。"),
    ),
    ("蒙巴萨港扩建工程（二期）", "s2", "legal", "当地劳动法与合同合规咨询", 250_000, None),
    (
        "中老铁路万象站房及配套工程",
        "s3",
        "testing_certification",
        "混凝土与钢筋材料检测",
        420_000,
        (3, 2, 4, 3, "个别报告出具延误。"),
    ),
]


def _code(n: int) -> str:
    first17 = f"91420100MA4T{n:04d}X"
    return first17 + credit_code_check_char(first17)


def _moment(days_ago: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


def seed(*, accounts, stdout) -> None:
    official = accounts.users["official"]
    suppliers: dict[str, Supplier] = {}
    for n, demo in enumerate(SUPPLIERS):
        org = accounts.organizations["supplier"] if demo.key == "supplier" else _organization(n, demo)
        suppliers[demo.key] = _supplier(org, demo, official=official)
    links = reviews = 0
    for project_name, key, category, scope, value, review in CHAINS:
        project = Project.objects.filter(name=project_name, filing_status=FilingStatus.APPROVED).first()
        if project is None:
            continue
        link, _created = SupplyChainLink.objects.get_or_create(
            project=project,
            supplier=suppliers[key],
            category=Category.objects.get(code=category),
            defaults={"scope": scope, "contract_value": value, "currency": "USD", "start_date": project.start_date},
        )
        links += 1
        if review:
            quality, delivery, compliance, communication, comment = review
            PerformanceReview.objects.get_or_create(
                supplier=link.supplier,
                project=project,
                defaults={
                    "organization": project.organization,
                    "quality": quality,
                    "delivery": delivery,
                    "compliance": compliance,
                    "communication": communication,
                    "comment": comment,
                },
            )
            reviews += 1
    stdout.write(f"  suppliers: {len(suppliers)} suppliers, {links} supply-chain links, {reviews} reviews")
    _matchmaking_event(accounts, official)


def _matchmaking_event(accounts, official) -> None:
    """One published event in Cambodia (Phnom Penh), three weeks ahead, with the demo enterprise
    and supplier registered: the invitations are in their inboxes like any other publication's."""
    from portal.models import Country

    from .choices import EventStatus
    from .matchmaking import event_invite
    from .models import EventRegistration, MatchmakingEvent

    start = (timezone.now() + dt.timedelta(days=21)).replace(hour=1, minute=30, second=0, microsecond=0)
    event, created = MatchmakingEvent.objects.get_or_create(
        title="2026中国（湖北）—柬埔寨基础设施与建材供需对接会",
        defaults={
            "country": Country.objects.get(code="KH"),
            "city": "金边",
            "venue": "金边索卡酒店会议中心",
            "description": "邀请在柬埔寨有在建项目的企业与绿色建材、装备制造、劳务分包等优质供应商面对面对接，"
            "柬方公共工程与运输部、当地商协会代表到场介绍重点项目需求。",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=7),
            "registration_deadline": start - dt.timedelta(days=5),
            "sectors": ["transport", "building", "power"],
            "capacity": 120,
            "status": EventStatus.PUBLISHED,
            "published_at": timezone.now(),
            "created_by": official,
        },
    )
    if created:
        event.categories.set(
            Category.objects.filter(code__in=["green_materials", "equipment", "labour_subcontracting"])
        )
    for key, attendees, contact, phone in (
        ("enterprise", 3, "李经理", "13800000001"),
        ("supplier", 2, "陈经理", "13800000002"),
    ):
        organization = accounts.organizations.get(key)
        if organization is None:
            continue
        EventRegistration.objects.get_or_create(
            event=event,
            organization=organization,
            defaults={
                "registered_by": accounts.users[key],
                "attendees": attendees,
                "contact_name": contact,
                "contact_phone": phone,
                "note": "寻找当地建材分销与劳务合作伙伴",
            },
        )
    event_invite(event_id=event.pk)


def _organization(n: int, demo: Demo) -> Organization:
    org, _created = Organization.objects.update_or_create(
        credit_code=_code(n),
        defaults={
            "name": demo.name,
            "name_en": demo.name_en,
            "kind": OrganizationKind.SUPPLIER,
            "province": demo.province,
            "city": demo.city,
            "contact_email": f"contact{n}@supplier.example.cn",
            "verified_at": timezone.now(),
        },
    )
    return org


# The history each status has behind it: (action, days ago, with the comment).
HISTORY = {
    S.SUBMITTED: [(ReviewAction.SUBMITTED, 3, False)],
    S.UNDER_REVIEW: [(ReviewAction.SUBMITTED, 16, False), (ReviewAction.REVIEW_STARTED, 12, False)],
    S.RETURNED: [(ReviewAction.SUBMITTED, 20, False), (ReviewAction.RETURNED, 15, True)],
    S.APPROVED: [(ReviewAction.SUBMITTED, 200, False), (ReviewAction.APPROVED, 190, False)],
    S.REJECTED: [(ReviewAction.SUBMITTED, 60, False), (ReviewAction.REJECTED, 50, True)],
    S.SUSPENDED: [
        (ReviewAction.SUBMITTED, 300, False),
        (ReviewAction.APPROVED, 290, False),
        (ReviewAction.SUSPENDED, 10, True),
    ],
    S.REVOKED: [
        (ReviewAction.SUBMITTED, 400, False),
        (ReviewAction.APPROVED, 390, False),
        (ReviewAction.REVOKED, 30, True),
    ],
}


def _supplier(org: Organization, demo: Demo, *, official) -> Supplier:
    history = HISTORY[demo.status]
    submitted = _moment(history[0][1])
    sanctioned = demo.status in (S.SUSPENDED, S.REVOKED)
    today = timezone.localdate()
    supplier, _created = Supplier.objects.update_or_create(
        organization=org,
        defaults={
            "status": demo.status,
            "products": demo.products,
            "description": f"{demo.name}，专注服务“走出去”企业。",
            "capacity": "专业团队 50 人以上，具备海外项目服务经验。",
            "references": "近三年为多个海外工程项目提供产品与服务。",
            "contact_name": "业务部",
            "contact_phone": "027-87000000",
            "contact_email": org.contact_email,
            "stars": demo.stars,
            "submitted_at": submitted,
            "approved_at": _moment(history[1][1]) if demo.status in (S.APPROVED, S.SUSPENDED, S.REVOKED) else None,
            "sanction_from": today - dt.timedelta(days=history[-1][1]) if sanctioned else None,
            "sanction_until": today + dt.timedelta(days=3 * 365) if demo.status == S.REVOKED else None,
        },
    )
    supplier.categories.set(Category.objects.filter(code__in=demo.categories))
    supplier.countries_served.set(demo.countries)
    for action, days_ago, with_comment in history:
        SupplierReview.objects.get_or_create(
            supplier=supplier,
            action=action,
            defaults={
                "actor": official if action != ReviewAction.SUBMITTED else None,
                "comment": demo.comment if with_comment else "",
                "created_at": _moment(days_ago),
                "period_from": supplier.sanction_from
                if action in (ReviewAction.SUSPENDED, ReviewAction.REVOKED)
                else None,
                "period_until": supplier.sanction_until if action == ReviewAction.REVOKED else None,
            },
        )
    _certificates(supplier, demo)
    if demo.stars and not supplier.ratings.exists():
        scores = dict.fromkeys(
            ("qualification", "product_quality", "capacity", "overseas_experience", "compliance_credit"), demo.stars
        )
        SupplierRating.objects.create(supplier=supplier, stars=demo.stars, scores=scores, rated_by=official)
    return supplier


def _certificates(supplier: Supplier, demo: Demo) -> None:
    today = timezone.localdate()
    requirements = CategoryRequirement.objects.filter(category__code__in=demo.categories).prefetch_related("kinds")
    for n, requirement in enumerate(requirements):
        kind = requirement.kinds.first()
        if kind is None:
            continue
        number = f"{kind.code.upper()}-{supplier.organization_id:04d}-{n + 1}"
        if Certificate.objects.filter(supplier=supplier, kind=kind, number=number).exists():
            continue
        certificate = Certificate(
            supplier=supplier,
            kind=kind,
            number=number,
            issuer="湖北省市场监督管理局",
            valid_from=today - dt.timedelta(days=365),
            valid_until=today + dt.timedelta(days=demo.expires_in if n == 0 else 700),
        )
        certificate.file.save(f"{number}.pdf", ContentFile(pdf_bytes(number)), save=False)
        certificate.save()
