"""Safety roll-calls over the API and the pages: who sees which roll-call and which rows (an
outsider's is a 404), who starts, reports and closes; bad input is a 400 with the field and
changes nothing; the lists cost the same queries for one row or many."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.choices import OrganizationKind
from portal.testing.api import APIMatrix
from portal.testing.cast import roles
from portal.testing.factories import OrganizationFactory, member
from portal.testing.pages import LOGIN, PageMatrix
from projects.tests.factories import ProjectFactory
from risk import rollcalls
from risk.models import RollCall, RollCallEntry, RollCallReport

pytestmark = pytest.mark.django_db

OFFICIALS = ("reviewer", "publisher", "trainer", "official")
PUBLISHERS = ("publisher", "official")


def officials(value) -> dict:
    return dict.fromkeys(OFFICIALS, value)


def a_rollcall(cast, **data) -> RollCall:
    """A roll-call over Kenya, where the enterprise has a project and the outsider none."""
    if not RollCallEntry.objects.exists():
        ProjectFactory(organization=cast.enterprise, approved=True, country_id="KE", name="蒙巴萨港")
    return rollcalls.rollcall_start(
        actor=cast.publisher,
        data={
            "title": "肯尼亚骚乱平安报备",
            "countries": ["KE"],
            "severity": "severe",
            "ends_at": timezone.now() + dt.timedelta(days=2),
        }
        | data,
    )


class TestRollCallAPI(APIMatrix):
    basename = "risk-rollcall"
    expect = {
        # Officials see all; the enterprise those asking about its projects; the rest none.
        "list": roles(False, {"owner": True, "colleague": True}, officials(True), anonymous=401),
        "retrieve": roles(404, {"owner": 200, "colleague": 200}, officials(200), anonymous=401),
        "create": roles(403, dict.fromkeys(PUBLISHERS, 201), anonymous=401),
        # Seen but not theirs to close: 403; not seen: 404.
        "action:close": roles(
            404, {"owner": 403, "colleague": 403}, officials(403), dict.fromkeys(PUBLISHERS, 200), anonymous=401
        ),
    }
    effects = {"action:close": lambda record: record.status == "closed" and record.final_figures["projects"] == 1}

    def make_record(self, cast):
        return a_rollcall(cast)

    def create_data(self, cast):
        return {
            "title": "肯尼亚大选期间平安报备",
            "countries": ["KE"],
            "severity": "extreme",
            "ends_at": (timezone.now() + dt.timedelta(days=1)).isoformat(),
        }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        *[(r, 201) for r in ("owner", "colleague")],
        ("outsider", 404),
        ("supplier", 404),
        ("talent", 404),
        *[(r, 403) for r in OFFICIALS],
        ("anonymous", 401),
    ],
)
def test_who_may_report(cast, api, role, expected):
    rollcall = a_rollcall(cast)
    entry = RollCallEntry.objects.get()
    response = api.as_user(cast.user(role)).post(
        reverse("api:risk-rollcall-reports", kwargs={"pk": rollcall.pk}),
        {"project": entry.project_id, "status": "safe"},
        format="json",
    )
    assert response.status_code == expected, response.content
    assert RollCallReport.objects.count() == (1 if expected == 201 else 0)
    if expected == 201:
        body = response.json()
        assert (body["status"], body["reported_by"], len(body["reports"])) == ("safe", cast.user(role).username, 1)


@pytest.mark.parametrize("name", ["reports", "board"])
@pytest.mark.parametrize(
    ("role", "rows"),
    [("owner", 1), ("outsider", 404), ("talent", 404), ("reviewer", 2), ("official", 2), ("anonymous", 401)],
)
def test_who_reads_which_rows(cast, api, name, role, rows):
    rollcall = a_rollcall(cast)
    theirs = OrganizationFactory(name="第三家企业", kind=OrganizationKind.ENTERPRISE)
    RollCallEntry.objects.create(
        rollcall=rollcall,
        project=ProjectFactory(organization=theirs, approved=True, country_id="KE"),
        organization=theirs,
    )
    response = api.as_user(cast.user(role)).get(reverse(f"api:risk-rollcall-{name}", kwargs={"pk": rollcall.pk}))
    if isinstance(rows, int) and rows >= 400:
        assert response.status_code == rows
        return
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == rows
    if role == "owner":
        assert {r["organization"] for r in results} == {cast.enterprise.pk}


def test_the_detail_gives_each_their_own_figures(cast, api):
    rollcall = a_rollcall(cast)
    other = OrganizationFactory(kind=OrganizationKind.ENTERPRISE)
    RollCallEntry.objects.create(
        rollcall=rollcall,
        project=ProjectFactory(organization=other, approved=True, country_id="KE"),
        organization=other,
        chinese_staff=9,
    )
    url = reverse("api:risk-rollcall-detail", kwargs={"pk": rollcall.pk})
    assert api.as_user(cast.owner).get(url).json()["figures"]["projects"] == 1
    official = api.as_user(cast.reviewer).get(url).json()["figures"]
    assert (official["projects"], official["organizations"], official["silent_organizations"]) == (2, 2, 2)


def test_bad_reports_are_400s_with_the_field_and_change_nothing(cast, api):
    rollcall = a_rollcall(cast)
    entry = RollCallEntry.objects.get()
    theirs = ProjectFactory(organization=cast.outsider_org, approved=True, country_id="KE")
    client = api.as_user(cast.owner)
    url = reverse("api:risk-rollcall-reports", kwargs={"pk": rollcall.pk})
    response = client.post(
        url, {"project": entry.project_id, "status": "affected", "injured": -3, "note": "x"}, format="json"
    )
    assert response.status_code == 400 and set(response.json()) == {"injured"}
    response = client.post(url, {"project": theirs.pk, "status": "safe"}, format="json")
    assert response.status_code == 400 and response.json() == {"project": ["项目不存在。"]}
    response = client.post(url, {"project": entry.project_id, "status": "fine"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"status"}
    response = client.post(url, {"project": "abc", "status": "safe"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"project"}
    assert not RollCallReport.objects.exists()
    entry.refresh_from_db()
    assert entry.status == "pending"


def test_a_closed_roll_call_refuses_reports(cast, api):
    rollcall = a_rollcall(cast)
    entry = RollCallEntry.objects.get()
    rollcalls.rollcall_close(actor=cast.publisher, rollcall=rollcall)
    response = api.as_user(cast.owner).post(
        reverse("api:risk-rollcall-reports", kwargs={"pk": rollcall.pk}),
        {"project": entry.project_id, "status": "safe"},
        format="json",
    )
    assert response.status_code == 400 and "已结束" in str(response.json())
    again = api.as_user(cast.publisher).post(reverse("api:risk-rollcall-close", kwargs={"pk": rollcall.pk}))
    assert again.status_code == 400


def test_starting_one_with_bad_fields_is_a_400_naming_each(cast, api):
    response = api.as_user(cast.publisher).post(
        reverse("api:risk-rollcall-list"),
        {"title": "", "countries": ["VN"], "severity": "minor", "remind_every_hours": 100},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"title", "countries", "severity", "ends_at", "remind_every_hours"}
    assert not RollCall.objects.exists()
    unknown = api.as_user(cast.publisher).post(reverse("api:risk-rollcall-list"), {"countries": ["XX"]}, format="json")
    assert unknown.status_code == 400 and "countries" in unknown.json()


@pytest.mark.parametrize("name", ["list", "reports", "board"])
def test_each_list_costs_the_same_queries_for_one_row_or_many(cast, api, name, django_assert_num_queries):
    rollcall = a_rollcall(cast)
    for n in range(5):
        org = OrganizationFactory(kind=OrganizationKind.ENTERPRISE)
        member(org)
        theirs = ProjectFactory(organization=org, approved=True, country_id="KE")
        RollCallEntry.objects.create(rollcall=rollcall, project=theirs, organization=org)
        project = ProjectFactory(organization=cast.enterprise, approved=True, country_id="KE", name=f"项目{n}")
        RollCallEntry.objects.create(rollcall=rollcall, project=project, organization=cast.enterprise)
        rollcalls.rollcall_report(actor=cast.owner, rollcall=rollcall, project_id=project.pk, data={"status": "safe"})
        a_rollcall(cast, title=f"第{n}次")
    client = api.as_user(cast.official)
    url = (
        reverse("api:risk-rollcall-list")
        if name == "list"
        else reverse(f"api:risk-rollcall-{name}", kwargs={"pk": rollcall.pk})
    )
    client.get(url)  # the membership is cached on the user
    queries = {"list": 3, "reports": 4, "board": 3}[name]  # count, page (+ countries | the roll-call, reports)
    for size in (1, 5):
        with django_assert_num_queries(queries):
            response = client.get(url, {"page_size": size})
        assert len(response.json()["results"]) == size


# --- Pages ------------------------------------------------------------------------------------


def _report(cast, record):
    return {"project": RollCallEntry.objects.get(rollcall=record).project_id, "status": "safe"}


class TestRollCallPages(PageMatrix):
    url_name = "risk:rollcall"
    watch = (RollCallReport, RollCallEntry)
    post_data = {"post": _report, "post:rollcall_close": {}}
    effects = {
        "post": lambda record: record.entries.get().status == "safe",
        "post:rollcall_close": lambda record: record.status == "closed",
    }
    expect = {
        "get": roles(404, {"owner": 200, "colleague": 200}, officials(200), anonymous=LOGIN),
        "post": roles(404, {"owner": "done", "colleague": "done"}, officials(403), anonymous=LOGIN),
        "get:rollcall_export": roles(404, {"owner": 200, "colleague": 200}, officials(200), anonymous=LOGIN),
        "get:rollcall_close": roles(
            404, {"owner": 403, "colleague": 403}, officials(403), dict.fromkeys(PUBLISHERS, 200), anonymous=LOGIN
        ),
        "post:rollcall_close": roles(
            404, {"owner": 403, "colleague": 403}, officials(403), dict.fromkeys(PUBLISHERS, "done"), anonymous=LOGIN
        ),
    }

    def make_record(self, cast):
        return a_rollcall(cast)


class TestRollCallListPages(PageMatrix):
    url_name = "risk:rollcalls"
    watch = (RollCall,)
    post_data = {"post:rollcall_start": lambda cast, record: {}}
    expect = {
        "get": roles(200, anonymous=LOGIN),
        "get:rollcall_start": roles(403, dict.fromkeys(PUBLISHERS, 200), anonymous=LOGIN),
    }

    def make_record(self, cast):
        return None


def test_the_board_page_shows_the_silent_organisations_first_and_the_figures(cast, client):
    rollcall = a_rollcall(cast)
    quiet = OrganizationFactory(name="尚未报送的企业", kind=OrganizationKind.ENTERPRISE)
    RollCallEntry.objects.create(
        rollcall=rollcall,
        project=ProjectFactory(organization=quiet, approved=True, country_id="KE"),
        organization=quiet,
    )
    entry = RollCallEntry.objects.get(organization=cast.enterprise)
    rollcalls.rollcall_report(
        actor=cast.owner,
        rollcall=rollcall,
        project_id=entry.project_id,
        data={"status": "affected", "injured": 2, "note": "营地受冲击"},
    )
    client.force_login(cast.reviewer)
    body = client.get(reverse("risk:rollcall", kwargs={"pk": rollcall.pk})).content.decode()
    assert body.index("尚未报送的企业") < body.index(cast.enterprise.name)
    assert "受伤 2 人" in body and 'data-refresh="30"' in body
    assert (
        client.get(reverse("risk:rollcall", kwargs={"pk": rollcall.pk}), {"q": "尚未"})
        .content.decode()
        .count('data-testid="board-row"')
        == 1
    )


def test_the_enterprise_reports_from_the_page_and_a_bad_report_shows_the_error(cast, client):
    rollcall = a_rollcall(cast)
    entry = RollCallEntry.objects.get()
    client.force_login(cast.owner)
    url = reverse("risk:rollcall", kwargs={"pk": rollcall.pk})
    body = client.get(url).content.decode()
    assert f'data-testid="report-{entry.project_id}"' in body and "data-refresh" not in body
    response = client.post(url, {"project": entry.project_id, "status": "affected", "injured": "-1"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "人数须为不小于 0 的整数。" in body and "请说明受影响的情况。" in body
    assert not RollCallReport.objects.exists()
    response = client.post(url, {"project": entry.project_id, "status": "affected", "injured": "1", "note": "一人轻伤"})
    assert response.status_code == 302
    body = client.get(url).content.decode()
    assert "一人轻伤" in body and 'data-testid="history"' in body


def test_the_official_starts_one_from_the_page(cast, client):
    ProjectFactory(organization=cast.enterprise, approved=True, country_id="KE")
    client.force_login(cast.publisher)
    url = reverse("risk:rollcall_start")
    response = client.post(url, {"title": "", "severity": "severe"})
    assert response.status_code == 400 and "请至少选择一个国家或地区。" in response.content.decode()
    ends = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"title": "肯尼亚点名", "countries": ["KE"], "severity": "severe", "ends_at": ends})
    rollcall = RollCall.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("risk:rollcall", kwargs={"pk": rollcall.pk})
    assert rollcall.entries.count() == 1


def test_the_export_holds_the_rows_the_user_may_see(cast, client):
    rollcall = a_rollcall(cast)
    other = OrganizationFactory(name="另一家企业", kind=OrganizationKind.ENTERPRISE)
    RollCallEntry.objects.create(
        rollcall=rollcall,
        project=ProjectFactory(organization=other, approved=True, country_id="KE"),
        organization=other,
    )
    client.force_login(cast.owner)
    book = load_workbook(io.BytesIO(client.get(reverse("risk:rollcall_export", kwargs={"pk": rollcall.pk})).content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "单位" and [r[0] for r in rows[1:]] == [cast.enterprise.name]
    client.force_login(cast.reviewer)
    book = load_workbook(io.BytesIO(client.get(reverse("risk:rollcall_export", kwargs={"pk": rollcall.pk})).content))
    assert len(list(book.active.iter_rows(values_only=True))) == 3


def test_a_closed_roll_call_shows_its_final_figures_and_no_forms(cast, client):
    rollcall = a_rollcall(cast)
    rollcalls.rollcall_close(actor=cast.publisher, rollcall=rollcall)
    client.force_login(cast.owner)
    body = client.get(reverse("risk:rollcall", kwargs={"pk": rollcall.pk})).content.decode()
    assert 'data-testid="rollcall-closed"' in body and 'data-testid="report-' not in body
    client.force_login(cast.publisher)
    response = client.get(reverse("risk:rollcall_close", kwargs={"pk": rollcall.pk}))
    assert response.status_code == 302


def test_the_bulletin_page_leads_those_asked_to_its_roll_call(cast, client, tasks_run_here):
    from risk import bulletins

    from .factories import BulletinFactory

    ProjectFactory(organization=cast.enterprise, approved=True, country_id="KE")
    bulletin = BulletinFactory(severity="extreme", countries=["KE"])
    bulletins.bulletin_publish(actor=cast.publisher, bulletin=bulletin)
    rollcall = RollCall.objects.get()
    url = reverse("risk:bulletin", kwargs={"pk": bulletin.pk})
    client.force_login(cast.owner)
    body = client.get(url).content.decode()
    assert reverse("risk:rollcall", kwargs={"pk": rollcall.pk}) in body and "报送平安报备" in body
    client.force_login(cast.outsider)
    assert 'data-testid="bulletin-rollcall"' not in client.get(url).content.decode()


def test_input_that_cannot_be_stored_is_a_field_error_not_a_500(cast, client, api):
    rollcall = a_rollcall(cast)
    entry = RollCallEntry.objects.get()
    client.force_login(cast.reviewer)
    url = reverse("risk:rollcall", kwargs={"pk": rollcall.pk})
    response = client.get(url, {"q": "安\x00全"})
    assert response.status_code == 200 and 'class="field__error"' in response.content.decode()
    client.force_login(cast.owner)
    response = client.post(url, {"project": entry.project_id, "status": "affected", "injured": "9" * 30, "note": "x"})
    assert response.status_code == 400 and "人数不能超过 100000。" in response.content.decode()
    reports = reverse("api:risk-rollcall-reports", kwargs={"pk": rollcall.pk})
    client = api.as_user(cast.owner)
    response = client.post(reports, {"project": entry.project_id, "status": "safe", "evacuated": 2**70}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"evacuated"}
    response = client.post(reports, {"project": 2**70, "status": "safe"}, format="json")
    assert response.status_code == 400 and response.json() == {"project": ["项目不存在。"]}
    assert not RollCallReport.objects.exists()
