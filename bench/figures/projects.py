"""The project library on 100,000 projects in 150 countries: the filtered list, Chinese search
and the statistics by country.

What is timed
  list       `GET /api/v1/projects/?country=<CC>&stage=under_construction&page_size=50` through
             DRF's APIClient, end to end, anonymous (approved projects, values and staff hidden)
             and as an official (token; every project, with values), the page's SQL
             remembered per request shape as a server runs it (portal/api/statements.py: the
             rows are read on every request, the queryset is not rebuilt); CC is the country with the
             most such projects. Reference, on its own psycopg2 connection (autocommit): the same
             SELECT of the serialised columns with organisation and country joined (NULL for the
             private ones for the public, as the API reads them), `WHERE
             country_id = %s AND stage = %s [AND filing_status = 'approved'] ORDER BY id DESC
             LIMIT 51`, fetchall, dicts shaped as the serializer's (decimals as strings, dates and
             local-time datetimes in ISO 8601, private fields null for the public), the `next`
             cursor, and json.dumps to UTF-8 bytes. Query counts at page sizes 1 and 50.
  search     for queries of 1, 2 and 3+ characters, common and rare (QUERIES), for both roles:
             the SQL the API runs for the page (captured from a request, then run by psycopg2:
             execute + fetchall) and `GET /api/v1/projects/?search=q&page_size=50`; the p95 is
             over every sample of a length class (its queries × both roles × the samples).
             Completeness, per query and role: the ids the API's filter finds (the FilterSet's
             queryset unpaginated) equal `SELECT id ... WHERE name ILIKE '%q%' OR name_en ILIKE
             '%q%' OR location ILIKE '%q%'` through psycopg2 (approved only for the public); the
             first API page is the 50 highest of those; and where there are at most FOLLOW_ALL of
             them, following `next` through the API collects exactly them.
  statistics `GET /api/v1/projects/statistics/?by=country` as an official; reference: the same
             GROUP BY through psycopg2 (information). Its rows must equal the reference's.
  floor      in the same turns as the list: the no-op API requests of bench/urls.py, anonymous
             (throttled, and without the throttle: the difference is the throttle's cost) and
             with the official's token, printed against the raw lists; and each list minus its
             floor, sample by sample.
Subjects and references are timed call by call in turn (ctx.compare); list samples are the mean
of INNER calls of each. Anonymous requests are throttled at the production rate, each from an
address of its own (REMOTE_ADDR), as the wire figure's clients are: the throttle reads and writes
a client's history in Redis as in production (two round trips), and its limit refuses nothing.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import re
import statistics
from dataclasses import dataclass
from decimal import Decimal
from unittest import mock
from urllib.parse import quote, urlencode

import psycopg2.extensions
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bench import data
from bench.core import Context, Figure, Row, duration
from portal.models import Country, Membership, Organization, User
from projects.choices import FilingStatus, Stage
from projects.filtersets import ProjectFilterSet
from projects.models import Project

PROJECTS = 100_000
COUNTRIES = 150
ORGANISATIONS = 300
PAGE_SIZE = 50
QUERY_PAGE_SIZES = (1, 50)
INNER = 10  # list requests per sample
MAX_RATIO = 3.0
SEARCH_DB_P95 = 0.010
SEARCH_API_P95 = 0.050
STATISTICS_MEDIAN = 0.200
FOLLOW_ALL = 1500  # follow every `next` page when a query has at most this many matches
PATH = "/api/v1/projects/"
FLOOR_TOKEN = "/api/bench/floor/"
FLOOR_ANONYMOUS = "/api/bench/floor/anonymous/"
FLOOR_UNTHROTTLED = "/api/bench/floor/unthrottled/"
STATISTICS = f"{PATH}statistics/?by=country"
# Common and rare characters and words (counts at full scale: 路 22,600 projects, 鲁 880,
# 钱凯 289, 冰川 none; see bench.data.FACILITIES and PROJECT_COUNTRIES).
QUERIES = {
    "1 char": ["路", "电", "港", "鲁"],
    "2 chars": ["港口", "铁路", "光伏", "医院", "钱凯", "冰川"],
    "3+ chars": ["光伏电站", "输变电", "工业园", "亚的斯", "亚的斯亚贝巴"],
}
THROTTLE = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "120/minute"}}
_ADDRESSES = itertools.count(1)
COLUMNS = (
    "p.id, p.organization_id, o.name, p.name, p.name_en, p.country_id, c.name_zh, c.region, p.location, p.sector, "
    "p.business_model, p.stage, p.contract_value, p.currency, p.contract_value_usd, p.start_date, "
    "p.planned_completion, p.chinese_staff, p.local_staff, p.embassy_registered, p.embassy_registered_on, "
    "p.description, p.filing_status, p.submitted_at, p.approved_at, p.created_at, p.updated_at"
)
SQL_LIST = (
    f"SELECT {COLUMNS} FROM projects_project p "
    "JOIN portal_organization o ON o.id = p.organization_id JOIN portal_country c ON c.code = p.country_id "
    "WHERE p.country_id = %s AND p.stage = %s{approved} ORDER BY p.id DESC LIMIT %s"
)
SQL_ILIKE = "SELECT id FROM projects_project WHERE (name ILIKE %s OR name_en ILIKE %s OR location ILIKE %s){approved}"
SQL_STATISTICS = (
    "SELECT p.country_id, c.name_zh, count(*), coalesce(sum(p.contract_value_usd), 0), "
    "coalesce(sum(p.chinese_staff), 0), coalesce(sum(p.local_staff), 0) "
    "FROM projects_project p JOIN portal_country c ON c.code = p.country_id "
    "WHERE p.filing_status = 'approved' GROUP BY p.country_id, c.name_zh ORDER BY 3 DESC, 1"
)
APPROVED = " AND p.filing_status = 'approved'"


@dataclass
class State:
    projects: int
    country: str
    matching: dict[str, int]  # role -> projects the list filter matches
    anonymous: APIClient
    official: APIClient
    official_user: User
    conn: psycopg2.extensions.connection


def setup(ctx: Context) -> State:
    data.load_countries()
    orgs = data.organisations(ctx.n(ORGANISATIONS, minimum=10))
    official_id = data.official()
    countries = data.project_countries(COUNTRIES)
    count = data.copy_projects(
        data.project_rows(
            ctx.n(PROJECTS, minimum=1000),
            organization_ids=[org.pk for org in orgs],
            countries=countries,
            end=timezone.now(),
        )
    )
    data.vacuum_analyze(Project, Organization, Country, User, Membership)

    busiest = (
        Project.objects.filter(stage=Stage.UNDER_CONSTRUCTION, filing_status=FilingStatus.APPROVED)
        .values("country_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    country = busiest["country_id"]
    in_list = Project.objects.filter(country_id=country, stage=Stage.UNDER_CONSTRUCTION)
    token = Token.objects.create(user_id=official_id)
    official = APIClient()
    official.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return State(
        projects=count,
        country=country,
        matching={
            "public": in_list.filter(filing_status=FilingStatus.APPROVED).count(),
            "official": in_list.count(),
        },
        anonymous=APIClient(),
        official=official,
        official_user=User.objects.get(pk=official_id),
        conn=data.raw_connection(autocommit=True),
    )


def measure(ctx: Context, state: State) -> list[Row]:
    with override_settings(REST_FRAMEWORK=THROTTLE):
        rows = _list_rows(ctx, state) + _search_rows(ctx, state) + _statistics_rows(ctx, state)
    state.conn.close()
    return rows


# --- The filtered list ----------------------------------------------------------------------


def _list_url(state: State, page_size: int = PAGE_SIZE) -> str:
    return f"{PATH}?country={state.country}&stage={Stage.UNDER_CONSTRUCTION}&page_size={page_size}"


def _list_rows(ctx: Context, state: State) -> list[Row]:
    url = _list_url(state)
    clients = {"public": state.anonymous, "official": state.official}
    counts = {
        role: [len(ctx.queries(lambda c=client, s=size: _request(c, _list_url(state, s)))) for size in QUERY_PAGE_SIZES]
        for role, client in clients.items()
    }
    for role, client in clients.items():
        body = _get(client, url)
        assert len(body["results"]) == PAGE_SIZE, (role, len(body["results"]))
        expected = [row["id"] for row in json.loads(raw_list(state, public=role == "public"))["results"]]
        assert [row["id"] for row in body["results"]] == expected, role
    breakdowns = {role: ctx.breakdown(lambda c=client: _request(c, url)) for role, client in clients.items()}
    plans = {role: _plan(state, _list_sql(state, public=role == "public")) for role in clients}
    api_plans = {role: _explain(state, _page_sql(ctx, client, url)) for role, client in clients.items()}

    # While the stage filter makes the page SELECT DISTINCT, also time it without (information).
    distinct = ProjectFilterSet.base_filters["stage"].distinct
    plain = [lambda c=client: _without_distinct(lambda: _request(c, url)) for client in clients.values()]
    if not distinct:
        plain = []
    with override_settings(ROOT_URLCONF="bench.urls"):
        public, public_ref, official, official_ref, floor_anonymous, floor_unthrottled, floor_token, *plain_samples = (
            ctx.compare(
                lambda: _request(state.anonymous, url),
                lambda: raw_list(state, public=True),
                lambda: _request(state.official, url),
                lambda: raw_list(state, public=False),
                lambda: _request(state.anonymous, FLOOR_ANONYMOUS),
                lambda: _request(state.anonymous, FLOOR_UNTHROTTLED),
                lambda: _request(state.official, FLOOR_TOKEN),
                *plain,
                inner=INNER,
                label="projects list",
            )
        )
    sizes = "/".join(str(s) for s in QUERY_PAGE_SIZES)
    rows = []
    for role, samples, reference in (("public", public, public_ref), ("official", official, official_ref)):
        counted = counts[role]
        who = "anonymous" if role == "public" else "official (token)"
        rows.append(
            Row(
                label=f"list country+stage, {who}",
                samples=samples,
                reference=reference,
                max_ratio=MAX_RATIO,
                queries=f"page_size {sizes}: {' / '.join(str(n) for n in counted)}",
                checks={"queries fixed": len(set(counted)) == 1},
                notes=[
                    f"subject: GET {url}; {state.matching[role]:,} of {state.projects:,} projects match",
                    "reference: psycopg2 SELECT of the 27 serialised columns with organisation and country joined "
                    f"... ORDER BY id DESC LIMIT 51, dicts, next cursor, json.dumps; plan: {plans[role]}",
                    f"the API's page query: {api_plans[role]} (EXPLAIN ANALYZE)",
                    f"where the request's time goes, {breakdowns[role]}",
                ],
            )
        )
    rows += _floor_rows(
        public=public,
        public_ref=public_ref,
        official=official,
        official_ref=official_ref,
        floor_anonymous=floor_anonymous,
        floor_unthrottled=floor_unthrottled,
        floor_token=floor_token,
    )
    if not distinct:
        return rows
    with mock.patch.object(ProjectFilterSet.base_filters["stage"], "distinct", False):
        plain_sql = _page_sql(ctx, state.anonymous, url)
    references = (public_ref, official_ref)
    for who, samples, reference in zip(("anonymous", "official"), plain_samples, references, strict=True):
        rows.append(
            Row(
                label=f"list, {who}, stage filter without DISTINCT",
                samples=samples,
                reference=reference,
                notes=[
                    "the same request with ProjectFilterSet's `stage` MultipleChoiceFilter built with distinct=False "
                    "(patched for this row only): django-filter's default distinct=True makes the page SELECT DISTINCT "
                    "over all 45 selected columns, which PostgreSQL 15 answers by fetching and sorting every matching "
                    f"row; without it: {_explain(state, plain_sql)} (with it: see the plan in the row above)",
                ],
            )
        )
    return rows


def _floor_rows(*, public, public_ref, official, official_ref, floor_anonymous, floor_unthrottled, floor_token):
    """The no-op requests beside the list's references, and what the list adds to them."""

    def minus(samples, floor):
        return [sample - base for sample, base in zip(samples, floor, strict=True)]

    return [
        Row(
            label="floor: no-op API request, anonymous",
            samples=floor_anonymous,
            reference=public_ref,
            notes=[
                f"GET {FLOOR_ANONYMOUS} (bench/urls.py): the middleware, DRF's dispatch, the session check and the "
                "anonymous throttle, an empty page; the reference column is the raw public list"
            ],
        ),
        Row(
            label="floor: the same without the throttle",
            samples=floor_unthrottled,
            reference=public_ref,
            notes=[f"GET {FLOOR_UNTHROTTLED}: the anonymous no-op with throttle_classes = []"],
        ),
        Row(
            label="throttle: its cost per anonymous request",
            samples=minus(floor_anonymous, floor_unthrottled),
            reference=public_ref,
            notes=[
                "the anonymous no-op minus the unthrottled one, sample by sample: reading and writing the "
                "client's request history in Redis (the cache); the reference column is the raw public list"
            ],
        ),
        Row(
            label="floor: no-op API request, token",
            samples=floor_token,
            reference=official_ref,
            notes=[
                f"GET {FLOOR_TOKEN} as the official: the token query (with user, membership and agency); "
                "the reference column is the raw official list"
            ],
        ),
        Row(
            label="list above the floor, anonymous",
            samples=minus(public, floor_anonymous),
            reference=public_ref,
            notes=["the anonymous list minus the anonymous no-op, sample by sample: what the endpoint itself adds"],
        ),
        Row(
            label="list above the floor, official",
            samples=minus(official, floor_token),
            reference=official_ref,
            notes=["the official's list minus the token no-op, sample by sample"],
        ),
    ]


