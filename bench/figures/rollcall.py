"""A safety roll-call over 5,000 organisations and 20,000 projects: the official's board, the
silent organisations first, against the same figures and page by hand.

The dataset
  5,000 enterprises, one member each, and 20,000 projects in Kenya and Tanzania, all filed
  (approved) and under construction with Chinese and local staff, spread unevenly: every
  enterprise has one, the other 15,000 go to a Zipf-like few (the busiest has hundreds, most
  have one to three). One official with `publish_risk`. The official starts a roll-call over
  both countries with `rollcalls.rollcall_start` (one INSERT ... SELECT of the 20,000 rows; the
  first reminder's enqueue swapped for a no-op), then 60% of the organisations have reported:
  three in four of them on all their projects, the others on some (the rest still pending);
  85% of the reports safe, 10% affected (with the injured, missing and evacuated, and a note),
  5% unreachable; each reported row with its RollCallReport, one in ten with an earlier one
  too. The rows are written in bulk (COPY into a temporary table, one UPDATE ... FROM), not
  through `rollcall_report()`, to keep the setup fast. 40% of the organisations are silent.

What is timed
  board      `GET /risk/rollcalls/<pk>/` through Django's test Client as the official
             (force_login), end to end, the first page: the roll-call, its countries, the
             figures (`rollcalls.figures`: by status, and the organisations), the board's first
             50 organisations and the pager's count (`rollcalls.board`), the template.
             Reference, on its own psycopg2 connection: the figures (GROUP BY status with the
             sums; the organisation counts with COUNT DISTINCT) and the board's first page (GROUP
             BY organisation with the per-status counts, ordered silent first, LIMIT 50) with
             the count of organisations for the pager. Query counts of the first and the last
             page. (The roll-call API is not on this branch yet, so it is not timed here.)
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import psycopg2.extensions
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench import data
from bench.core import Context, Figure, Row, duration
from portal.models import Membership, Organization, User
from projects.choices import FilingStatus, Stage
from projects.models import Project
from risk import rollcalls
from risk.models import RollCall, RollCallEntry, RollCallReport

ORGANISATIONS = 5_000
PROJECTS = 20_000
COUNTRIES = ["KE", "TZ"]
REPORTED_SHARE = 0.60  # of the organisations
ALL_REPORTED_SHARE = 0.75  # of those that reported: every project
PAGE_SIZE = 50  # risk/rollcall_views.py BOARD_PAGE
MEDIAN = 0.200
MAX_RATIO = 3.0
INNER = 3
NOTES = ["营地围墙被冲击，两名当地员工轻伤，已送医。", "部分人员临时撤至蒙巴萨营地。", "工地停工，人员集中在营地。"]


@dataclass
class State:
    rollcall: RollCall
    organisations: int
    projects: int
    silent: int
    client: Client
    conn: psycopg2.extensions.connection


def _static_manifest() -> None:
    """The page's {% static %} reads the manifest that `collectstatic` writes in production."""
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


def setup(ctx: Context) -> State:
    rng = random.Random(11)
    _static_manifest()
    data.load_countries()
    count = ctx.n(ORGANISATIONS, minimum=100)
    orgs = data.organisations(count, seed=11)
    users = data.members(count, organizations=orgs, prefix="rollcall")
    official_id = data.official(can_publish_risk=True)
    official = User.objects.get(pk=official_id)

    total = max(ctx.n(PROJECTS, minimum=400), count)
    org_ids = [o.pk for o in orgs]
    weights = [1 / (rank + 5) for rank in range(count)]
    owners = org_ids + rng.choices(org_ids, weights, k=total - count)  # one each, the rest Zipf-like
    rng.shuffle(owners)
    now = timezone.now()
    columns = data.PROJECT_COLUMNS
    stage, status = columns.index("stage"), columns.index("filing_status")
    submitted, approved = columns.index("submitted_at"), columns.index("approved_at")
    chinese = columns.index("chinese_staff")
    rows = []
    generated = data.project_rows(total, organization_ids=[0], countries=COUNTRIES, end=now)
    for owner, row in zip(owners, generated, strict=True):
        row = list(row)
        row[0] = owner
        row[stage], row[status] = Stage.UNDER_CONSTRUCTION, FilingStatus.APPROVED
        row[submitted] = row[submitted] or now - dt.timedelta(days=60)
        row[approved] = row[approved] or row[submitted] + dt.timedelta(days=7)
        row[chinese] = row[chinese] or 12
        rows.append(row)
    data.copy_projects(rows)
    data.vacuum_analyze(Project, Organization, Membership, User)

    with mock.patch.object(rollcalls, "_enqueue"):
        rollcall = rollcalls.rollcall_start(
            actor=official,
            data={
                "title": "肯尼亚、坦桑尼亚大规模抗议活动平安报备",
                "countries": COUNTRIES,
                "severity": "severe",
                "ends_at": now + dt.timedelta(days=7),
            },
        )
    silent = _report(rng, rollcall, member_of=dict(zip(org_ids, users, strict=True)), now=now)
    data.vacuum_analyze(RollCallEntry, RollCallReport, RollCall)
    client = Client()
    client.force_login(official)
    return State(
        rollcall=rollcall,
        organisations=count,
        projects=total,
        silent=silent,
        client=client,
        conn=data.raw_connection(autocommit=True),
    )


