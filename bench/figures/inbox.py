"""The inbox list endpoint: a fixed number of queries at any page size, and ≤ 3× raw SQL.

What is timed
  subject    `GET /api/v1/notifications/?page_size=50` through DRF's APIClient, end to end: the
             whole middleware stack, token authentication (one query: token, user, membership and
             organisation, portal/api/authentication.py), the filter backends,
             cursor pagination (the page's statement compiled once per request shape and
             then remembered, portal/api/statements.py, as a server runs it), the serializer
             and the JSON renderer. Three positions: the first
             page; page 101 (reached by following `next` 100 times, outside the timing); and the
             last page (a cursor built for the oldest 50 rows).
  reference  on its own psycopg2 connection (autocommit): the same SELECT of the nine columns
             a Chinese request reads, `WHERE recipient_id = %s [AND id < %s] ORDER BY id DESC
             LIMIT 51`, fetchall, then dicts with the datetimes in the current time zone as ISO
             8601 strings, the `next` cursor, and `json.dumps` to UTF-8 bytes: what the endpoint
             answers, without HTTP, authentication or DRF.
  flat       page 101 and the last page against the first page: a cursor page should cost the
             same at any depth.
  floor      a token-authenticated DRF view that answers an empty page (bench/urls.py): the
             fixed cost of any API request here, to read the others against.
Query counts are captured at page sizes 1, 50 and 200 on the first page, and on the deep page.
All eight are timed call by call in turn (ctx.compare); each sample is the mean of 20 calls of
each. The inbox owner has 50,000 notifications, interleaved in the table with the 50,000 that
100 other users have between them.
"""

from __future__ import annotations

import base64
import heapq
import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import psycopg2.extensions
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bench import data
from bench.core import Context, Figure, Row
from portal.models import Membership, Notification, Organization, User

OWN = 50_000
OTHERS = 100
OTHERS_TOTAL = 50_000
PAGE_SIZE = 50
DEEP_PAGE = 101  # reached by following `next` 100 times
QUERY_PAGE_SIZES = (1, 50, 200)
INNER = 20  # requests per sample
MAX_RATIO = 3.0
MAX_FLAT = 1.5
PATH = "/api/v1/notifications/"
FLOOR = "/api/bench/floor/"
# A Chinese request's columns: the endpoint reads the English texts for English requests only.
COLUMNS = ("id", "kind", "title", "body", "url", "requires_ack", "created_at", "read_at", "acknowledged_at")
SQL_FIRST = f"SELECT {', '.join(COLUMNS)} FROM portal_notification WHERE recipient_id = %s ORDER BY id DESC LIMIT %s"
SQL_AFTER = (
    f"SELECT {', '.join(COLUMNS)} FROM portal_notification "
    "WHERE recipient_id = %s AND id < %s ORDER BY id DESC LIMIT %s"
)


@dataclass
class State:
    user_id: int
    token: str
    client: APIClient
    conn: psycopg2.extensions.connection
    own: int
    deep_page: int
    deep_url: str
    deep_before: int  # the id the deep page's cursor points at
    last_url: str
    last_before: int


