"""The talent pool on 100,000 profiles: a search on experience country + language level +
certificate, against the same search by hand.

The dataset
  100,000 active profiles entered by 50 enterprises: one or two languages (English for seven in
  ten, at A1-C2), one certificate of the pool's kinds (a fifth of them lapsed), none to three
  overseas experiences and one or two desired countries among 40 countries (Zipf-like: the
  first has about a sixth), available within a year.

What is timed
  subject    `GET /api/v1/talents/?country=KE&language=en&level=B2&certificate=pmp&page_size=50`
             through DRF's APIClient as an enterprise member (token), end to end: the filters as
             EXISTS subqueries, the match score and its reasons, the page's languages,
             certificates, experiences and desired countries, the JSON.
  reference  on its own psycopg2 connection: the COUNT and the page's SELECT with the same
             EXISTS filters and the same score (CASE over the same EXISTS), ORDER BY score DESC,
             updated_at DESC, id DESC LIMIT 50; the page's four related lists (one SELECT each);
             dicts shaped as the serializer's, json.dumps.
  Query counts at page sizes 1 and 50.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
from dataclasses import dataclass

import psycopg2.extensions
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bench import data
from bench.core import Context, Figure, Row, duration
from portal.models import Country, Membership, Organization, User
from talent.choices import CefrLevel, CertificateKind, Education
from talent.models import TalentCertificate, TalentExperience, TalentLanguage, TalentProfile

PROFILES = 100_000
COUNTRIES = 40
PAGE_SIZE = 50
QUERY_PAGE_SIZES = (1, 50)
INNER = 5
MAX_RATIO = 3.0
MEDIAN = 0.100
QUERY = {"country": "KE", "language": "en", "level": "B2", "certificate": "pmp"}
PATH = "/api/v1/talents/"
THROTTLE = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000/second"}}
LEVELS = [level for level, _label in CefrLevel.choices]
KINDS = [kind for kind, _label in CertificateKind.choices if kind != "other"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建华", "思远", "海峰", "晓明", "国强", "丽娟", "志刚", "文静", "永红", "俊杰"]
JOBS = ["项目经理", "土木工程师", "翻译", "电气工程师", "安全工程师", "造价工程师", "律师", "技术工人"]


@dataclass
class State:
    profiles: int
    matching: int
    client: APIClient
    conn: psycopg2.extensions.connection
    today: dt.date


def setup(ctx: Context) -> State:
    rng = random.Random(9)
    data.load_countries()
    countries = data.project_countries(COUNTRIES)
    if "KE" in countries:
        countries.remove("KE")
    countries.insert(0, "KE")
    weights = [1 / (rank + 2) for rank in range(len(countries))]
    orgs = data.organisations(50, seed=11)
    Organization.objects.filter(pk__in=[o.pk for o in orgs]).update(verified_at=timezone.now())
    (member,) = data.members(1, organizations=orgs[:1], prefix="hr")
    count = ctx.n(PROFILES, minimum=2000)
    now = timezone.now()
    today = timezone.localdate()
    data.copy_rows(
        TalentProfile._meta.db_table,
        (
            "entered_by_id",
            "full_name",
            "education",
            "current_employer",
            "occupation",
            "phone",
            "email",
            "available_from",
            "skills",
            "consent_at",
            "consent_text_version",
            "created_at",
            "updated_at",
        ),
        (
            (
                orgs[i % len(orgs)].pk,
                rng.choice(SURNAMES) + rng.choice(GIVEN),
                rng.choice(Education.values),
                orgs[i % len(orgs)].name,
                rng.choice(JOBS),
                f"138{i:08d}",
                f"p{i}@bench.example.cn",
                today + dt.timedelta(days=rng.randrange(365)),
                "海外工程项目管理、现场协调",
                now,
                "2026-12-v1",
                now - dt.timedelta(days=rng.randrange(700)),
                now - dt.timedelta(seconds=rng.randrange(60 * 86400)),
            )
            for i in range(count)
        ),
    )
    ids = list(TalentProfile.objects.order_by("id").values_list("id", flat=True))
    languages, certificates, experiences, desired = [], [], [], []
    for pk in ids:
        first = "en" if rng.random() < 0.7 else rng.choice(["fr", "es", "pt", "ar", "ru"])
        languages.append((pk, first, rng.choice(LEVELS)))
        if rng.random() < 0.4:
            second = rng.choice([code for code in ("fr", "es", "pt", "ar", "ru", "en") if code != first])
            languages.append((pk, second, rng.choice(LEVELS)))
        until = None if rng.random() < 0.3 else today + dt.timedelta(days=rng.randrange(-400, 1500))
        certificates.append((pk, rng.choice(KINDS), f"C{pk:07d}", until))
        for code in {rng.choices(countries, weights)[0] for _n in range(rng.randrange(4))}:
            experiences.append((pk, code, rng.choice(JOBS), today - dt.timedelta(days=rng.randrange(400, 3000))))
        for code in {rng.choices(countries, weights)[0] for _n in range(rng.randint(1, 2))}:
            desired.append((pk, code))
    data.copy_rows(TalentLanguage._meta.db_table, ("profile_id", "code", "level"), languages)
    data.copy_rows(TalentCertificate._meta.db_table, ("profile_id", "kind", "number", "valid_until"), certificates)
    data.copy_rows(TalentExperience._meta.db_table, ("profile_id", "country_id", "role", "date_from"), experiences)
    data.copy_rows(TalentProfile.desired_countries.through._meta.db_table, ("talentprofile_id", "country_id"), desired)
    data.vacuum_analyze(TalentProfile, TalentLanguage, TalentCertificate, TalentExperience, User, Membership, Country)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {TalentProfile.desired_countries.through._meta.db_table}")
    token = Token.objects.create(user_id=member)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    state = State(profiles=len(ids), matching=0, client=client, conn=data.raw_connection(autocommit=True), today=today)
    with state.conn.cursor() as cur:
        cur.execute(SQL_COUNT, _params(state))
        state.matching = cur.fetchone()[0]
    return state


_WHERE = """
    FROM talent_talentprofile p
    WHERE p.consent_withdrawn_at IS NULL
      AND EXISTS (SELECT 1 FROM talent_talentexperience e WHERE e.profile_id = p.id AND e.country_id = %(country)s)
      AND EXISTS (SELECT 1 FROM talent_talentlanguage l
                  WHERE l.profile_id = p.id AND l.code = %(language)s AND l.level >= %(level)s)
      AND EXISTS (SELECT 1 FROM talent_talentcertificate c WHERE c.profile_id = p.id AND c.kind = %(certificate)s
                  AND (c.valid_until IS NULL OR c.valid_until >= %(today)s))