def _without_distinct(fn):
    with mock.patch.object(ProjectFilterSet.base_filters["stage"], "distinct", False):
        return fn()


def _list_sql(state: State, *, public: bool) -> tuple[str, tuple]:
    sql = SQL_LIST.format(approved=APPROVED if public else "")
    if public:  # the public's page reads no private figures (nor does the API's since 12-07)
        for column in _PRIVATE:
            sql = sql.replace(f"p.{column},", "NULL,", 1)
    return sql, (state.country, Stage.UNDER_CONSTRUCTION.value, PAGE_SIZE + 1)


_PRIVATE = ("contract_value", "currency", "contract_value_usd", "chinese_staff", "local_staff")


def raw_list(state: State, *, public: bool) -> bytes:
    """The reference: what the list endpoint answers, by hand."""
    with state.conn.cursor() as cur:
        cur.execute(*_list_sql(state, public=public))
        rows = cur.fetchall()
    tz = timezone.get_current_timezone()
    results = []
    for row in rows[:PAGE_SIZE]:
        (pk, org_id, org_name, name, name_en, country, country_name, region, location, sector, model, stage) = row[:12]
        (value, currency, value_usd, start, completion, cn_staff, local_staff) = row[12:19]
        (registered, registered_on, description, status, submitted, approved, created, updated) = row[19:]
        item = {
            "id": pk,
            "organization": org_id,
            "organization_name": org_name,
            "name": name,
            "name_en": name_en,
            "country": country,
            "country_name": country_name,
            "region": region,
            "location": location,
            "sector": sector,
            "business_model": model,
            "stage": stage,
            "contract_value": _decimal(value),
            "currency": currency,
            "contract_value_usd": _decimal(value_usd),
            "start_date": _date(start),
            "planned_completion": _date(completion),
            "chinese_staff": cn_staff,
            "local_staff": local_staff,
            "embassy_registered": registered,
            "embassy_registered_on": _date(registered_on),
            "description": description,
            "filing_status": status,
            "submitted_at": _iso(submitted, tz),
            "approved_at": _iso(approved, tz),
            "created_at": _iso(created, tz),
            "updated_at": _iso(updated, tz),
        }
        if public:
            for key in _PRIVATE:
                item[key] = None
        results.append(item)
    next_url = None
    if len(rows) > PAGE_SIZE:
        cursor = base64.b64encode(urlencode({"p": rows[PAGE_SIZE - 1][0]}).encode()).decode()
        query = {"country": state.country, "cursor": cursor, "page_size": PAGE_SIZE, "stage": Stage.UNDER_CONSTRUCTION}
        next_url = f"http://testserver{PATH}?{urlencode(query)}"
    body = {"next": next_url, "previous": None, "results": results}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