def _report(rng: random.Random, rollcall: RollCall, *, member_of: dict[int, int], now) -> int:
    """60% of the organisations report on all or some of their projects: the rows updated in
    one UPDATE ... FROM a temporary table, the reports COPYed. How many stay silent."""
    by_org: dict[int, list[int]] = {}
    for pk, org in RollCallEntry.objects.filter(rollcall=rollcall).values_list("pk", "organization_id"):
        by_org.setdefault(org, []).append(pk)
    organisations = sorted(by_org)
    reporting = rng.sample(organisations, round(len(organisations) * REPORTED_SHARE))
    updates, reports = [], []
    for org in reporting:
        entries = by_org[org]
        if rng.random() >= ALL_REPORTED_SHARE and len(entries) > 1:
            entries = rng.sample(entries, rng.randint(1, len(entries) - 1))
        for pk in entries:
            roll = rng.random()
            status = "safe" if roll < 0.85 else "affected" if roll < 0.95 else "unreachable"
            injured, missing, evacuated, note = 0, 0, 0, ""
            if status == "affected":
                injured, missing, evacuated = rng.randint(0, 3), rng.randint(0, 1), rng.randint(0, 60)
                note = rng.choice(NOTES)
            when = now + dt.timedelta(minutes=rng.randint(5, 600))
            values = (status, injured, missing, evacuated, note, member_of[org], when)
            updates.append((pk, *values))
            if rng.random() < 0.1:
                reports.append((pk, "unreachable", 0, 0, 0, "", member_of[org], when - dt.timedelta(minutes=30)))
            reports.append((pk, *values))
    fields = ("status", "injured", "missing", "evacuated", "note", "reported_by_id", "reported_at")
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TEMPORARY TABLE bench_rollcall_reported (id bigint, status varchar(12), injured int, "
            "missing int, evacuated int, note text, reported_by_id bigint, reported_at timestamptz)"
        )
        data.copy_rows("bench_rollcall_reported", ("id", *fields), updates)
        assignments = ", ".join(f"{name} = r.{name}" for name in fields)
        cur.execute(
            f"UPDATE {RollCallEntry._meta.db_table} e SET {assignments} "
            "FROM bench_rollcall_reported r WHERE e.id = r.id"
        )
        cur.execute("DROP TABLE bench_rollcall_reported")
    reports.sort(key=lambda r: r[-1])
    data.copy_rows(RollCallReport._meta.db_table, ("entry_id", *fields), reports)
    return len(organisations) - len(reporting)


# --- The reference ----------------------------------------------------------------------------