"""
SQL_COUNT = "SELECT count(*) " + _WHERE
SQL_PAGE = (
    """
    SELECT p.id, p.full_name, p.education, p.current_employer, p.occupation, p.available_from, p.skills,
           p.entered_by_id, p.consent_at, p.consent_text_version, p.consent_withdrawn_at, p.updated_at,
           EXISTS (SELECT 1 FROM talent_talentprofile_desired_countries d
                   WHERE d.talentprofile_id = p.id AND d.country_id = %(country)s) AS desired
    """
    + _WHERE
    + """
    ORDER BY 40 + 25 + 20 + CASE WHEN EXISTS (SELECT 1 FROM talent_talentprofile_desired_countries d
                   WHERE d.talentprofile_id = p.id AND d.country_id = %(country)s) THEN 15 ELSE 0 END DESC,
             p.updated_at DESC, p.id DESC
    LIMIT %(limit)s
"""
)
SQL_RELATED = {
    "languages": "SELECT profile_id, code, level FROM talent_talentlanguage WHERE profile_id = ANY(%s) ORDER BY id",
    "certificates": (
        "SELECT profile_id, kind, number, valid_until FROM talent_talentcertificate WHERE profile_id = ANY(%s) "
        "ORDER BY id"
    ),
    "experiences": (
        "SELECT profile_id, country_id, project_id, role, date_from, date_to FROM talent_talentexperience "
        "WHERE profile_id = ANY(%s) ORDER BY id"
    ),
    "desired": (
        "SELECT talentprofile_id, country_id FROM talent_talentprofile_desired_countries "
        "WHERE talentprofile_id = ANY(%s) ORDER BY id"
    ),
}
REASONS = ["在该国有海外经历", "语言达到要求的水平", "持有有效的所需证书", "意向前往该国"]


def _params(state: State, limit: int = PAGE_SIZE) -> dict:
    return {**QUERY, "today": state.today, "limit": limit}


def raw_search(state: State) -> bytes:
    """The reference: what the search answers, by hand."""
    with state.conn.cursor() as cur:
        cur.execute(SQL_COUNT, _params(state))
        total = cur.fetchone()[0]
        cur.execute(SQL_PAGE, _params(state))
        rows = cur.fetchall()
        ids = [row[0] for row in rows]
        related: dict[str, dict[int, list]] = {}
        for name, sql in SQL_RELATED.items():
            cur.execute(sql, (ids,))
            grouped: dict[int, list] = {}
            for pk, *values in cur.fetchall():
                grouped.setdefault(pk, []).append(values)
            related[name] = grouped
    tz = timezone.get_current_timezone()
    results = []
    for (
        pk,
        name,
        education,
        employer,
        occupation,
        available,
        skills,
        entered,
        consent,
        version,
        gone,
        updated,
        wish,
    ) in rows:
        reasons = [(40, REASONS[0]), (25, REASONS[1]), (20, REASONS[2])] + ([(15, REASONS[3])] if wish else [])
        results.append(
            {
                "id": pk,
                "full_name": name,
                "education": education,
                "current_employer": employer,
                "occupation": occupation,
                "languages": [{"code": c, "level": lv} for c, lv in related["languages"].get(pk, [])],
                "certificates": [
                    {"kind": k, "number": n, "valid_until": u.isoformat() if u else None}
                    for k, n, u in related["certificates"].get(pk, [])
                ],
                "experiences": [
                    {"country": c, "project": pr, "role": r, "date_from": f.isoformat(), "date_to": t and t.isoformat()}
                    for c, pr, r, f, t in related["experiences"].get(pk, [])
                ],
                "desired_countries": [c for (c,) in related["desired"].get(pk, [])],
                "available_from": available.isoformat() if available else None,
                "skills": skills,
                "entered_by": entered,
                "consent_at": consent.astimezone(tz).isoformat(),
                "consent_text_version": version,
                "consent_withdrawn_at": gone,
                "match_score": sum(points for points, _r in reasons),
                "match_reasons": [{"points": p, "reason": r} for p, r in reasons],
                "updated_at": updated.astimezone(tz).isoformat(),
            }
        )
    body = {"count": total, "next": None, "previous": None, "results": results}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _url(page_size: int = PAGE_SIZE) -> str:
    query = "&".join(f"{k}={v}" for k, v in QUERY.items())
    return f"{PATH}?{query}&page_size={page_size}"


def _request(client: APIClient, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:200])
    return response


def measure(ctx: Context, state: State) -> list[Row]:
    with override_settings(REST_FRAMEWORK=THROTTLE):
        counts = [len(ctx.queries(lambda s=size: _request(state.client, _url(s)))) for size in QUERY_PAGE_SIZES]
        body = _request(state.client, _url()).json()
        reference = json.loads(raw_search(state))
        assert body["count"] == reference["count"] == state.matching, (body["count"], reference["count"])
        assert [r["id"] for r in body["results"]] == [r["id"] for r in reference["results"]]
        assert [r["match_score"] for r in body["results"]] == [r["match_score"] for r in reference["results"]]
        breakdown = ctx.breakdown(lambda: _request(state.client, _url()))
        samples, ref = ctx.compare(
            lambda: _request(state.client, _url()), lambda: raw_search(state), inner=INNER, label="talent search"
        )
    state.conn.close()
    sizes = "/".join(str(s) for s in QUERY_PAGE_SIZES)
    return [
        Row(
            label="talent search: country + language level + certificate",
            samples=samples,
            reference=ref,
            max_ratio=MAX_RATIO,
            queries=f"page_size {sizes}: {' / '.join(str(n) for n in counts)}",
            checks={
                f"median < {duration(MEDIAN)}": statistics.median(samples) < MEDIAN,
                "queries fixed": len(set(counts)) == 1,
            },
            notes=[
                f"subject: GET {_url()} as an enterprise member; "
                f"{state.matching:,} of {state.profiles:,} profiles match",
                "reference: psycopg2 COUNT and page SELECT with the same EXISTS filters and score, the four related "
                "lists of the page, dicts, json.dumps",
                f"where the request's time goes, {breakdown}",
            ],
        )
    ]


FIGURE = Figure(
    name="talent",
    title="The talent pool: 100,000 profiles",
    goal="a search on experience country + language level + certificate under 100 ms median, within 3× raw SQL",
    setup=setup,
    measure=measure,
)