def setup(ctx: Context) -> State:
    (org,) = data.organisations(1)
    user_id, *others = data.members(1 + OTHERS, organizations=[org], prefix="inbox")
    own = ctx.n(OWN, minimum=3 * PAGE_SIZE)
    per_other = max(1, ctx.n(OTHERS_TOTAL) // len(others))
    end = timezone.now()
    # Everyone's notifications over the same two years, merged by time: the owner's rows are
    # spread through the table among the others', and ids grow with time, as in production.
    streams = [data.notification_rows(user_id, own, end=end, seed=user_id)]
    streams += [data.notification_rows(other, per_other, end=end, seed=other) for other in others]
    data.copy_notifications(heapq.merge(*streams, key=data.CREATED_AT))
    data.analyze(User, Membership, Organization, Notification)

    token = Token.objects.create(user_id=user_id)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    # Page 101: follow `next` from the first page, as a client scrolling the inbox would.
    deep_page = min(DEEP_PAGE, own // PAGE_SIZE - 1)
    url = f"{PATH}?page_size={PAGE_SIZE}"
    for _ in range(deep_page - 1):
        url = _get(client, url)["next"]
    # The last page: a cursor positioned just before the oldest PAGE_SIZE rows.
    ids = Notification.objects.filter(recipient_id=user_id).order_by("id").values_list("id", flat=True)
    last_before = ids[PAGE_SIZE]
    cursor = base64.b64encode(urlencode({"p": last_before}).encode()).decode()
    last_url = f"{PATH}?{urlencode({'cursor': cursor, 'page_size': PAGE_SIZE})}"
    assert _get(client, last_url)["next"] is None
    return State(
        user_id=user_id,
        token=token.key,
        client=client,
        conn=data.raw_connection(autocommit=True),
        own=own,
        deep_page=deep_page,
        deep_url=url,
        deep_before=_cursor_position(url),
        last_url=last_url,
        last_before=last_before,
    )


def measure(ctx: Context, state: State) -> list[Row]:
    first_url = f"{PATH}?page_size={PAGE_SIZE}"
    counts = {
        size: len(ctx.queries(lambda s=size: _request(state.client, f"{PATH}?page_size={s}")))
        for size in QUERY_PAGE_SIZES
    }
    deep_queries = len(ctx.queries(lambda: _request(state.client, state.deep_url)))
    fixed = len(set(counts.values())) == 1
    counted = " / ".join(str(n) for n in counts.values())
    sizes = "/".join(str(s) for s in QUERY_PAGE_SIZES)
    breakdown = ctx.breakdown(lambda: _request(state.client, first_url))
    plan = _plan(state)

    with override_settings(ROOT_URLCONF="bench.urls"):
        first, first_ref, first_auth_ref, deep, deep_ref, last, last_ref, floor = ctx.compare(
            lambda: _request(state.client, first_url),
            lambda: raw_page(state, None),
            lambda: raw_page(state, None, authenticate=True),
            lambda: _request(state.client, state.deep_url),
            lambda: raw_page(state, state.deep_before),
            lambda: _request(state.client, state.last_url),
            lambda: raw_page(state, state.last_before),
            lambda: _request(state.client, FLOOR),
            inner=INNER,
            label="inbox first page",
        )
    state.conn.close()

    return [
        Row(
            label=f"inbox page 1 (page_size={PAGE_SIZE})",
            samples=first,
            reference=first_ref,
            max_ratio=MAX_RATIO,
            queries=f"page_size {sizes}: {counted}",
            checks={"queries fixed": fixed},
            notes=[
                f"subject: GET {first_url} via APIClient with a token, {state.own:,} notifications in the inbox",
                "reference: psycopg2 SELECT of the 9 columns a Chinese request reads ... ORDER BY id DESC LIMIT 51, "
                "fetchall, "
                "dicts with local-time ISO datetimes, next cursor, json.dumps to bytes (no HTTP, auth or DRF); "
                f"plan: {plan}",
                f"queries per request at page_size {sizes}: {counted} ({'equal' if fixed else 'NOT equal'})",
                f"where the request's time goes, {breakdown}",
            ],
        ),
        Row(
            label="inbox page 1 vs raw incl. token query",
            samples=first,
            reference=first_auth_ref,
            notes=[
                "reference: the token query the API runs (token JOIN user LEFT JOIN membership and organisation), "
                "then the page as above"
            ],
        ),
        Row(
            label=f"inbox page {state.deep_page} (followed next)",
            samples=deep,
            reference=deep_ref,
            max_ratio=MAX_RATIO,
            queries=str(deep_queries),
        ),
        Row(
            label=f"inbox last page (row {state.own - PAGE_SIZE + 1:,})",
            samples=last,
            reference=last_ref,
            max_ratio=MAX_RATIO,
        ),
        Row(
            label=f"flat: page {state.deep_page} vs page 1",
            samples=deep,
            reference=first,
            max_ratio=MAX_FLAT,
            checks={"same queries": deep_queries == counts[PAGE_SIZE]},
            notes=["both through the API; the reference column is page 1 here"],
        ),
        Row(label="flat: last page vs page 1", samples=last, reference=first, max_ratio=MAX_FLAT),
        Row(
            label="floor: no-op API request (token)",
            samples=floor,
            reference=first_ref,
            notes=[
                f"GET {FLOOR} (bench/urls.py): same middleware, DRF dispatch and token query, an empty page; "
                "the reference column is the raw page 1 (the projects figure prints the anonymous floors)"
            ],
        ),
        Row(
            label="inbox page 1 above the floor",
            samples=[page - base for page, base in zip(first, floor, strict=True)],
            reference=first_ref,
            notes=[
                "the page's own cost (page 1 minus the no-op request, sample by sample) against the raw page: "
                "what the endpoint adds to any API request"
            ],
        ),
    ]


def _request(client: APIClient, url: str):
    response = client.get(url)
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return response


def _get(client: APIClient, url: str) -> dict:
    return json.loads(_request(client, url).content)


def _plan(state: State) -> str:
    """The scan the planner chooses for the first page, e.g. `Index Scan Backward using ...`."""
    with state.conn.cursor() as cur:
        cur.execute("EXPLAIN " + SQL_FIRST, (state.user_id, PAGE_SIZE + 1))
        lines = [row[0].strip(" ->") for row in cur.fetchall()]
    scan = next((line for line in lines if "Scan" in line), lines[0])
    return scan.split("  (cost")[0]


def _cursor_position(url: str) -> int:
    cursor = parse_qs(urlsplit(url).query)["cursor"][0]
    return int(parse_qs(base64.b64decode(cursor).decode())["p"][0])


_ZULU = re.compile(r"\+00:00$")


SQL_TOKEN = (
    "SELECT t.key, t.user_id, t.created, u.id, u.password, u.last_login, u.is_superuser, u.username, "
    "u.first_name, u.last_name, u.is_staff, u.is_active, u.date_joined, u.email, u.display_name, u.language, "
    "m.id, m.user_id, m.organization_id, m.role, m.can_review, m.can_publish_risk, m.can_organise_training, "
    "m.created_at, o.id, o.name, o.name_en, o.kind, o.credit_code, o.province, o.city, o.contact_email, "
    "o.webhook_url, o.webhook_secret, o.verified_at, o.created_at "
    "FROM authtoken_token t JOIN portal_user u ON t.user_id = u.id "
    "LEFT JOIN portal_membership m ON m.user_id = u.id LEFT JOIN portal_organization o ON o.id = m.organization_id "
    "WHERE t.key = %s"
)


def raw_page(state: State, before: int | None, *, authenticate: bool = False) -> bytes:
    """The reference: what the endpoint answers, by hand."""
    with state.conn.cursor() as cur:
        if authenticate:
            cur.execute(SQL_TOKEN, (state.token,))
            cur.fetchall()
        if before is None:
            cur.execute(SQL_FIRST, (state.user_id, PAGE_SIZE + 1))
        else:
            cur.execute(SQL_AFTER, (state.user_id, before, PAGE_SIZE + 1))
        rows = cur.fetchall()
    tz = timezone.get_current_timezone()
    results = [
        {
            "id": pk,
            "kind": kind,
            "title": title,
            "body": body,
            "url": url,
            "requires_ack": requires_ack,
            "created_at": _iso(created_at, tz),
            "read_at": _iso(read_at, tz),
            "acknowledged_at": _iso(acknowledged_at, tz),
        }
        for pk, kind, title, body, url, requires_ack, created_at, read_at, acknowledged_at in rows[:PAGE_SIZE]
    ]
    next_url = None
    if len(rows) > PAGE_SIZE:
        cursor = base64.b64encode(urlencode({"p": rows[PAGE_SIZE - 1][0]}).encode()).decode()
        next_url = f"http://testserver{PATH}?{urlencode({'cursor': cursor, 'page_size': PAGE_SIZE})}"
    body = {"next": next_url, "previous": None, "results": results}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _iso(value, tz) -> str | None:
    if value is None:
        return None
    return _ZULU.sub("Z", value.astimezone(tz).isoformat())


FIGURE = Figure(
    name="inbox",
    title="GET /api/v1/notifications/ on a 50,000-notification inbox",
    goal="a fixed number of queries whatever the page size, and within 3× the equivalent raw SQL through psycopg2",
    setup=setup,
    measure=measure,
)
