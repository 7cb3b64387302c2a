"""Demo projects for `manage.py seed_demo` (idempotent: update_or_create on organisation + name).

Thirty-one projects of the two demo enterprises, a Hubei firm (湖北楚天国际工程) and a Changsha one
(长沙湘江海外建设集团), in Africa, Southeast and Central Asia, the Middle East and Latin America,
in every stage and filing status, valued in local currencies at the exchange-rate table; their
filing history, half-yearly reports for the approved ones that are under way, embassy
registrations; and the current year's open survey of intended projects.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from portal.models import Country

from . import emergency_demo, services
from .choices import FilingStatus, ReviewAction, Stage
from .models import IntendedProjectSurvey, Project, ProjectReport, ProjectReview, ProjectStageChange
from .search import search_text


class Demo(NamedTuple):
    org: str  # accounts.organizations key
    name: str
    name_en: str
    country: str
    location: str
    sector: str
    model: str
    stage: str
    currency: str
    value: int | None  # in `currency`
    start: dt.date | None
    completion: dt.date | None
    chinese: int
    local: int
    status: str
    description: str


D = dt.date
PROJECTS = [
    # 湖北楚天国际工程有限公司
    Demo("enterprise", "蒙巴萨港扩建工程（二期）", "Mombasa Port Expansion Phase II", "KE", "蒙巴萨", "transport",
         "epc", Stage.UNDER_CONSTRUCTION, "KES", 48_000_000_000, D(2023, 9, 1), D(2027, 6, 30), 260, 2_100,
         FilingStatus.APPROVED, "新建3个集装箱泊位、堆场及配套道路，设计年吞吐能力120万标箱。"),
    Demo("enterprise", "亚的斯亚贝巴环城公路改造工程", "Addis Ababa Ring Road Upgrade", "ET", "亚的斯亚贝巴",
         "transport", "general_contracting", Stage.COMPLETED, "ETB", 21_000_000_000, D(2021, 3, 1), D(2024, 12, 31),
         120, 1_600, FilingStatus.APPROVED, "环城公路拓宽至双向八车道，新建立交桥4座。"),
    Demo("enterprise", "雅万高铁配套站场工程", "Jakarta–Bandung HSR Station Works", "ID", "万隆", "transport",
         "subcontracting", Stage.COMPLETED, "IDR", 3_900_000_000_000, D(2020, 6, 1), D(2023, 9, 30), 180, 950,
         FilingStatus.APPROVED, "德卡鲁尔站及帕达拉朗站站场、雨棚和旅客地道工程。"),
    Demo("enterprise", "中老铁路万象站房及配套工程", "Vientiane Station, China–Laos Railway", "LA", "万象",
         "building", "epc", Stage.OPERATING, "LAK", 2_600_000_000_000, D(2019, 5, 1), D(2021, 11, 30), 90, 640,
         FilingStatus.APPROVED, "万象站房、站前广场及运营期维护。"),
    Demo("enterprise", "阿斯塔纳轻轨配套工程", "Astana LRT Associated Works", "KZ", "阿斯塔纳", "transport", "epc",
         Stage.UNDER_CONSTRUCTION, "KZT", 104_000_000_000, D(2024, 4, 15), D(2026, 12, 31), 150, 700,
         FilingStatus.APPROVED, "车辆段、两座高架车站及供电系统。"),
    Demo("enterprise", "塔什干热电站改扩建工程", "Tashkent CHP Plant Expansion", "UZ", "塔什干", "power", "epc",
         Stage.SIGNED, "UZS", 3_150_000_000_000, D(2026, 3, 1), D(2028, 10, 31), 60, 300, FilingStatus.SUBMITTED,
         "新增2×230MW燃气-蒸汽联合循环机组。"),
    Demo("enterprise", "利雅得住宅项目（一期）", "Riyadh Housing Project Phase I", "SA", "利雅得", "building",
         "general_contracting", Stage.TRACKING, "SAR", 1_650_000_000, None, None, 0, 0, FilingStatus.DRAFT,
         "约3000套住宅及社区配套，正在参与资格预审。"),
    Demo("enterprise", "迪拜光伏电站配套升压站", "Dubai Solar Park Substation", "AE", "迪拜", "power", "epc",
         Stage.INTENDED, "AED", 1_100_000_000, None, None, 0, 0, FilingStatus.DRAFT,
         "穆罕默德·本·拉希德太阳能园区七期配套400kV升压站。"),
    Demo("enterprise", "圣保罗地铁6号线土建标段", "São Paulo Metro Line 6 Civil Works", "BR", "圣保罗", "transport",
         "subcontracting", Stage.UNDER_CONSTRUCTION, "BRL", 1_800_000_000, D(2023, 2, 1), D(2026, 8, 31), 70, 1_200,
         FilingStatus.APPROVED, "盾构区间及两座地下车站主体结构。"),
    Demo("enterprise", "秘鲁钱凯港配套物流园", "Chancay Port Logistics Park", "PE", "钱凯", "transport", "ppp",
         Stage.SIGNED, "PEN", 640_000_000, D(2026, 1, 10), D(2028, 6, 30), 40, 350, FilingStatus.RETURNED,
         "钱凯港后方物流园区，含冷链仓储和集疏运道路。"),
    Demo("enterprise", "内罗毕供水管网改造项目", "Nairobi Water Network Rehabilitation", "KE", "内罗毕", "water",
         "epc", Stage.SUSPENDED, "KES", 9_500_000_000, D(2022, 7, 1), D(2025, 6, 30), 35, 420, FilingStatus.APPROVED,
         "业主资金未到位，2025年3月起暂停施工。"),
    Demo("enterprise", "达累斯萨拉姆区域医院", "Dar es Salaam Regional Hospital", "TZ", "达累斯萨拉姆", "building",
         "general_contracting", Stage.INTENDED, "TZS", 210_000_000_000, None, None, 0, 0, FilingStatus.WITHDRAWN,
         "500床位综合医院，业主调整建设规模后重新报送。"),
    Demo("enterprise", "金边—西哈努克港高速公路服务区", "Phnom Penh–Sihanoukville Expressway Service Areas", "KH",
         "磅士卑", "transport", "subcontracting", Stage.TRACKING, "KHR", 180_000_000_000, None, None, 0, 0,
         FilingStatus.DRAFT, "沿线4处服务区房建及加油站工程。"),
    Demo("enterprise", "拉各斯莱基深水港配套道路", "Lekki Deep Sea Port Access Road", "NG", "拉各斯", "transport",
         "epc", Stage.SIGNED, "NGN", 150_000_000_000, D(2026, 2, 1), D(2027, 12, 31), 55, 800, FilingStatus.SUBMITTED,
         "港区疏港道路及跨海湾桥梁。"),
    Demo("enterprise", "胡志明市光伏组件工厂", "Ho Chi Minh City PV Module Plant", "VN", "平阳省", "manufacturing",
         "greenfield", Stage.OPERATING, "VND", 2_600_000_000_000, D(2022, 1, 1), D(2023, 6, 30), 45, 1_300,
         FilingStatus.APPROVED, "年产2GW光伏组件，绿地投资。"),
    # 长沙湘江海外建设集团有限公司
    Demo("enterprise2", "比什凯克市政道路改造工程", "Bishkek Municipal Roads Rehabilitation", "KG", "比什凯克",
         "municipal", "epc", Stage.UNDER_CONSTRUCTION, "KGS", 5_200_000_000, D(2024, 5, 1), D(2026, 10, 31), 80, 450,
         FilingStatus.APPROVED, "城市主干道改造约60公里，含排水和照明。"),
    Demo("enterprise2", "杜尚别2号热电厂二期", "Dushanbe CHP-2 Phase II", "TJ", "杜尚别", "power", "epc",
         Stage.COMPLETED, "TJS", 3_500_000_000, D(2020, 4, 1), D(2024, 10, 31), 210, 520, FilingStatus.APPROVED,
         "2×150MW燃煤热电联产机组。"),
    Demo("enterprise2", "利雅得地铁站点装修工程", "Riyadh Metro Station Fit-out", "SA", "利雅得", "building",
         "subcontracting", Stage.COMPLETED, "SAR", 280_000_000, D(2021, 9, 1), D(2024, 6, 30), 65, 380,
         FilingStatus.APPROVED, "6座地铁站精装修及机电安装。"),
    Demo("enterprise2", "内罗毕东部外环路改扩建工程", "Nairobi Eastern Bypass Upgrade", "KE", "内罗毕", "transport",
         "epc", Stage.UNDER_CONSTRUCTION, "KES", 16_500_000_000, D(2024, 8, 1), D(2027, 3, 31), 75, 900,
         FilingStatus.APPROVED, "外环路约27公里拓宽为双向六车道，新建互通立交2座。"),
    Demo("enterprise2", "多哈体育场周边市政工程", "Doha Stadium Precinct Works", "QA", "多哈", "municipal",
         "general_contracting", Stage.OPERATING, "QAR", 420_000_000, D(2019, 10, 1), D(2022, 8, 31), 30, 260,
         FilingStatus.APPROVED, "周边道路、景观及运营期维护。"),
    Demo("enterprise2", "马来西亚东海岸铁路配套工程", "East Coast Rail Link Associated Works", "MY", "关丹",
         "transport", "subcontracting", Stage.UNDER_CONSTRUCTION, "MYR", 900_000_000, D(2024, 1, 15), D(2027, 3, 31),
         95, 700, FilingStatus.SUBMITTED, "关丹段路基及三座车站。"),
    Demo("enterprise2", "曼谷素万那普机场扩建配套", "Suvarnabhumi Airport Expansion Works", "TH", "曼谷", "building",
         "epc", Stage.SIGNED, "THB", 4_800_000_000, D(2026, 4, 1), D(2028, 12, 31), 40, 600, FilingStatus.RETURNED,
         "卫星厅配套用房及捷运连接通道。"),
    Demo("enterprise2", "雅加达供水厂BOT项目", "Jakarta Water Treatment Plant BOT", "ID", "雅加达", "water", "bot",
         Stage.OPERATING, "IDR", 2_300_000_000_000, D(2018, 8, 1), D(2020, 12, 31), 25, 180, FilingStatus.APPROVED,
         "日处理能力40万吨，特许经营期25年。"),
    Demo("enterprise2", "利马环城高速养护项目", "Lima Beltway Maintenance", "PE", "利马", "transport",
         "general_contracting", Stage.TRACKING, "PEN", 95_000_000, None, None, 0, 0, FilingStatus.DRAFT,
         "五年期道路养护合同，跟踪中。"),
    Demo("enterprise2", "阿塔卡马光伏电站", "Atacama Solar Power Plant", "CL", "安托法加斯塔", "power", "epc",
         Stage.INTENDED, "CLP", 160_000_000_000, None, None, 0, 0, FilingStatus.DRAFT,
         "200MW光伏电站，业主询价阶段。"),
    Demo("enterprise2", "墨西哥城地铁1号线改造", "Mexico City Metro Line 1 Modernisation", "MX", "墨西哥城",
         "transport", "subcontracting", Stage.INTENDED, "MXN", 2_100_000_000, None, None, 0, 0,
         FilingStatus.WITHDRAWN, "轨道及供电系统改造分包，已撤回待补充联合体协议。"),
    Demo("enterprise2", "埃及新行政首都住宅项目", "New Administrative Capital Housing", "EG", "新行政首都",
         "building", "general_contracting", Stage.UNDER_CONSTRUCTION, "EGP", 9_800_000_000, D(2023, 11, 1),
         D(2026, 12, 31), 140, 2_400, FilingStatus.APPROVED, "20栋高层住宅及配套公建。"),
    Demo("enterprise2", "阿尔及利亚水泥厂并购项目", "Algeria Cement Plant Acquisition", "DZ", "比斯克拉",
         "manufacturing", "merger_acquisition", Stage.OPERATING, "DZD", 12_000_000_000, D(2022, 3, 1), None, 20, 650,
         FilingStatus.APPROVED, "收购当地水泥厂51%股权并技改。"),
    Demo("enterprise2", "罗安达港码头改造工程", "Luanda Port Terminal Rehabilitation", "AO", "罗安达", "transport",
         "epc", Stage.SUSPENDED, "AOA", 160_000_000_000, D(2021, 5, 1), D(2025, 12, 31), 30, 300,
         FilingStatus.APPROVED, "因业主融资调整暂停。"),
    Demo("enterprise2", "基加利供水项目", "Kigali Water Supply Project", "RW", "基加利", "water", "epc", Stage.SIGNED,
         "RWF", 70_000_000_000, D(2026, 5, 1), D(2028, 4, 30), 25, 260, FilingStatus.SUBMITTED,
         "新建水厂及输水管线。"),
    Demo("enterprise2", "赞比亚铜矿选矿厂", "Zambia Copper Concentrator", "ZM", "基特韦", "mining", "equity",
         Stage.OPERATING, "ZMW", 1_900_000_000, D(2020, 2, 1), D(2021, 12, 31), 35, 900, FilingStatus.APPROVED,
         "参股30%，负责选矿厂建设与运营管理。"),
    Demo("enterprise2", "吉隆坡综合医院扩建（意向）", "Kuala Lumpur Hospital Extension", "MY", "吉隆坡", "building",
         "general_contracting", Stage.INTENDED, "", None, None, None, 0, 0, FilingStatus.DRAFT,
         "意向项目，金额待定。"),
]  # fmt: skip

ON_SITE = (Stage.UNDER_CONSTRUCTION, Stage.COMPLETED, Stage.OPERATING, Stage.SUSPENDED)
RETURN_COMMENTS = {
    "秘鲁钱凯港配套物流园": "请补充PPP项目协议及当地政府批复文件。",
    "曼谷素万那普机场扩建配套": "合同金额与所附合同不一致，请核实后重新提交。",
}


def _moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _filed_on(demo: Demo) -> dt.date:
    """When the demo project was (or would have been) submitted: before its start."""
    return (demo.start or D(2026, 9, 1)) - dt.timedelta(days=45)


def seed(*, accounts, stdout) -> None:
    official = accounts.users["official"]
    countries = Country.objects.in_bulk([d.country for d in PROJECTS])
    reports = 0
    for demo in PROJECTS:
        organization = accounts.organizations[demo.org]
        actor = accounts.users[demo.org]
        value = Decimal(demo.value) if demo.value is not None else None
        filed = _filed_on(demo)
        status = demo.status
        # Staff on site register with the embassy (报到登记) before they start work.
        on_site = demo.stage in ON_SITE and demo.chinese and demo.start
        registered = demo.start - dt.timedelta(days=20) if on_site else None
        project, _created = Project.objects.update_or_create(
            organization=organization,
            name=demo.name,
            defaults={
                "name_en": demo.name_en,
                "country": countries[demo.country],
                "location": demo.location,
                "sector": demo.sector,
                "business_model": demo.model,
                "stage": demo.stage,
                "contract_value": value,
                "currency": demo.currency,
                "contract_value_usd": services.to_usd(value, demo.currency),
                "start_date": demo.start,
                "planned_completion": demo.completion,
                "chinese_staff": demo.chinese,
                "local_staff": demo.local,
                "embassy_registered": registered is not None,
                "embassy_registered_on": registered,
                "description": demo.description,
                "filing_status": status,
                "submitted_at": _moment(filed) if status != FilingStatus.DRAFT else None,
                "approved_at": _moment(filed + dt.timedelta(days=6), 15) if status == FilingStatus.APPROVED else None,
                "search_text": search_text(demo.name, demo.name_en, demo.location),
                "created_by": actor,
                "created_at": _moment(filed - dt.timedelta(days=10), 9),
            },
        )
        _history(project, demo, actor=actor, official=official, filed=filed)
        if status == FilingStatus.APPROVED and demo.start:
            reports += _reports(project, demo, actor=actor)
    survey = _survey(official)
    stdout.write(f"  projects: {len(PROJECTS)} projects, {reports} half-yearly reports, the {survey.year} survey")
    emergency_demo.seed(accounts=accounts, stdout=stdout)


def _history(project: Project, demo: Demo, *, actor, official, filed: dt.date) -> None:
    """The filing steps and the first stage of a demo project, written once."""
    if not project.stage_changes.exists():
        ProjectStageChange.objects.create(
            project=project, from_stage="", to_stage=demo.stage, actor=actor, changed_at=project.created_at
        )
    if project.reviews.exists() or demo.status == FilingStatus.DRAFT:
        return
    steps = [(ReviewAction.SUBMITTED, actor, "", filed)]
    decided = filed + dt.timedelta(days=6)
    if demo.status == FilingStatus.APPROVED:
        steps.append((ReviewAction.APPROVED, official, "材料齐全，予以备案。", decided))
    elif demo.status == FilingStatus.RETURNED:
        steps.append((ReviewAction.RETURNED, official, RETURN_COMMENTS.get(demo.name, "请补充材料。"), decided))
    elif demo.status == FilingStatus.WITHDRAWN:
        steps.append((ReviewAction.WITHDRAWN, actor, "", filed + dt.timedelta(days=2)))
    for action, who, comment, day in steps:
        ProjectReview.objects.create(
            project=project, action=action, actor=who, comment=comment, created_at=_moment(day)
        )


def _halves_reported(start: dt.date, end: dt.date | None) -> list[tuple[int, int]]:
    """The half-years from 2024 on that the project was running and that have ended."""
    today = timezone.localdate()
    last = (today.year, 1) if today.month >= 7 else (today.year - 1, 2)
    halves = []
    for year in range(2024, last[0] + 1):
        for half in (1, 2):
            begins = D(year, 1 if half == 1 else 7, 1)
            ends = D(year, 6, 30) if half == 1 else D(year, 12, 31)
            if (year, half) <= last and start <= ends and (end is None or begins <= end):
                halves.append((year, half))
    return halves


def _reports(project: Project, demo: Demo, *, actor) -> int:
    halves = _halves_reported(demo.start, demo.completion if demo.stage != Stage.OPERATING else None)
    if not halves or project.contract_value_usd is None:
        return 0
    share = Decimal("0.05") + Decimal(len(demo.name) % 5) / 100  # 5–9 % of the contract a half-year
    for number, (year, half) in enumerate(halves):
        ProjectReport.objects.update_or_create(
            project=project,
            year=year,
            half=half,
            defaults={
                "revenue_usd": (project.contract_value_usd * share * (1 + Decimal(number) / 10)).quantize(
                    Decimal("0.01")
                ),
                "new_contracts_usd": Decimal(0) if number else (project.contract_value_usd / 20).quantize(Decimal(1)),
                "chinese_staff": demo.chinese,
                "local_staff": demo.local,
                "notes": "按期填报。" if demo.stage != Stage.SUSPENDED else "项目暂停期间仅留守人员。",
                "created_by": actor,
            },
        )
    return len(halves)


def _survey(official) -> IntendedProjectSurvey:
    """The current year's survey, open now (opened through the service once: it is announced)."""
    today = timezone.localdate()
    survey = IntendedProjectSurvey.objects.filter(year=today.year).first()
    if survey is None:
        survey = services.survey_open(
            actor=official,
            year=today.year,
            opens_on=today - dt.timedelta(days=7),
            closes_on=today + dt.timedelta(days=30),
        )
    return survey
