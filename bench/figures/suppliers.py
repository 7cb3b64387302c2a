"""The preferred-supplier library on 20,000 suppliers and 60,000 certificates: the directory
filtered by category and country, the daily certificate-expiry job, and the suppliers suggested
for a project.

The dataset
  20,000 supplier organisations, one member each, and their suppliers: 85% approved, the rest
  spread over the other statuses; one to three categories each (the seeded ones, weighted) and
  one to six of 60 countries served (Zipf-like); one official with `review`. Certificates: for
  each requirement of a supplier's categories one certificate of an accepted kind, valid until a
  day spread evenly from yesterday to three years ahead, then older, replaced certificates of
  the same kinds (lapsed, with a valid successor) up to 60,000 in all. That is the library on a
  day after yesterday's job ran: certificates that lapsed yesterday are today's to find.

What is timed
  directory  `GET /api/v1/suppliers/?category=<code>&country=<CC>&page_size=50` through DRF's
             APIClient, anonymous, end to end; the category and country with the most approved
             suppliers. Reference, on its own psycopg2 connection: the page's SELECT of the
             serialised columns with the organisation joined and the filters as EXISTS, ORDER BY
             id DESC LIMIT 51; the page's categories and countries (two SELECTs on the link
             tables); the reviews of the last twelve months averaged per supplier (one GROUP BY);
             dicts shaped as the serializer's, the `next` cursor, json.dumps. Query counts at
             page sizes 1 and 50.
  expiry     `suppliers.services.certificates_check()` (the daily beat task's body) from call to
             return, COMMITs included: the first run of a day (every reminder due within 60 days
             not yet sent, every supplier whose required certificate lapsed yesterday
             suspended), and the same job run again that day (nothing left to do). The
             after-commit enqueue is excluded (swapped for a recorder), as in `notify`. Before
             each first-run sample the reminders, suspensions, their history and audit rows are
             undone, outside the timing.
  suggested  `suppliers.selectors.suggested_suppliers(project)` for a project in the busiest
             country whose supply chain has two categories filled: the candidates found, ranked
             and given reasons, evaluated to a list.
"""

from __future__ import annotations

import base64
import importlib
import json
import random
import statistics
from dataclasses import dataclass
from datetime import date, timedelta
from unittest import mock
from urllib.parse import urlencode

import psycopg2.extensions
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from bench import data
from bench.core import Context, Figure, Row, duration
from portal.choices import OrganizationKind
from portal.models import AuditEvent, Country, Delivery, Membership, Notification, Organization, User
from portal.services import notifications
from projects.models import Project
from suppliers import selectors, services
from suppliers.choices import SupplierStatus
from suppliers.models import (
    Category,
    CategoryRequirement,
    Certificate,
    CertificateKind,
    Supplier,
    SupplierReview,
    SupplyChainLink,
)

SUPPLIERS = 20_000
CERTIFICATES = 60_000
COUNTRIES = 60
PAGE_SIZE = 50
QUERY_PAGE_SIZES = (1, 50)
INNER = 10  # directory requests per sample
MAX_RATIO = 3.0
EXPIRY_MAX = 5.0  # seconds, the first run of a day
SUGGESTED_MEDIAN = 0.050
PATH = "/api/v1/suppliers/"
THROTTLE = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000/second"}}
APPROVED_SHARE = 0.85
OTHER_STATUSES = [
    SupplierStatus.DRAFT,
    SupplierStatus.SUBMITTED,
    SupplierStatus.UNDER_REVIEW,
    SupplierStatus.RETURNED,
    SupplierStatus.REJECTED,
    SupplierStatus.SUSPENDED,
    SupplierStatus.REVOKED,
]
SUPPLIER_COLUMNS = (
    "organization_id",
    "status",
    "description",
    "capacity",
    "references",
    "products",
    "contact_name",
    "contact_phone",
    "contact_email",
    "stars",
    "submitted_at",
    "approved_at",
    "decided_at",
    "sanction_from",
    "sanction_until",
    "created_by_id",
    "created_at",
    "updated_at",
)
CERTIFICATE_COLUMNS = (
    "supplier_id",
    "kind_id",
    "number",
    "issuer",
    "valid_from",
    "valid_until",
    "file",
    "uploaded_by_id",
    "created_at",
)
PRODUCTS = [
    "钢结构",
    "预拌混凝土",
    "光伏组件",
    "盾构机",
    "塔吊",
    "电缆",
    "防水材料",
    "劳务派遣",
    "涉外法律服务",
    "国际税务筹划",
]