# --- Chinese search ---------------------------------------------------------------------------


def _search_url(query: str) -> str:
    return f"{PATH}?search={quote(query)}&page_size={PAGE_SIZE}"


def _search_rows(ctx: Context, state: State) -> list[Row]:
    clients = {"public": state.anonymous, "official": state.official}
    users = {"public": AnonymousUser(), "official": state.official_user}
    rows = []
    for length, queries in QUERIES.items():
        api: list[float] = []
        db: list[float] = []
        server: list[float] = []  # planning + execution, from EXPLAIN ANALYZE
        complete = True
        details = []
        for query in queries:
            url = _search_url(query)
            sql = {role: _page_sql(ctx, client, url) for role, client in clients.items()}
            public_api, public_db, official_api, official_db = ctx.compare(
                lambda u=url: _request(state.anonymous, u),
                lambda s=sql["public"]: _run(state, s),
                lambda u=url: _request(state.official, u),
                lambda s=sql["official"]: _run(state, s),
                label=f"search {query}",
            )
            api += public_api + official_api
            db += public_db + official_db
            found = {}
            for role, client in clients.items():
                ok, found[role] = _complete(state, client, users[role], query, public=role == "public")
                complete &= ok
            plans = {}
            for role, statement in sql.items():
                runs = [_analyze(state, statement) for _ in range(ctx.repeat)]
                server += [planning + executing for _scan, planning, executing in runs]
                plans[role] = f"{runs[0][0]} {duration(statistics.median(run[2] for run in runs))}"
            details.append(
                f"{query}: {found['public']:,} / {found['official']:,} matches; "
                f"SQL {duration(_p95(public_db))} / {duration(_p95(official_db))}, "
                f"API {duration(_p95(public_api))} / {duration(_p95(official_api))}; "
                f"plan {plans['public']} / {plans['official']}"
            )
        db_p95, api_p95 = _p95(db), _p95(api)
        rows.append(
            Row(
                label=f"search {length}: SQL, p95 {duration(db_p95)}",
                samples=db,
                checks={f"p95 < {duration(SEARCH_DB_P95)}": db_p95 < SEARCH_DB_P95},
                notes=[
                    "the page's SQL as the API runs it, through psycopg2 (execute + fetchall), for "
                    f"{', '.join(queries)}, public and official: {len(db)} samples",
                    f"in the server alone (EXPLAIN ANALYZE planning + execution, {len(server)} runs): "
                    f"median {duration(statistics.median(server))}, p95 {duration(_p95(server))}",
                    "per query, public / official: matches; p95 of SQL and API; the project table's scan "
                    "(median EXPLAIN ANALYZE execution time)",
                    *details,
                ],
            )
        )
        rows.append(
            Row(
                label=f"search {length}: API, p95 {duration(api_p95)}",
                samples=api,
                reference=db,
                checks={
                    f"p95 < {duration(SEARCH_API_P95)}": api_p95 < SEARCH_API_P95,
                    "finds what ILIKE finds": complete,
                },
                notes=[f"GET {PATH}?search=…&page_size={PAGE_SIZE}, anonymous and official; the reference is the SQL"],
            )
        )
    return rows


