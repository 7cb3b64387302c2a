"""Typical negative cases (典型负面案例): officials with `publish_risk` keep them (every error at
once, audited), everyone reads and searches them over the API and the pages, the list exports to
Excel, and the monthly digest tells every enterprise the month's new cases once."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.models import AuditEvent, Notification
from portal.testing.api import APIMatrix
from portal.testing.cast import roles
from portal.testing.factories import OrganizationFactory, member
from portal.testing.pages import LOGIN, PageMatrix
from risk import cases, tasks
from risk.models import NegativeCase

from .factories import CountryRiskFactory, NegativeCaseFactory

pytestmark = pytest.mark.django_db

PUBLISHERS = ("publisher", "official")


def publishers(value) -> dict:
    return dict.fromkeys(PUBLISHERS, value)


def case_data(**overrides) -> dict:
    return {
        "title": "某企业在越南因环评不合规被责令停产",
        "country": "VN",
        "sector": "manufacturing",
        "category": "environmental_damage",
        "occurred_on": "2026-03-01",
        "summary": "废水排放不达标，被责令停产整改。",
        "lessons": "环评和排放设施与主体工程同步建设。",
        "source": "省商务厅",
    } | overrides


class TestCaseAPI(APIMatrix):
    basename = "risk-case"
    update_data = {"lessons": "同步建设环保设施，定期第三方检测。"}
    expect = {
        # Public, the anonymous included; only publishers write.
        "list": roles(True),
        "retrieve": roles(200),
        "create": roles(403, publishers(201), anonymous=401),
        "update": roles(403, publishers(200), anonymous=401),
        "destroy": roles(403, publishers(204), anonymous=401),
    }

    def make_record(self, cast):
        return NegativeCaseFactory()

    def create_data(self, cast):
        return case_data()


def test_a_bad_case_reports_every_field_at_once_and_writes_nothing(cast, api):
    response = api.as_user(cast.publisher).post(
        reverse("api:risk-case-list"),
        case_data(title="", country="XX", category="gossip", occurred_on="2999-01-01", summary="", lessons=""),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"title", "country", "category", "occurred_on", "summary", "lessons"}
    assert "不能晚于今天" in response.json()["occurred_on"][0]
    assert not NegativeCase.objects.exists()


def test_a_refused_official_gets_403_before_any_field_error(cast, api):
    response = api.as_user(cast.reviewer).post(reverse("api:risk-case-list"), {}, format="json")
    assert response.status_code == 403


def test_the_list_filters_and_searches_in_chinese(api):
    NegativeCaseFactory(title="柬埔寨拖欠工资案", category="wage_arrears")
    NegativeCaseFactory(
        title="越南环评案", country_id="VN", category="environmental_damage", sector="manufacturing", summary="废水超标"
    )
    NegativeCaseFactory(title="老挝行贿案", country_id="LA", category="corruption", occurred_on=dt.date(2024, 5, 1))

    def titles(**params):
        response = api.get(reverse("api:risk-case-list"), params)
        assert response.status_code == 200, response.content
        return sorted(row["title"] for row in response.json()["results"])

    assert titles(country="vn,la") == ["老挝行贿案", "越南环评案"]
    assert titles(category=["corruption", "wage_arrears"]) == ["柬埔寨拖欠工资案", "老挝行贿案"]
    assert titles(sector="manufacturing") == ["越南环评案"]
    assert titles(year=2024) == ["老挝行贿案"]
    assert titles(search="废水") == ["越南环评案"]
    assert titles(search="老挝") == ["老挝行贿案"]  # the country's name
    assert api.get(reverse("api:risk-case-list"), {"year": "20x4"}).status_code == 400


def test_the_list_costs_the_same_queries_for_one_case_or_many(api, django_assert_num_queries):
    for _n in range(25):
        NegativeCaseFactory()
    for size in (1, 25):
        with django_assert_num_queries(2):  # the count; the page with the countries
            response = api.get(reverse("api:risk-case-list"), {"page_size": size})
        assert len(response.json()["results"]) == size


def test_editing_keeps_the_fields_left_out_and_is_audited(cast):
    case = NegativeCaseFactory()
    cases.case_update(actor=cast.publisher, case=case, data={"lessons": "新的教训。"})
    case.refresh_from_db()
    assert (case.lessons, case.category) == ("新的教训。", "wage_arrears")
    event = AuditEvent.objects.get(action="negative_case.update")
    assert event.data["fields"] == ["lessons"]
    cases.case_update(actor=cast.publisher, case=case, data={"lessons": "新的教训。"})  # nothing changed
    assert AuditEvent.objects.filter(action="negative_case.update").count() == 1


def test_deleting_leaves_the_title_in_the_audit_trail(cast):
    case = NegativeCaseFactory(title="待删除的案例")
    cases.case_delete(actor=cast.publisher, case=case)
    assert not NegativeCase.objects.exists()
    assert AuditEvent.objects.get(action="negative_case.delete").data["title"] == "待删除的案例"
    with pytest.raises(PermissionError):
        cases.case_delete(actor=cast.reviewer, case=NegativeCaseFactory())


# --- Pages ------------------------------------------------------------------------------------


class TestCasePages(PageMatrix):
    url_name = "risk:case"
    post_data = {
        "post:case_edit": lambda cast, case: {
            "title": case.title,
            "country": "KH",
            "sector": "building",
            "category": "wage_arrears",
            "occurred_on": "2026-01-05",
            "summary": case.summary,
            "lessons": "设立工资保证金。",
            "source": "",
        },
    }
    effects = {
        "post:case_edit": lambda case: case.lessons == "设立工资保证金。",
        "post:case_delete": lambda case: case is None,
    }
    expect = {
        "get": roles(200),
        "get:case_edit": roles(403, publishers(200), anonymous=LOGIN),
        "post:case_edit": roles(403, publishers("done"), anonymous=LOGIN),
        "get:case_delete": roles(403, publishers(200), anonymous=LOGIN),
        "post:case_delete": roles(403, publishers("done"), anonymous=LOGIN),
    }

    def make_record(self, cast):
        return NegativeCaseFactory()


class TestCaseListPages(PageMatrix):
    url_name = "risk:cases"
    post_data = {"post:case_create": lambda cast, record: case_data()}
    watch = (NegativeCase,)
    expect = {
        "get": roles(200),
        "get:case_create": roles(403, publishers(200), anonymous=LOGIN),
        "post:case_create": roles(403, publishers("done"), anonymous=LOGIN),
    }


def test_a_publisher_records_a_case_on_the_page_and_sees_it_listed(cast, client):
    client.force_login(cast.publisher)
    response = client.post(reverse("risk:case_create"), case_data())
    case = NegativeCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("risk:case", kwargs={"pk": case.pk})
    page = client.get(reverse("risk:cases")).content.decode()
    assert "某企业在越南因环评不合规被责令停产" in page
    assert 'data-testid="case-create"' in page


def test_a_bad_form_shows_the_errors_and_saves_nothing(cast, client):
    client.force_login(cast.publisher)
    response = client.post(reverse("risk:case_create"), case_data(summary="", occurred_on="2999-01-01"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "请填写案情概要。" in body and "发生日期不能晚于今天。" in body
    assert not NegativeCase.objects.exists()


def test_the_list_page_filters_says_when_nothing_matches_and_when_there_is_nothing(client):
    body = client.get(reverse("risk:cases")).content.decode()
    assert "暂无典型负面案例" in body
    NegativeCaseFactory(title="柬埔寨拖欠工资案")
    body = client.get(reverse("risk:cases"), {"search": "柬埔寨"}).content.decode()
    assert "柬埔寨拖欠工资案" in body
    body = client.get(reverse("risk:cases"), {"search": "冰川"}).content.decode()
    assert "没有符合条件的案例" in body and "清除筛选" in body
    assert 'data-testid="case-create"' not in body  # the public may not record cases


def test_the_list_page_costs_the_same_queries_for_one_case_or_many(client, django_assert_max_num_queries):
    NegativeCaseFactory()
    client.get(reverse("risk:cases"))
    for _n in range(15):
        NegativeCaseFactory()
    with django_assert_max_num_queries(4):  # session-less: the count, the page with countries, ...
        response = client.get(reverse("risk:cases"))
    assert response.content.decode().count('data-testid="case-row"') == 16


def test_the_export_holds_the_filtered_cases(client):
    NegativeCaseFactory(title="柬埔寨拖欠工资案")
    NegativeCaseFactory(title="越南环评案", country_id="VN", category="environmental_damage")
    response = client.get(reverse("risk:cases"), {"country": "VN", "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:3] == ("案例名称", "国家", "行业")
    assert [row[0] for row in rows[1:]] == ["越南环评案"]


# --- The monthly digest -----------------------------------------------------------------------


def test_the_digest_tells_every_enterprise_last_months_cases_and_high_risk_countries_once(cast):
    today = dt.date(2026, 12, 3)
    tz = timezone.get_current_timezone()
    NegativeCaseFactory(title="十一月的案例", created_at=dt.datetime(2026, 11, 20, 10, tzinfo=tz))
    NegativeCaseFactory(title="十月的案例", created_at=dt.datetime(2026, 10, 20, 10, tzinfo=tz))
    NegativeCaseFactory(title="十二月的案例", created_at=dt.datetime(2026, 12, 1, 10, tzinfo=tz))
    CountryRiskFactory(country_id="MM", level=4)
    CountryRiskFactory(country_id="TH", level=2)
    second = member(OrganizationFactory())

    sent = cases.monthly_digest_send(today=today)

    told = Notification.objects.filter(dedupe_key="risk-digest:2026-11")
    enterprise_members = {cast.owner.pk, cast.colleague.pk, cast.outsider.pk, second.pk}
    assert set(told.values_list("recipient_id", flat=True)) == enterprise_members
    assert sent == len(enterprise_members)
    note = told.get(recipient=cast.owner)
    assert "2026-11" in note.title and "新增典型负面案例 1 起" in note.title and "高风险国家 1 个" in note.title
    assert "《十一月的案例》" in note.body and "缅甸（暂勿前往）" in note.body
    assert "十月的案例" not in note.body and "十二月的案例" not in note.body
    assert "Myanmar (level 4)" in note.body_en
    assert note.url.startswith(reverse("risk:cases"))
    assert not Notification.objects.filter(recipient__in=[cast.supplier, cast.reviewer, cast.talent]).exists()

    assert cases.monthly_digest_send(today=today + dt.timedelta(days=3)) == 0  # again this month: nothing


def test_a_month_without_cases_or_high_risk_countries_still_says_so(cast):
    cases.monthly_digest_send(today=dt.date(2026, 12, 1))
    note = Notification.objects.get(recipient=cast.owner)
    assert "新增案例：无" in note.body


def test_the_digest_is_a_monthly_beat_job_on_the_bulk_queue(settings, cast):
    entry = settings.PORTAL_BEAT_SCHEDULE["risk-monthly-digest"]
    assert entry["task"] == "risk.monthly_digest" == tasks.monthly_digest.name
    schedule = entry["schedule"]
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == ({1}, {9}, {0})
    assert settings.CELERY_TASK_ROUTES["risk.monthly_digest"] == {"queue": "bulk"}
    assert tasks.monthly_digest() >= 1