@dataclass
class State:
    suppliers: int
    certificates: int
    category: str
    country: str
    matching: int
    project: Project
    today: date
    anonymous: APIClient
    conn: psycopg2.extensions.connection


def _seed_reference_data() -> None:
    """The runner flushes the database before each figure, and with it what migrations seeded:
    the categories, certificate kinds and requirements, the scorecard. Seed them again."""
    from django.apps import apps

    for name in ("0002_seed_categories", "0004_seed_scorecard"):
        importlib.import_module(f"suppliers.migrations.{name}").seed(apps, None)


def setup(ctx: Context) -> State:
    rng = random.Random(8)
    _seed_reference_data()
    data.load_countries()
    countries = data.project_countries(COUNTRIES)
    count = ctx.n(SUPPLIERS, minimum=500)
    orgs = data.organisations(count, seed=8)
    Organization.objects.filter(pk__in=[o.pk for o in orgs]).update(kind=OrganizationKind.SUPPLIER)
    users = data.members(count, organizations=orgs, prefix="supplier")
    data.official(can_review=True)  # the reviewers are told of automatic suspensions

    today = timezone.localdate()
    now = timezone.now()
    statuses = [SupplierStatus.APPROVED if rng.random() < APPROVED_SHARE else rng.choice(OTHER_STATUSES) for _ in orgs]
    data.copy_rows(
        Supplier._meta.db_table,
        [connection.ops.quote_name(c) for c in SUPPLIER_COLUMNS],
        (
            (
                org.pk,
                status,
                f"{org.name}专注于海外工程配套供应，服务“一带一路”沿线项目。",
                "年供应能力 5 万吨，海外仓 2 处。",
                "肯尼亚蒙巴萨港口扩建项目；印度尼西亚雅万高铁配套工程。",
                "、".join(rng.sample(PRODUCTS, 3)),
                f"联系人{i}",
                f"027-8{i:07d}",
                f"sales{i}@bench.example.cn",
                rng.choice([None, 3, 4, 5]) if status == SupplierStatus.APPROVED else None,
                now - timedelta(days=400),
                now - timedelta(days=380) if status in (SupplierStatus.APPROVED, SupplierStatus.SUSPENDED) else None,
                now - timedelta(days=380),
                None,
                None,
                user,
                now - timedelta(days=420),
                now,
            )
            for i, (org, status, user) in enumerate(zip(orgs, statuses, users, strict=True))
        ),
    )
    suppliers = list(Supplier.objects.order_by("id").values_list("id", "organization_id"))
    member_of = dict(zip((o.pk for o in orgs), users, strict=True))

    categories = list(Category.objects.filter(active=True).order_by("position", "id"))
    category_weights = [1 / (rank + 2) for rank in range(len(categories))]
    country_weights = [1 / (rank + 2) for rank in range(len(countries))]
    requirements: dict[int, list[list[int]]] = {c.pk: [] for c in categories}
    for requirement in CategoryRequirement.objects.prefetch_related("kinds"):
        kinds = [k.pk for k in requirement.kinds.all()]
        if kinds and requirement.category_id in requirements:
            requirements[requirement.category_id].append(kinds)
    all_kinds = list(CertificateKind.objects.values_list("pk", flat=True))

    category_links, country_links, current, extra = [], [], [], []
    for supplier_id, org_id in suppliers:
        chosen = _pick(rng, categories, category_weights, rng.randint(1, 3))
        category_links += [(supplier_id, c.pk) for c in chosen]
        country_links += [(supplier_id, c) for c in _pick(rng, countries, country_weights, rng.randint(1, 6))]
        kinds = {rng.choice(kinds) for c in chosen for kinds in requirements[c.pk]} or {rng.choice(all_kinds)}
        for kind in sorted(kinds):
            until = today + timedelta(days=rng.randint(-1, 3 * 365 - 2))
            current.append((supplier_id, kind, until, member_of[org_id]))
    total = ctx.n(CERTIFICATES, minimum=1500)
    while len(current) + len(extra) < total:
        supplier_id, kind, until, user = current[rng.randrange(len(current))]
        older = until - timedelta(days=3 * 365 * (1 + len(extra) % 2))
        extra.append((supplier_id, kind, min(older, today - timedelta(days=2)), user))
    data.copy_rows("suppliers_supplier_categories", ("supplier_id", "category_id"), category_links)
    data.copy_rows("suppliers_supplier_countries_served", ("supplier_id", "country_id"), country_links)
    certificates = data.copy_rows(
        Certificate._meta.db_table,
        CERTIFICATE_COLUMNS,
        (
            (
                supplier_id,
                kind,
                f"CERT-{n:07d}",
                "湖北省住房和城乡建设厅",
                until - timedelta(days=3 * 365),
                until,
                f"certificates/bench/{n}.pdf",
                user,
                now,
            )
            for n, (supplier_id, kind, until, user) in enumerate(current + extra)
        ),
    )

    project = _project(rng, countries[0], today)
    SupplyChainLink.objects.bulk_create(
        SupplyChainLink(project=project, supplier_id=suppliers[i][0], category=categories[i])
        for i in range(2)
        if statuses[i] == SupplierStatus.APPROVED
    )
    data.vacuum_analyze(Supplier, Certificate, Organization, Membership, User, Country, SupplyChainLink, Project)
    with connection.cursor() as cur:
        for table in ("suppliers_supplier_categories", "suppliers_supplier_countries_served"):
            cur.execute(f"VACUUM ANALYZE {table}")

    listed = Supplier.objects.listed()
    category = max(categories, key=lambda c: listed.filter(categories=c).count())
    country = max(countries[:5], key=lambda cc: listed.filter(countries_served=cc).count())
    matching = listed.filter(categories=category, countries_served=country).count()
    return State(
        suppliers=len(suppliers),
        certificates=certificates,
        category=category.code,
        country=country,
        matching=matching,
        project=project,
        today=today,
        anonymous=APIClient(),
        conn=data.raw_connection(autocommit=True),
    )


