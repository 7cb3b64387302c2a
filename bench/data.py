"""Dataset generators for the figures, and raw database access for their references.

Rows are built fast: Django's `bulk_create` for the few thousand accounts a figure needs, and
PostgreSQL's COPY for the hundreds of thousands of rows a list is measured on. Every generator
is deterministic (seeded), so two runs measure the same data.
"""

from __future__ import annotations

import io
import json
import operator
import random
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg2
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from portal.choices import NotificationKind, OrganizationKind
from portal.models import Country, Membership, Notification, Organization, User
from portal.validators import CREDIT_CODE_CHARSET, credit_code_check_char
from projects.models import Project
from projects.search import search_text

BATCH = 2000
PROVINCES = ["湖北省", "湖南省", "广东省", "浙江省", "江苏省", "四川省", "山东省", "福建省"]
COUNTRIES = ["肯尼亚", "印度尼西亚", "越南", "哈萨克斯坦", "沙特阿拉伯", "巴西", "塞尔维亚", "老挝"]


def raw_connection(*, autocommit: bool) -> psycopg2.extensions.connection:
    """A psycopg2 connection of its own, with the parameters Django uses, for references."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    conn = psycopg2.connect(**params)
    conn.autocommit = autocommit
    return conn


def analyze(*models) -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum would in time."""
    with connection.cursor() as cur:
        for model in models:
            cur.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def truncate(*models) -> None:
    """Empty tables (and those that reference them) in one statement, outside any timing."""
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {tables} CASCADE")