def _page_sql(ctx: Context, client: APIClient, url: str) -> str:
    """The SQL of the project page that a request runs, parameters interpolated: a remembered
    page runs as a statement prepared in the session (`EXECUTE name`), whose text
    pg_prepared_statements holds."""
    statements = [_prepared_sql(sql) for sql in ctx.queries(lambda: _request(client, url))]
    (page,) = [sql for sql in statements if 'FROM "projects_project"' in sql]
    return page


def _prepared_sql(sql: str) -> str:
    if not sql.startswith("EXECUTE "):
        return sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s", [sql.split()[1]])
        (text,) = cursor.fetchone()
    return text.split(" AS ", 1)[1]


def _run(state: State, sql: str) -> None:
    with state.conn.cursor() as cur:
        cur.execute(sql)
        cur.fetchall()


def _complete(state: State, client: APIClient, user, query: str, *, public: bool) -> tuple[bool, int]:
    """Whether the search finds exactly the ILIKE matches (see the module's doc); how many."""
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with state.conn.cursor() as cur:
        cur.execute(SQL_ILIKE.format(approved=APPROVED.replace("p.", "") if public else ""), [pattern] * 3)
        expected = {pk for (pk,) in cur.fetchall()}
    filtered = ProjectFilterSet({"search": query}, queryset=Project.objects.visible_to(user)).qs
    found = set(filtered.values_list("id", flat=True))
    newest = sorted(expected, reverse=True)
    ok = found == expected
    body = _get(client, _search_url(query))
    ok &= [row["id"] for row in body["results"]] == newest[:PAGE_SIZE]
    if len(expected) <= FOLLOW_ALL:
        paged = [row["id"] for row in body["results"]]
        while body["next"]:
            body = _get(client, body["next"])
            paged += [row["id"] for row in body["results"]]
        ok &= paged == newest
    return ok, len(expected)