def _pick(rng: random.Random, options, weights, k: int) -> list:
    chosen: list = []
    while len(chosen) < min(k, len(options)):
        (option,) = rng.choices(options, weights)
        if option not in chosen:
            chosen.append(option)
    return chosen


def _project(rng: random.Random, country: str, today: date) -> Project:
    enterprise = data.organisations(1, seed=7)[0]
    (row,) = data.project_rows(1, organization_ids=[enterprise.pk], countries=[country], end=timezone.now())
    data.copy_projects([row])
    return Project.objects.select_related("country").get()


def measure(ctx: Context, state: State) -> list[Row]:
    with override_settings(REST_FRAMEWORK=THROTTLE):
        rows = _directory_rows(ctx, state)
    rows += _expiry_rows(ctx, state)
    rows += _suggested_rows(ctx, state)
    state.conn.close()
    return rows


# --- The directory ----------------------------------------------------------------------------


def _url(state: State, page_size: int = PAGE_SIZE) -> str:
    return f"{PATH}?category={state.category}&country={state.country}&page_size={page_size}"


def _request(client: APIClient, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def _directory_rows(ctx: Context, state: State) -> list[Row]:
    url = _url(state)
    counts = [len(ctx.queries(lambda s=size: _request(state.anonymous, _url(state, s)))) for size in QUERY_PAGE_SIZES]
    body = _request(state.anonymous, url).json()
    reference = json.loads(raw_directory(state))
    assert len(body["results"]) == min(PAGE_SIZE, state.matching), len(body["results"])
    assert [r["id"] for r in body["results"]] == [r["id"] for r in reference["results"]]
    for key in ("categories", "countries_served", "name", "stars", "review_count", "average_review"):
        assert [r[key] for r in body["results"]] == [r[key] for r in reference["results"]], key
    breakdown = ctx.breakdown(lambda: _request(state.anonymous, url))
    samples, ref = ctx.compare(
        lambda: _request(state.anonymous, url), lambda: raw_directory(state), inner=INNER, label="suppliers directory"
    )
    sizes = "/".join(str(s) for s in QUERY_PAGE_SIZES)
    return [
        Row(
            label="directory category+country, anonymous",
            samples=samples,
            reference=ref,
            max_ratio=MAX_RATIO,
            queries=f"page_size {sizes}: {' / '.join(str(n) for n in counts)}",
            checks={"queries fixed": len(set(counts)) == 1},
            notes=[
                f"subject: GET {url}; {state.matching:,} of {state.suppliers:,} suppliers match",
                "reference: psycopg2 page SELECT with EXISTS filters ... LIMIT 51, the page's categories and "
                "countries, the twelve months' review averages, dicts, next cursor, json.dumps",
                f"where the request's time goes, {breakdown}",
            ],
        )
    ]


SQL_PAGE = """
    SELECT s.id, o.name, o.name_en, o.province, o.city, s.description, s.capacity, s.products,
           s."references", s.stars, s.approved_at
    FROM suppliers_supplier s JOIN portal_organization o ON o.id = s.organization_id
    WHERE s.status = 'approved'
      AND EXISTS (SELECT 1 FROM suppliers_supplier_categories sc JOIN suppliers_category c ON c.id = sc.category_id
                  WHERE sc.supplier_id = s.id AND c.code = %s)
      AND EXISTS (SELECT 1 FROM suppliers_supplier_countries_served sn
                  WHERE sn.supplier_id = s.id AND sn.country_id = %s)
    ORDER BY s.id DESC LIMIT %s
"""
SQL_CATEGORIES = """
    SELECT sc.supplier_id, c.code
    FROM suppliers_supplier_categories sc JOIN suppliers_category c ON c.id = sc.category_id
    WHERE sc.supplier_id = ANY(%s) ORDER BY sc.supplier_id, c.position, c.id
"""
SQL_COUNTRIES = """
    SELECT sn.supplier_id, sn.country_id FROM suppliers_supplier_countries_served sn
    WHERE sn.supplier_id = ANY(%s) ORDER BY sn.supplier_id, sn.country_id
"""
SQL_REVIEWS = """
    SELECT supplier_id, count(*), avg(quality), avg(delivery), avg(compliance), avg(communication)
    FROM suppliers_performancereview WHERE supplier_id = ANY(%s) AND created_at >= %s GROUP BY supplier_id
"""


def raw_directory(state: State) -> bytes:
    """The reference: what the directory endpoint answers, by hand."""
    with state.conn.cursor() as cur:
        cur.execute(SQL_PAGE, (state.category, state.country, PAGE_SIZE + 1))
        rows = cur.fetchall()
        ids = [row[0] for row in rows[:PAGE_SIZE]]
        cur.execute(SQL_CATEGORIES, (ids,))
        categories: dict[int, list[str]] = {}
        for supplier_id, code in cur.fetchall():
            categories.setdefault(supplier_id, []).append(code)
        cur.execute(SQL_COUNTRIES, (ids,))
        countries: dict[int, list[str]] = {}
        for supplier_id, code in cur.fetchall():
            countries.setdefault(supplier_id, []).append(code)
        cur.execute(SQL_REVIEWS, (ids, selectors.period_start()))
        reviews = {row[0]: row[1:] for row in cur.fetchall()}
    tz = timezone.get_current_timezone()
    results = []
    for pk, name, name_en, province, city, description, capacity, products, references, stars, approved in rows[
        :PAGE_SIZE
    ]:
        count, *averages = reviews.get(pk, (0, None, None, None, None))
        values = [float(v) for v in averages if v is not None]
        results.append(
            {
                "id": pk,
                "name": name,
                "name_en": name_en,
                "province": province,
                "city": city,
                "categories": categories.get(pk, []),
                "countries_served": countries.get(pk, []),
                "description": description,
                "capacity": capacity,
                "products": products,
                "references": references,
                "stars": stars,
                "approved_at": approved.astimezone(tz).isoformat() if approved else None,
                "contact": None,
                "review_count": count,
                "average_review": round(sum(values) / len(values), 1) if values else None,
                "score": None,
                "standing": None,
            }
        )
    next_url = None
    if len(rows) > PAGE_SIZE:
        cursor = base64.b64encode(urlencode({"p": rows[PAGE_SIZE - 1][0]}).encode()).decode()
        query = {"category": state.category, "country": state.country, "cursor": cursor, "page_size": PAGE_SIZE}
        next_url = f"http://testserver{PATH}?{urlencode(query)}"
    body = {"next": next_url, "previous": None, "results": results}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


# --- The daily certificate-expiry job ---------------------------------------------------------


def _undo_expiry(state: State) -> None:
    """Back to the morning: no reminders sent, yesterday's lapses not yet suspended."""
    suspended = list(
        SupplierReview.objects.filter(action="auto_suspended").values_list("supplier_id", flat=True).distinct()
    )
    Supplier.objects.filter(pk__in=suspended).update(
        status=SupplierStatus.APPROVED, sanction_from=None, sanction_until=None
    )
    SupplierReview.objects.filter(action="auto_suspended").delete()
    AuditEvent.objects.all().delete()
    data.truncate(Notification, Delivery)


def _expiry_rows(ctx: Context, state: State) -> list[Row]:
    enqueued: list[list[int]] = []
    results: list[dict] = []

    def job() -> None:
        results.append(services.certificates_check(today=state.today))

    with mock.patch.object(notifications, "enqueue_deliveries", enqueued.append):
        first = ctx.sample(job, reset=lambda: _undo_expiry(state), label="expiry job, first run")
        done = results[-1]
        _undo_expiry(state)
        breakdown = ctx.breakdown(job)
        again = ctx.sample(job, label="expiry job, second run")
        repeat = results[-1]
    reminded = Notification.objects.filter(dedupe_key__startswith="certificate-expiry:").count()
    return [
        Row(
            label=f"expiry job over {state.certificates:,} certificates, first run of the day",
            samples=first,
            checks={f"< {EXPIRY_MAX:g} s": statistics.median(first) < EXPIRY_MAX},
            notes=[
                f"certificates_check(): {done['reminded']:,} reminders, {done['suspended']:,} suppliers suspended "
                f"({reminded:,} reminder notifications in the inbox after it)",
                f"where the job's time goes, {breakdown}",
            ],
        ),
        Row(
            label="expiry job, run again the same day",
            samples=again,
            checks={"sends nothing": repeat == {"reminded": 0, "suspended": 0}},
            notes=[f"the second run's result: {repeat}"],
        ),
    ]


# --- Suggested suppliers ----------------------------------------------------------------------


def _suggested_rows(ctx: Context, state: State) -> list[Row]:
    def suggest() -> list:
        return selectors.suggested_suppliers(state.project)

    found = suggest()
    assert found, "no suggestion for the bench project"
    queries = ctx.queries(suggest)
    samples = ctx.sample(suggest, inner=INNER, label="suggested suppliers")
    reasons = " / ".join(found[0]["reasons"])
    return [
        Row(
            label="suggested suppliers for a project",
            samples=samples,
            queries=str(len(queries)),
            checks={f"median < {duration(SUGGESTED_MEDIAN)}": statistics.median(samples) < SUGGESTED_MEDIAN},
            notes=[
                f"suggested_suppliers() for a project in {state.project.country_id} with two categories recorded; "
                f"{len(found)} suggested, the first because: {reasons}"
            ],
        )
    ]


FIGURE = Figure(
    name="suppliers",
    title="The supplier library: 20,000 suppliers, 60,000 certificates",
    goal="directory within 3× raw SQL, queries fixed; daily expiry job < 5 s; suggestions < 50 ms median",
    setup=setup,
    measure=measure,
)
