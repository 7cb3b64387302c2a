"""Dataset generators for the figures, and raw database access for their references.

Rows are built fast: Django's `bulk_create` for the few thousand accounts a figure needs, and
PostgreSQL's COPY for the hundreds of thousands of rows a list is measured on. Every generator
is deterministic (seeded), so two runs measure the same data.
"""

from __future__ import annotations

import io
import operator
import random
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import psycopg2
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from portal.choices import NotificationKind, OrganizationKind
from portal.models import Membership, Notification, Organization, User
from portal.validators import CREDIT_CODE_CHARSET, credit_code_check_char

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


# --- Notifications through COPY ------------------------------------------------------------

NOTIFICATION_COLUMNS = (
    "recipient_id",
    "kind",
    "title",
    "body",
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