def _explain(state: State, sql: str) -> str:
    """`Bitmap Heap Scan 1.2 ms`: the project table's scan and the execution time."""
    scan, _planning, executing = _analyze(state, sql)
    return f"{scan} {executing * 1e3:.2g} ms"


def _analyze(state: State, sql: str) -> tuple[str, float, float]:
    """EXPLAIN ANALYZE: the project table's scan, and the planning and execution times (s)."""
    with state.conn.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
        lines = [row[0] for row in cur.fetchall()]
    scan = next((line for line in lines if "Scan" in line and "projects_project" in line), lines[0])
    scan = re.sub(r"\s+on projects_project.*| using projects_project_pkey.*| \(actual.*", "", scan.strip(" ->"))
    times = {line.split(":")[0]: float(line.split()[2]) / 1e3 for line in lines if line.endswith(" ms")}
    return scan, times["Planning Time"], times["Execution Time"]


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


# --- Statistics ------------------------------------------------------------------------------


def _statistics_rows(ctx: Context, state: State) -> list[Row]:
    queries = ctx.queries(lambda: _request(state.official, STATISTICS))
    api_rows = _get(state.official, STATISTICS)
    expected = [
        {
            "key": code,
            "label": name,
            "count": count,
            "contract_value_usd": _decimal(value),
            "chinese_staff": cn_staff,
            "local_staff": local_staff,
        }
        for code, name, count, value, cn_staff, local_staff in raw_statistics(state)
    ]
    breakdown = ctx.breakdown(lambda: _request(state.official, STATISTICS))
    (sql,) = [q for q in queries if 'FROM "projects_project"' in q]
    samples, reference = ctx.compare(
        lambda: _request(state.official, STATISTICS), lambda: raw_statistics(state), label="statistics"
    )
    median = sorted(samples)[len(samples) // 2]
    return [
        Row(
            label="statistics by country (official)",
            samples=samples,
            reference=reference,
            queries=str(len(queries)),
            checks={
                f"median < {duration(STATISTICS_MEDIAN)}": median < STATISTICS_MEDIAN,
                "rows = raw GROUP BY": api_rows == expected,
            },
            notes=[
                f"GET {STATISTICS} with a token; {len(api_rows)} countries; reference (information): the GROUP BY "
                f"through psycopg2; plan: {_explain(state, sql)}",
                f"where the request's time goes, {breakdown}",
            ],
        )
    ]


def raw_statistics(state: State) -> list[tuple]:
    with state.conn.cursor() as cur:
        cur.execute(SQL_STATISTICS)
        return cur.fetchall()


# --- Helpers ---------------------------------------------------------------------------------


def _request(client: APIClient, url: str):
    n = next(_ADDRESSES)
    response = client.get(url, REMOTE_ADDR=f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}")
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response


def _get(client: APIClient, url: str):
    return json.loads(_request(client, url).content)


def _plan(state: State, statement: tuple[str, tuple]) -> str:
    with state.conn.cursor() as cur:
        cur.execute("EXPLAIN " + statement[0], statement[1])
        lines = [row[0].strip(" ->") for row in cur.fetchall()]
    scan = next((line for line in lines if "Scan" in line and "projects_project" in line), lines[0])
    return scan.split("  (cost")[0]


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _date(value) -> str | None:
    return None if value is None else value.isoformat()


_ZULU = re.compile(r"\+00:00$")


def _iso(value, tz) -> str | None:
    if value is None:
        return None
    return _ZULU.sub("Z", value.astimezone(tz).isoformat())


FIGURE = Figure(
    name="projects",
    title="the project library on 100,000 projects in 150 countries",
    goal="list page ≤ 3× raw SQL with fixed queries; Chinese search p95 < 10 ms in SQL and < 50 ms through the "
    "API for 1, 2 and 3+ characters, finding what ILIKE finds; statistics by country median < 200 ms",
    setup=setup,
    measure=measure,
)