def credit_code(n: int) -> str:
    """A unique credit code with a valid check character for serial number `n`."""
    body = "".join(CREDIT_CODE_CHARSET[(n // 31**i) % 31] for i in range(9))
    first17 = "91" + "110000" + body
    return first17 + credit_code_check_char(first17)


def organisations(count: int, *, webhook_share: float = 0.0, seed: int = 1) -> list[Organization]:
    """`count` enterprises; a `webhook_share` of them, spread evenly, have a webhook URL."""
    rng = random.Random(seed)
    with_webhook = round(count * webhook_share)
    now = timezone.now()
    orgs = [
        Organization(
            name=f"基准测试{rng.choice(PROVINCES)[:2]}国际工程有限公司{i}",
            name_en=f"Bench International Engineering Co., Ltd. {i}",
            kind=OrganizationKind.ENTERPRISE,
            credit_code=credit_code(seed * 1_000_000 + i),
            province=rng.choice(PROVINCES),
            city="",
            contact_email=f"contact{i}@bench.example.cn",
            webhook_url="",
            created_at=now,
        )
        for i in range(count)
    ]
    if with_webhook:
        step = count / with_webhook
        for k in range(with_webhook):
            orgs[int(k * step)].webhook_url = f"https://hooks.bench.example.cn/org/{int(k * step)}"
    return Organization.objects.bulk_create(orgs, batch_size=BATCH)


def members(count: int, *, organizations: Sequence[Organization], prefix: str = "bench") -> list[int]:
    """`count` active users with an e-mail address, dealt round the organisations. Their ids."""
    password = make_password(None)  # unusable: these accounts never sign in with a password
    now = timezone.now()
    users = User.objects.bulk_create(
        (
            User(
                username=f"{prefix}{i}",
                email=f"{prefix}{i}@bench.example.cn",
                display_name=f"测试用户{i}",
                password=password,
                date_joined=now,
            )
            for i in range(count)
        ),
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        (
            Membership(user_id=user.pk, organization_id=organizations[i % len(organizations)].pk, created_at=now)
            for i, user in enumerate(users)
        ),
        batch_size=BATCH,
    )
    return [user.pk for user in users]


def official(**permissions: bool) -> int:
    """The provincial commerce department's agency and one official of it (with `permissions`,
    e.g. can_review=True). The official's user id."""
    agency = Organization.objects.create(
        name="省商务厅对外投资和经济合作处",
        kind=OrganizationKind.AGENCY,
        credit_code=credit_code(9_000_000),
        province="湖北省",
        contact_email="agency@bench.example.cn",
    )
    (user_id,) = members(1, organizations=[agency], prefix="official")
    if permissions:
        Membership.objects.filter(user_id=user_id).update(**permissions)
    return user_id


# --- Notifications through COPY ------------------------------------------------------------

NOTIFICATION_COLUMNS = (
    "recipient_id",
    "kind",
    "title",
    "body",
    "title_en",
    "body_en",
    "url",
    "requires_ack",
    "dedupe_key",
    "created_at",
    "read_at",
    "acknowledged_at",
)
CREATED_AT = operator.itemgetter(NOTIFICATION_COLUMNS.index("created_at"))

_TITLES = {
    NotificationKind.PROJECT_REVIEW: "您提交的{country}项目备案已通过审核",
    NotificationKind.PROJECT_REPORT: "请在月底前提交{country}项目半年度报告",
    NotificationKind.SUPPLIER_REVIEW: "供应商入库申请审核结果通知",
    NotificationKind.MATCHMAKING: "邀请参加{country}市场对接会",
    NotificationKind.TRAINING: "境外安全管理培训报名通知",
    NotificationKind.RISK_ALERT: "{country}安全风险预警：请确认已知悉",
    NotificationKind.SYSTEM: "系统维护通知",
}
_TITLES_EN = {
    NotificationKind.PROJECT_REVIEW: "The filing of your project in {country} is approved",
    NotificationKind.PROJECT_REPORT: "Please file the half-yearly report of your {country} project by the month's end",
    NotificationKind.SUPPLIER_REVIEW: "The result of your supplier application",
    NotificationKind.MATCHMAKING: "Invitation to the {country} matchmaking meeting",
    NotificationKind.TRAINING: "Registration for the overseas safety training",
    NotificationKind.RISK_ALERT: "{country} security alert: please acknowledge",
    NotificationKind.SYSTEM: "Scheduled maintenance",
}
_BODY_EN = (
    "Under the Guidelines on Overseas Security Risk Prevention, please follow the security situation"
    " in {country}, protect your staff, and report any emergency to the authorities at once."
    " See the portal's notices for details."
)
_BODY = (
    "根据《对外投资合作境外安全风险防范指引》，请贵单位及时关注{country}当地安全形势，"
    "落实人员安全防护措施，如有突发情况请第一时间向主管部门报告。详情见平台公告。"
)


def notification_rows(
    recipient_id: int, count: int, *, end: datetime, span: timedelta = timedelta(days=730), seed: int = 1
) -> Iterator[tuple]:
    """`count` plausible notifications for one user, oldest first, evenly over `span` up to `end`.

    Roughly: one in seven is a risk alert that requires acknowledgement; everything older than
    the newest fifth is read; most read alerts are acknowledged. Merge several users' streams
    with `heapq.merge(..., key=CREATED_AT)` so that ids grow with time, as in production.
    """
    step = span / max(count, 1)
    rng = random.Random(seed)
    phase = step * rng.random()  # so that merged users' streams do not start and end in step
    kinds = list(_TITLES)
    unread_from = int(count * 0.8)
    for i in range(count):
        kind = kinds[rng.randrange(len(kinds))]
        country = rng.choice(COUNTRIES)
        created = end - phase - step * (count - 1 - i)
        requires_ack = kind == NotificationKind.RISK_ALERT
        read_at = created + timedelta(hours=2) if i < unread_from else None
        acknowledged_at = read_at if requires_ack and read_at and rng.random() < 0.9 else None
        yield (
            recipient_id,
            kind,
            _TITLES[kind].format(country=country),
            _BODY.format(country=country),
            _TITLES_EN[kind].format(country=country),
            _BODY_EN.format(country=country),
            f"/projects/{rng.randrange(1, 5000)}/",
            requires_ack,
            f"bench:{recipient_id}:{i}",
            created,
            read_at,
            acknowledged_at,
        )


def copy_notifications(rows: Iterable[tuple]) -> int:
    """COPY rows (in NOTIFICATION_COLUMNS order) into the notification table. How many."""
    return copy_rows(Notification._meta.db_table, NOTIFICATION_COLUMNS, rows)


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[tuple], chunk: int = 20_000) -> int:
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    total = 0
    buffer = io.StringIO()
    with connection.cursor() as cur:
        for total, row in enumerate(rows, 1):
            buffer.write("\t".join(_copy_value(v) for v in row))
            buffer.write("\n")
            if total % chunk == 0:
                _flush(cur, sql, buffer)
                buffer = io.StringIO()
        _flush(cur, sql, buffer)
    return total


def _flush(cur, sql: str, buffer: io.StringIO) -> None:
    if buffer.tell():
        buffer.seek(0)
        cur.copy_expert(sql, buffer)


def _copy_value(value: Any) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# --- The project library -------------------------------------------------------------------

# Countries with many Chinese projects, most first: code, the short name used in project names,
# and a few cities as Chinese=English. The other countries of a dataset get generic places.
_COUNTRY_TABLE = """
ID 印尼 雅加达=Jakarta|万隆=Bandung|泗水=Surabaya|棉兰=Medan|苏拉威西=Sulawesi
PK 巴基斯坦 卡拉奇=Karachi|拉合尔=Lahore|瓜达尔=Gwadar|伊斯兰堡=Islamabad
KE 肯尼亚 内罗毕=Nairobi|蒙巴萨=Mombasa|基苏木=Kisumu|拉穆=Lamu
ET 埃塞俄比亚 亚的斯亚贝巴=Addis Ababa|德雷达瓦=Dire Dawa|阿瓦萨=Hawassa|默克莱=Mekelle
NG 尼日利亚 拉各斯=Lagos|阿布贾=Abuja|卡诺=Kano|哈科特港=Port Harcourt
VN 越南 河内=Hanoi|胡志明市=Ho Chi Minh City|海防=Haiphong|岘港=Da Nang
MY 马来西亚 吉隆坡=Kuala Lumpur|槟城=Penang|关丹=Kuantan|新山=Johor Bahru
BD 孟加拉国 达卡=Dhaka|吉大港=Chittagong|帕德玛=Padma
KZ 哈萨克斯坦 阿斯塔纳=Astana|阿拉木图=Almaty|奇姆肯特=Shymkent
SA 沙特 利雅得=Riyadh|吉达=Jeddah|达曼=Dammam|吉赞=Jazan
EG 埃及 开罗=Cairo|亚历山大=Alexandria|苏伊士=Suez|新行政首都=New Administrative Capital
LA 老挝 万象=Vientiane|琅勃拉邦=Luang Prabang|磨丁=Boten
KH 柬埔寨 金边=Phnom Penh|西哈努克=Sihanoukville|暹粒=Siem Reap
DZ 阿尔及利亚 阿尔及尔=Algiers|奥兰=Oran|君士坦丁=Constantine
AO 安哥拉 罗安达=Luanda|本格拉=Benguela|洛比托=Lobito
TZ 坦桑尼亚 达累斯萨拉姆=Dar es Salaam|多多马=Dodoma|巴加莫约=Bagamoyo
AE 阿联酋 迪拜=Dubai|阿布扎比=Abu Dhabi
ZM 赞比亚 卢萨卡=Lusaka|恩多拉=Ndola|基特韦=Kitwe
TH 泰国 曼谷=Bangkok|罗勇=Rayong|清迈=Chiang Mai
PH 菲律宾 马尼拉=Manila|宿务=Cebu|达沃=Davao
LK 斯里兰卡 科伦坡=Colombo|汉班托塔=Hambantota
MM 缅甸 仰光=Yangon|曼德勒=Mandalay|皎漂=Kyaukphyu
RS 塞尔维亚 贝尔格莱德=Belgrade|诺维萨德=Novi Sad|斯梅代雷沃=Smederevo
UZ 乌兹别克斯坦 塔什干=Tashkent|撒马尔罕=Samarkand
BR 巴西 圣保罗=Sao Paulo|里约热内卢=Rio de Janeiro|贝洛奥里藏特=Belo Horizonte
AR 阿根廷 布宜诺斯艾利斯=Buenos Aires|胡胡伊=Jujuy|圣克鲁斯=Santa Cruz
MX 墨西哥 墨西哥城=Mexico City|蒙特雷=Monterrey|坎昆=Cancun
TR 土耳其 伊斯坦布尔=Istanbul|安卡拉=Ankara
MA 摩洛哥 卡萨布兰卡=Casablanca|丹吉尔=Tangier
GH 加纳 阿克拉=Accra|库马西=Kumasi
UG 乌干达 坎帕拉=Kampala|恩德培=Entebbe
CD 刚果（金） 金沙萨=Kinshasa|卢本巴希=Lubumbashi|科卢韦齐=Kolwezi
MZ 莫桑比克 马普托=Maputo|贝拉=Beira
ZW 津巴布韦 哈拉雷=Harare|布拉瓦约=Bulawayo
CL 智利 圣地亚哥=Santiago|安托法加斯塔=Antofagasta
HU 匈牙利 布达佩斯=Budapest|德布勒森=Debrecen
PE 秘鲁 利马=Lima|钱凯=Chancay
"""
PROJECT_COUNTRIES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    code: (short, [tuple(city.split("=")) for city in cities.split("|")])
    for code, short, cities in (line.split(" ", 2) for line in _COUNTRY_TABLE.strip().splitlines())
}
_DIRECTIONS = [
    ("首都", "{} Capital Region"),
    ("北部", "Northern {}"),
    ("南部", "Southern {}"),
    ("东部", "Eastern {}"),
    ("西部", "Western {}"),
    ("中部", "Central {}"),
    ("沿海", "Coastal {}"),
]
# What the projects build: Chinese, English, sector, weight.
_FACILITY_TABLE = """
公路|Highway|transport|6
高速公路|Expressway|transport|5
铁路|Railway|transport|5
城际铁路|Intercity Railway|transport|2
轻轨|Light Rail|transport|2
地铁|Metro Line|transport|1
港口|Port|transport|4
集装箱码头|Container Terminal|transport|2
国际机场|International Airport|transport|2
跨海大桥|Sea-crossing Bridge|transport|1
环城公路|Ring Road|transport|2
燃煤电站|Coal-fired Power Plant|power|3
燃气电站|Gas-fired Power Plant|power|2
水电站|Hydropower Station|power|4
光伏电站|Solar PV Plant|power|5
风电场|Wind Farm|power|4
输变电|Transmission and Substation|power|4
输电线路|Power Transmission Line|power|2
储能电站|Energy Storage Station|power|1
水厂|Water Treatment Plant|water|3
供水|Water Supply|water|2
灌溉|Irrigation|water|1
水库大坝|Reservoir Dam|water|1
污水处理厂|Wastewater Treatment Plant|municipal|2
市政道路|Municipal Roads|municipal|2
垃圾发电厂|Waste-to-Energy Plant|municipal|1
住宅|Housing|building|4
保障房|Affordable Housing|building|2
医院|Hospital|building|3
学校|School|building|3
大学城|University Campus|building|1
体育场|Stadium|building|1
会议中心|Convention Centre|building|1
商业综合体|Commercial Complex|building|1
工业园|Industrial Park|industrial|3
经济特区|Special Economic Zone|industrial|1
水泥厂|Cement Plant|industrial|2
钢铁厂|Steel Plant|industrial|1
炼油厂|Oil Refinery|petrochemical|1
化肥厂|Fertiliser Plant|petrochemical|1
输油管道|Oil Pipeline|petrochemical|1
天然气处理厂|Gas Processing Plant|petrochemical|1
光纤骨干网|Fibre Backbone Network|telecom|1
数据中心|Data Centre|telecom|1
移动通信网|Mobile Network|telecom|1
铜矿|Copper Mine|mining|1
锂矿|Lithium Mine|mining|1
金矿|Gold Mine|mining|1
汽车组装厂|Vehicle Assembly Plant|manufacturing|1
光伏组件厂|Solar Module Factory|manufacturing|1
纺织厂|Textile Mill|manufacturing|1
农业示范园|Agricultural Demonstration Park|agriculture|1
橡胶种植园|Rubber Plantation|agriculture|1
"""
FACILITIES = [
    (zh, en, sector, int(weight))
    for zh, en, sector, weight in (line.split("|") for line in _FACILITY_TABLE.strip().splitlines())
]
_QUALIFIERS = [("", "", 70), ("新", "New ", 10), ("第二", "Second ", 5), ("1号", "No. 1 ", 8), ("2号", "No. 2 ", 7)]
_PHASES = [
    ("", "", 40),
    ("一期", " Phase I", 15),
    ("二期", " Phase II", 12),
    ("三期", " Phase III", 5),
    ("扩建", " Expansion", 12),
    ("改造", " Rehabilitation", 10),
    ("升级改造", " Upgrade", 6),
]
_SUFFIXES = [("项目", " Project", 60), ("工程", " Works", 30), ("", "", 10)]
_LOCATION_SUFFIXES = ["", "", "", "", "新区", "港区", "工业区", "近郊"]
# (stage, weight) and (filing status, weight): most projects are filed and approved.
_STAGES = [("intended", 8), ("tracking", 7), ("signed", 12), ("under_construction", 30), ("completed", 18),
           ("operating", 20), ("suspended", 5)]  # fmt: skip
_STATUSES = [("approved", 85), ("submitted", 5), ("draft", 4), ("returned", 3), ("withdrawn", 3)]
_MODELS = ["epc", "general_contracting", "subcontracting", "design_consulting", "labour_cooperation", "ppp", "bot",
           "greenfield", "merger_acquisition", "equity"]  # fmt: skip
_CURRENCIES = [("USD", "1", 80), ("EUR", "1.08", 10), ("CNY", "0.14", 10)]

PROJECT_COLUMNS = (
    "organization_id",
    "name",
    "name_en",
    "country_id",
    "location",
    "sector",
    "business_model",
    "stage",
    "contract_value",
    "currency",
    "contract_value_usd",
    "start_date",
    "planned_completion",
    "chinese_staff",
    "local_staff",
    "embassy_registered",
    "embassy_registered_on",
    "description",
    "filing_status",
    "submitted_at",
    "approved_at",
    "search_text",
    "created_at",
    "updated_at",
)


def load_countries() -> list[str]:
    """(Re)load the ISO countries that migration portal 0002 seeds (`flush` empties the table)."""
    rows = json.loads((Path(__file__).resolve().parent.parent / "portal/data/countries.json").read_text("utf-8"))
    Country.objects.bulk_create([Country(**row) for row in rows], ignore_conflicts=True)
    return [row["code"] for row in rows]


def project_countries(count: int, *, seed: int = 1) -> list[str]:
    """`count` country codes, the ones with most Chinese projects first (needs `load_countries`)."""
    codes = list(PROJECT_COUNTRIES)
    others = sorted(set(Country.objects.values_list("code", flat=True)) - set(codes))
    random.Random(seed).shuffle(others)
    return (codes + others)[:count]


def project_rows(
    count: int, *, organization_ids: Sequence[int], countries: Sequence[str], end: datetime, seed: int = 1
) -> Iterator[tuple]:
    """`count` projects (PROJECT_COLUMNS order), oldest first, over eight years up to `end`.

    Countries follow a Zipf-like spread (the first has about 8% of the projects at 150
    countries); names are composed as enterprises write them (肯尼亚蒙巴萨港口扩建项目),
    with an English name and the place; 85% are approved; `search_text` is what the services
    store (projects.search.search_text).
    """
    rng = random.Random(seed)
    names = dict(Country.objects.filter(code__in=countries).values_list("code", "name_zh"))
    names_en = dict(Country.objects.filter(code__in=countries).values_list("code", "name_en"))
    places: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for code in countries:
        if code in PROJECT_COUNTRIES:
            places[code] = PROJECT_COUNTRIES[code]
        else:
            places[code] = ("", [(names[code] + zh, en.format(names_en[code])) for zh, en in _DIRECTIONS])
    country_weights = [1 / (rank + 3) for rank in range(len(countries))]
    facility_weights = [f[3] for f in FACILITIES]
    step = timedelta(days=8 * 365) / max(count, 1)
    start = end - step * count
    today = end.date()

    def pick(options):
        return rng.choices(options, weights=[o[-1] for o in options])[0]

    for i in range(count):
        code = rng.choices(countries, weights=country_weights)[0]
        short, cities = places[code]
        city, city_en = rng.choice(cities)
        facility, facility_en, sector, _w = rng.choices(FACILITIES, weights=facility_weights)[0]
        qualifier, qualifier_en, _w = pick(_QUALIFIERS)
        phase, phase_en, _w = pick(_PHASES)
        suffix, suffix_en, _w = pick(_SUFFIXES)
        prefix = short if short and rng.random() < 0.5 else ""
        name = f"{prefix}{city}{qualifier}{facility}{phase}{suffix}"
        name_en = f"{city_en} {qualifier_en}{facility_en}{phase_en}{suffix_en}" if rng.random() < 0.9 else ""
        location = city + rng.choice(_LOCATION_SUFFIXES)
        created = start + step * i
        stage = pick(_STAGES)[0]
        status = pick(_STATUSES)[0]
        if rng.random() < 0.05:
            value = currency = usd = None
        else:
            currency, rate, _w = pick(_CURRENCIES)
            value = Decimal(round(rng.lognormvariate(17.7, 1.2), 2)).quantize(Decimal("0.01"))
            usd = (value * Decimal(rate)).quantize(Decimal("0.01"))
        start_date = (created + timedelta(days=rng.randrange(30, 400))).date()
        completion = start_date + timedelta(days=rng.randrange(365, 5 * 365))
        registered = stage in ("under_construction", "completed", "operating") and rng.random() < 0.7
        registered_on = min(start_date + timedelta(days=rng.randrange(0, 60)), today) if registered else None
        submitted = min(created + timedelta(days=rng.randrange(1, 30)), end) if status != "draft" else None
        approved = min(submitted + timedelta(days=rng.randrange(3, 40)), end) if status == "approved" else None
        yield (
            organization_ids[rng.randrange(len(organization_ids))],
            name,
            name_en,
            code,
            location,
            sector,
            rng.choice(_MODELS),
            stage,
            value,
            currency or "",
            usd,
            start_date,
            completion,
            rng.randrange(0, 400),
            rng.randrange(0, 3000),
            registered,
            registered_on,
            f"{name}位于{location}，由我省企业承建，建设内容包括{facility}主体工程及配套设施。",
            status,
            submitted,
            approved,
            search_text(name, name_en, location),
            created,
            approved or submitted or created,
        )


def copy_projects(rows: Iterable[tuple]) -> int:
    """COPY rows (in PROJECT_COLUMNS order) into the project table. How many."""
    return copy_rows(Project._meta.db_table, PROJECT_COLUMNS, rows)


def vacuum_analyze(*models) -> None:
    """VACUUM ANALYZE after a bulk load, as autovacuum would in time: statistics, the visibility
    map (index-only scans) and GIN's pending list merged into the index."""
    with connection.cursor() as cur:
        for model in models:
            cur.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