SQL_BY_STATUS = """
    SELECT status, count(*), sum(chinese_staff), sum(local_staff), sum(injured), sum(missing), sum(evacuated)
    FROM risk_rollcallentry WHERE rollcall_id = %s GROUP BY status
"""
SQL_ORGANISATIONS = """
    SELECT count(DISTINCT organization_id), count(DISTINCT organization_id) FILTER (WHERE reported_at IS NOT NULL)
    FROM risk_rollcallentry WHERE rollcall_id = %s
"""
SQL_BOARD = """
    SELECT e.organization_id, o.name, count(*), sum(e.chinese_staff), sum(e.local_staff), sum(e.injured),
           sum(e.missing), count(*) FILTER (WHERE e.status = 'pending'), count(*) FILTER (WHERE e.status = 'safe'),
           count(*) FILTER (WHERE e.status = 'affected'), count(*) FILTER (WHERE e.status = 'unreachable'),
           max(e.reported_at),
           CASE WHEN max(e.reported_at) IS NULL THEN 0
                WHEN count(*) FILTER (WHERE e.status = 'pending') > 0 THEN 1 ELSE 2 END AS rank
    FROM risk_rollcallentry e JOIN portal_organization o ON o.id = e.organization_id
    WHERE e.rollcall_id = %s
    GROUP BY e.organization_id, o.name
    ORDER BY rank, o.name, e.organization_id
    LIMIT %s
"""
SQL_BOARD_COUNT = "SELECT count(DISTINCT organization_id) FROM risk_rollcallentry WHERE rollcall_id = %s"


def raw_board(state: State) -> tuple[list, tuple, list, int]:
    """The reference: the figures and the board's first page with its count, by hand."""
    pk = state.rollcall.pk
    with state.conn.cursor() as cur:
        cur.execute(SQL_BY_STATUS, (pk,))
        by_status = cur.fetchall()
        cur.execute(SQL_ORGANISATIONS, (pk,))
        organisations = cur.fetchone()
        cur.execute(SQL_BOARD, (pk, PAGE_SIZE))
        page = cur.fetchall()
        cur.execute(SQL_BOARD_COUNT, (pk,))
        (count,) = cur.fetchone()
    return by_status, organisations, page, count


# --- The page ---------------------------------------------------------------------------------


def _url(state: State, page: int | None = None) -> str:
    url = rollcalls.rollcall_url(state.rollcall)
    return f"{url}?page={page}" if page else url


def _request(client: Client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def measure(ctx: Context, state: State) -> list[Row]:
    url = _url(state)
    last = -(-state.organisations // PAGE_SIZE)
    counts = [len(ctx.queries(lambda u=u: _request(state.client, u))) for u in (url, _url(state, last))]
    html = _request(state.client, url).content.decode()
    by_status, organisations, page, count = raw_board(state)
    board = list(rollcalls.board(state.rollcall)[:PAGE_SIZE])
    assert [row["organization_id"] for row in board] == [row[0] for row in page]
    assert rollcalls.board(state.rollcall).count() == count == state.organisations
    figures = rollcalls.figures(state.rollcall)
    assert figures["organizations"] == organisations[0] == state.organisations
    assert figures["silent_organizations"] == organisations[0] - organisations[1] == state.silent
    assert figures["projects"] == sum(row[1] for row in by_status) == state.projects
    rows = html.count('data-testid="board-row"')
    assert rows == min(PAGE_SIZE, state.organisations), rows
    assert html.count('class="is-silent"') == min(PAGE_SIZE, state.silent), "the silent organisations come first"
    breakdown = ctx.breakdown(lambda: _request(state.client, url))
    samples, ref = ctx.compare(
        lambda: _request(state.client, url), lambda: raw_board(state), inner=INNER, label="roll-call board"
    )
    state.conn.close()
    return [
        Row(
            label="roll-call board, first page, official",
            samples=samples,
            reference=ref,
            max_ratio=MAX_RATIO,
            queries=f"first / last page: {counts[0]} / {counts[1]}",
            checks={
                f"median < {duration(MEDIAN)}": statistics.median(samples) < MEDIAN,
                "queries fixed": len(set(counts)) == 1,
            },
            notes=[
                f"subject: GET {url} as the official; {state.projects:,} projects of {state.organisations:,} "
                f"organisations, {state.silent:,} silent",
                "reference: psycopg2 figures (GROUP BY status with sums; COUNT DISTINCT organisations) and the "
                "board's first page (GROUP BY organisation, silent first, LIMIT 50) with the pager's count",
                f"where the request's time goes, {breakdown}",
            ],
        )
    ]


FIGURE = Figure(
    name="rollcall",
    title="The safety roll-call board: 5,000 organisations, 20,000 projects",
    goal="the board under 200 ms median with the silent organisations first, within 3× raw SQL",
    setup=setup,
    measure=measure,
)
