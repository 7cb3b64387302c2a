"""Matchmaking events (对接会): who may read, write, publish and register (a role matrix over
the API and the pages, drafts hidden as 404), exactly who is invited, capacity, the reminder
and the change notices sent once however often the jobs run, the attendee export and the .ics
feed, and the list's pinned query count."""

from __future__ import annotations

import io
from datetime import timedelta

import icalendar
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.models import Country, Notification
from portal.testing.api import APIMatrix
from portal.testing.cast import roles
from portal.testing.factories import member
from projects.choices import FilingStatus
from projects.tests.factories import ProjectFactory
from suppliers import matchmaking
from suppliers.choices import EventStatus, RegistrationStatus
from suppliers.choices import SupplierStatus as S
from suppliers.models import Category, EventRegistration, MatchmakingEvent

from .factories import SupplierFactory

pytestmark = pytest.mark.django_db

REVIEWERS = {"reviewer": 200, "official": 200}


def make_event(*, status=EventStatus.PUBLISHED, capacity=10, days_ahead=20, categories=("green_materials",), **extra):
    starts = extra.pop("starts_at", timezone.now() + timedelta(days=days_ahead))
    values = {
        "title": "中国（湖北）—柬埔寨建材供需对接会",
        "country": Country.objects.get(code="KH"),
        "city": "金边",
        "venue": "索卡酒店",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=6),
        "registration_deadline": starts - timedelta(days=2),
        "sectors": ["building"],
        "capacity": capacity,
        "status": status,
        "published_at": timezone.now() if status == EventStatus.PUBLISHED else None,
    }
    values.update(extra)
    event = MatchmakingEvent.objects.create(**values)
    event.categories.set(Category.objects.filter(code__in=categories))
    return event


def approve(cast, **kwargs):
    """The cast's supplier, approved, serving Cambodia in green materials (unless told otherwise)."""
    kwargs.setdefault("status", S.APPROVED)
    return SupplierFactory(organization=cast.supplier_org, **kwargs)


def registration_data(**overrides):
    return {
        "attendees": 2,
        "contact_name": "李经理",
        "contact_phone": "13800000000",
        "note": "寻找分销伙伴",
        **overrides,
    }


def inbox(user, key_part: str) -> int:
    return Notification.objects.filter(recipient=user, dedupe_key__contains=key_part).count()


# --- API role matrix ------------------------------------------------------------------------


class TestADraftEvent(APIMatrix):
    basename = "matchmaking-event"
    update_data = {"venue": "金边钻石岛会展中心"}
    expect = {
        "list": roles(False, reviewer=True, official=True),
        "retrieve": roles(404, REVIEWERS),
        "update": roles(404, REVIEWERS, anonymous=401),
        "action:publish": roles(404, REVIEWERS, anonymous=401),
        "action:register": roles(404, anonymous=401, reviewer=403, official=403),
    }
    effects = {"action:publish": lambda e: e.status == EventStatus.PUBLISHED and e.published_at is not None}

    def make_record(self, cast):
        return make_event(status=EventStatus.DRAFT)


class TestAPublishedEvent(APIMatrix):
    basename = "matchmaking-event"
    update_data = {"venue": "金边钻石岛会展中心"}
    expect = {
        "list": roles(True),
        "retrieve": roles(200),
        "update": roles(403, REVIEWERS, anonymous=401),
        "action:publish": roles(403, reviewer=400, official=400, anonymous=401),
        # Enterprises may register (an empty form is a 400 about its fields); a supplier only
        # once approved (the cast's is not), talents and officials never.
        "action:register": roles(403, owner=400, colleague=400, outsider=400, anonymous=401),
        "action:cancel": roles(403, REVIEWERS, anonymous=401),
    }
    effects = {
        "update": lambda e: e.sequence == 1,
        "action:cancel": lambda e: e.status == EventStatus.CANCELLED and e.sequence == 1,
    }

    def make_record(self, cast):
        return make_event()


def test_a_reviewer_creates_an_event_and_every_error_comes_back_at_once(cast, api):
    api.as_user(cast.reviewer)
    starts = timezone.now() + timedelta(days=30)
    bad = api.post(
        reverse("api:matchmaking-event-list"),
        {
            "title": "",
            "country": "XX",
            "city": "",
            "starts_at": starts.isoformat(),
            "ends_at": (starts - timedelta(hours=1)).isoformat(),
            "registration_deadline": starts.isoformat(),
            "capacity": 0,
            "sectors": ["space"],
        },
        format="json",
    )
    assert bad.status_code == 400
    assert {"title", "country", "city", "capacity", "sectors"} <= set(bad.json())
    assert not MatchmakingEvent.objects.exists()
    bad_times = api.post(
        reverse("api:matchmaking-event-list"),
        {
            "title": "马来西亚装备制造对接会",
            "country": "MY",
            "city": "吉隆坡",
            "starts_at": starts.isoformat(),
            "ends_at": (starts - timedelta(hours=1)).isoformat(),
            "registration_deadline": (starts + timedelta(days=1)).isoformat(),
            "capacity": 80,
        },
        format="json",
    )
    assert bad_times.status_code == 400
    assert {"ends_at", "registration_deadline"} <= set(bad_times.json())
    good = api.post(
        reverse("api:matchmaking-event-list"),
        {
            "title": "马来西亚装备制造对接会",
            "country": "MY",
            "city": "吉隆坡",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=6)).isoformat(),
            "registration_deadline": (starts - timedelta(days=3)).isoformat(),
            "capacity": 80,
            "categories": ["equipment"],
            "sectors": ["power"],
        },
        format="json",
    )
    assert good.status_code == 201, good.json()
    assert good.json()["status"] == "draft" and good.json()["categories"] == ["equipment"]
    for user in (cast.owner, cast.supplier, cast.trainer):
        refused = api.as_user(user).post(reverse("api:matchmaking-event-list"), {"title": "x"}, format="json")
        assert refused.status_code == 403
    assert MatchmakingEvent.objects.count() == 1


# --- Who is invited -------------------------------------------------------------------------


def test_publishing_invites_exactly_the_matching_suppliers_and_the_enterprises_with_projects_there(
    cast, api, tasks_run_here, django_capture_on_commit_callbacks
):
    approve(cast)  # green materials, KH and MY
    wrong_category = SupplierFactory(status=S.APPROVED, categories=["legal"])
    wrong_country = SupplierFactory(status=S.APPROVED, countries=["KE"])
    suspended = SupplierFactory(status=S.SUSPENDED)
    pending = SupplierFactory(status=S.SUBMITTED)
    others = [member(s.organization) for s in (wrong_category, wrong_country, suspended, pending)]
    ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    ProjectFactory(organization=cast.outsider_org, country_id="KE")  # a project elsewhere
    withdrawn_org = member(ProjectFactory(country_id="KH", filing_status=FilingStatus.WITHDRAWN).organization)
    event = make_event(status=EventStatus.DRAFT)
    assert matchmaking.audience_counts(event) == {"suppliers": 1, "enterprises": 1, "people": 3}

    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(cast.reviewer).post(reverse("api:matchmaking-event-publish", kwargs={"pk": event.pk}))
    assert response.status_code == 200
    invited = {cast.supplier, cast.owner, cast.colleague}
    for user in invited:
        assert inbox(user, f"matchmaking:{event.pk}:invite") == 1, user
    for user in [cast.outsider, cast.talent, cast.reviewer, withdrawn_org, *others]:
        assert inbox(user, f"matchmaking:{event.pk}:invite") == 0, user
    # The job run again (a retry, a second publication attempt) tells nobody twice.
    assert matchmaking.event_invite(event_id=event.pk) == 0
    assert Notification.objects.filter(dedupe_key=f"matchmaking:{event.pk}:invite").count() == 3


def test_an_event_without_categories_invites_every_approved_supplier_serving_the_country(cast):
    approve(cast, categories=["legal"])
    event = make_event(status=EventStatus.DRAFT, categories=())
    assert matchmaking.audience_counts(event)["suppliers"] == 1


# --- Registration ---------------------------------------------------------------------------


def test_registration_counts_attendees_against_capacity_and_says_how_many_places_are_left(cast, api):
    event = make_event(capacity=5)
    url = reverse("api:matchmaking-event-register", kwargs={"pk": event.pk})
    first = api.as_user(cast.owner).post(url, registration_data(attendees=3), format="json")
    assert first.status_code == 201
    assert first.json()["organization"] == cast.enterprise.name
    again = api.as_user(cast.colleague).post(url, registration_data(), format="json")
    assert again.status_code == 400 and "本单位已报名该对接会。" in str(again.json())
    too_many = api.as_user(cast.outsider).post(url, registration_data(attendees=3), format="json")
    assert too_many.status_code == 400
    assert too_many.json()["attendees"] == ["名额不足，剩余 2 个名额。"]
    bad = api.as_user(cast.outsider).post(url, registration_data(attendees=0, contact_phone=""), format="json")
    assert bad.status_code == 400 and {"attendees", "contact_phone"} <= set(bad.json())
    approve(cast)
    assert api.as_user(cast.supplier).post(url, registration_data(attendees=2), format="json").status_code == 201
    assert matchmaking.attendees_registered(event) == 5
    # Withdrawing frees the places; the organisation may register again.
    assert api.as_user(cast.owner).delete(url).status_code == 204
    assert api.as_user(cast.outsider).post(url, registration_data(attendees=3), format="json").status_code == 201
    assert EventRegistration.objects.get(event=event, organization=cast.enterprise).status == "cancelled"


def test_registration_closes_at_the_deadline_and_a_cancelled_event_takes_none(cast, api):
    closed = make_event(registration_deadline=timezone.now() - timedelta(minutes=1))
    url = reverse("api:matchmaking-event-register", kwargs={"pk": closed.pk})
    response = api.as_user(cast.owner).post(url, registration_data(), format="json")
    assert response.status_code == 400 and "报名已截止。" in str(response.json())
    cancelled = make_event(status=EventStatus.CANCELLED)
    url = reverse("api:matchmaking-event-register", kwargs={"pk": cancelled.pk})
    assert api.as_user(cast.owner).post(url, registration_data(), format="json").status_code == 400
    assert not EventRegistration.objects.exists()


def test_a_suspended_supplier_may_not_register(cast, api):
    approve(cast, status=S.SUSPENDED)
    event = make_event()
    url = reverse("api:matchmaking-event-register", kwargs={"pk": event.pk})
    response = api.as_user(cast.supplier).post(url, registration_data(), format="json")
    assert response.status_code == 403
    assert not EventRegistration.objects.exists()


def test_registrations_are_seen_by_reviewers_and_by_each_organisation_for_itself(cast, api, django_assert_num_queries):
    event = make_event(capacity=50)
    for user in (cast.owner, cast.outsider):
        matchmaking.register(actor=user, event=event, **registration_data())
    url = reverse("api:matchmaking-event-registrations", kwargs={"pk": event.pk})
    everyone = api.as_user(cast.reviewer).get(url).json()["results"]
    assert {r["organization"] for r in everyone} == {cast.enterprise.name, cast.outsider_org.name}
    mine = api.as_user(cast.colleague).get(url).json()["results"]
    assert [r["organization"] for r in mine] == [cast.enterprise.name]
    assert api.as_user(cast.supplier).get(url).json()["results"] == []
    assert api.as_user(None).get(url).status_code == 401
    # The outsider cannot withdraw the enterprise's registration: it only reaches its own.
    assert (
        api.as_user(cast.outsider)
        .delete(reverse("api:matchmaking-event-register", kwargs={"pk": event.pk}))
        .status_code
        == 204
    )
    assert (
        EventRegistration.objects.get(event=event, organization=cast.enterprise).status == RegistrationStatus.REGISTERED
    )


def test_the_event_list_takes_the_same_queries_for_one_event_or_many(cast, api, django_assert_max_num_queries):
    api.as_user(cast.owner)
    make_event()
    with django_assert_max_num_queries(4) as one:
        assert api.get(reverse("api:matchmaking-event-list")).status_code == 200
    for _n in range(6):
        event = make_event(categories=("green_materials", "equipment"))
        matchmaking.register(actor=cast.outsider, event=event, **registration_data())
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = api.get(reverse("api:matchmaking-event-list"))
    assert response.json()["count"] == 7
    assert {r["attendees_registered"] for r in response.json()["results"]} == {0, 2}


# --- Notices ---------------------------------------------------------------------------------


def test_registrants_are_reminded_the_day_before_once_however_often_the_job_runs(cast):
    event = make_event(
        starts_at=timezone.now() + timedelta(hours=20), registration_deadline=timezone.now() + timedelta(hours=1)
    )
    later = make_event(days_ahead=3)
    matchmaking.register(actor=cast.owner, event=event, **registration_data())
    matchmaking.register(actor=cast.owner, event=later, **registration_data())
    assert matchmaking.events_remind() == 1
    assert matchmaking.events_remind() == 0
    assert inbox(cast.owner, f"matchmaking:{event.pk}:remind") == 1
    assert inbox(cast.colleague, f"matchmaking:{event.pk}:remind") == 0  # the one who registered
    assert inbox(cast.owner, f"matchmaking:{later.pk}:remind") == 0


def test_a_change_of_time_and_a_cancellation_are_told_to_the_registered_once_each(
    cast, api, tasks_run_here, django_capture_on_commit_callbacks
):
    event = make_event()
    matchmaking.register(actor=cast.owner, event=event, **registration_data())
    detail = reverse("api:matchmaking-event-detail", kwargs={"pk": event.pk})
    moved = {
        "starts_at": (event.starts_at + timedelta(days=1)).isoformat(),
        "ends_at": (event.ends_at + timedelta(days=1)).isoformat(),
    }
    api.as_user(cast.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.patch(detail, moved, format="json").status_code == 200
    assert inbox(cast.owner, f"matchmaking:{event.pk}:changed:1") == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert api.patch(detail, {"description": "议程已更新"}, format="json").status_code == 200
    assert Notification.objects.filter(recipient=cast.owner, dedupe_key__contains="changed").count() == 1
    cancel = reverse("api:matchmaking-event-cancel", kwargs={"pk": event.pk})
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(cancel, {"reason": "当地安全形势变化"}, format="json").status_code == 200
    notice = Notification.objects.get(recipient=cast.owner, dedupe_key=f"matchmaking:{event.pk}:cancelled")
    assert "当地安全形势变化" in notice.body
    assert matchmaking.event_notify_change(event_id=event.pk, sequence=3) == 0
    refused = api.patch(detail, {"venue": "新地点"}, format="json")
    assert refused.status_code == 400 and "已取消的对接会不能修改。" in str(refused.json())


def test_capacity_cannot_drop_below_the_attendees_registered(cast, api):
    event = make_event(capacity=10)
    matchmaking.register(actor=cast.owner, event=event, **registration_data(attendees=4))
    detail = reverse("api:matchmaking-event-detail", kwargs={"pk": event.pk})
    response = api.as_user(cast.reviewer).patch(detail, {"capacity": 3}, format="json")
    assert response.status_code == 400 and response.json()["capacity"] == ["名额不能少于已报名人数。"]
    assert MatchmakingEvent.objects.get(pk=event.pk).capacity == 10


# --- Pages -----------------------------------------------------------------------------------


def body(response) -> str:
    return response.content.decode()


def test_the_events_page_lists_published_events_and_drafts_only_for_reviewers(cast, client):
    make_event(title="已发布的柬埔寨对接会")
    make_event(title="草稿中的马来西亚对接会", status=EventStatus.DRAFT)
    public = body(client.get(reverse("suppliers:events")))
    assert "已发布的柬埔寨对接会" in public and "草稿中的马来西亚对接会" not in public
    client.force_login(cast.reviewer)
    mine = body(client.get(reverse("suppliers:events")))
    assert "草稿中的马来西亚对接会" in mine and 'data-testid="event-create"' in mine


def test_the_events_page_says_so_when_there_are_none(client, db):
    page = body(client.get(reverse("suppliers:events")))
    assert "暂无对接会安排" in page
    assert "没有符合条件的对接会" in body(client.get(reverse("suppliers:events") + "?country=MY"))


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 404), ("supplier", 404), ("anonymous", 404), ("trainer", 404), ("reviewer", 200)],
)
def test_a_draft_is_a_404_to_everyone_but_reviewers(cast, client, role, status):
    event = make_event(status=EventStatus.DRAFT)
    if cast.user(role):
        client.force_login(cast.user(role))
    assert client.get(reverse("suppliers:event", kwargs={"pk": event.pk})).status_code == status
    assert client.get(reverse("suppliers:event_ics", kwargs={"pk": event.pk})).status_code in (
        404,
        200 if status == 200 else 404,
    )


@pytest.mark.parametrize(
    ("role", "status"), [("owner", 403), ("supplier", 403), ("trainer", 403), ("reviewer", 200), ("anonymous", 302)]
)
def test_only_reviewers_open_the_form_the_publish_page_and_the_attendee_list(cast, client, role, status):
    event = make_event()
    if cast.user(role):
        client.force_login(cast.user(role))
    for name, kwargs in [
        ("suppliers:event_create", {}),
        ("suppliers:event_edit", {"pk": event.pk}),
        ("suppliers:event_cancel", {"pk": event.pk}),
        ("suppliers:event_attendees", {"pk": event.pk}),
    ]:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == status, name


def test_a_reviewer_creates_and_publishes_an_event_on_the_pages(
    cast, client, tasks_run_here, django_capture_on_commit_callbacks
):
    approve(cast)
    client.force_login(cast.reviewer)
    starts = timezone.localtime(timezone.now() + timedelta(days=30)).replace(second=0, microsecond=0)
    fmt = "%Y-%m-%dT%H:%M"
    data = {
        "title": "柬埔寨绿色建材对接会",
        "country": "KH",
        "city": "金边",
        "venue": "索卡酒店",
        "starts_at": starts.strftime(fmt),
        "ends_at": (starts - timedelta(hours=2)).strftime(fmt),
        "registration_deadline": (starts - timedelta(days=3)).strftime(fmt),
        "capacity": "60",
        "categories": [Category.objects.get(code="green_materials").pk],
        "sectors": ["building"],
    }
    bad = client.post(reverse("suppliers:event_create"), data)
    assert bad.status_code == 200 and "结束时间须晚于开始时间。" in body(bad)
    assert not MatchmakingEvent.objects.exists()
    data["ends_at"] = (starts + timedelta(hours=6)).strftime(fmt)
    response = client.post(reverse("suppliers:event_create"), data)
    event = MatchmakingEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("suppliers:event", kwargs={"pk": event.pk})
    confirm = body(client.get(reverse("suppliers:event_publish", kwargs={"pk": event.pk})))
    assert "将邀请 1 家供应商、0 家企业，共 1 人。" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("suppliers:event_publish", kwargs={"pk": event.pk}))
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    assert inbox(cast.supplier, f"matchmaking:{event.pk}:invite") == 1


def test_an_enterprise_registers_on_the_page_and_the_reviewer_exports_the_attendees(cast, client):
    event = make_event(capacity=8)
    client.force_login(cast.owner)
    page = body(client.get(reverse("suppliers:event", kwargs={"pk": event.pk})))
    assert 'data-testid="register"' in page and "剩余 8 个名额。" in page
    refused = client.post(reverse("suppliers:event", kwargs={"pk": event.pk}), registration_data(attendees=9))
    assert refused.status_code == 400 and "名额不足，剩余 8 个名额。" in body(refused)
    client.post(reverse("suppliers:event", kwargs={"pk": event.pk}), registration_data(attendees=3))
    page = body(client.get(reverse("suppliers:event", kwargs={"pk": event.pk})))
    assert "本单位已报名：3 人" in page and 'data-testid="unregister"' in page
    client.force_login(cast.reviewer)
    sheet = client.get(reverse("suppliers:event_attendees", kwargs={"pk": event.pk}) + "?format=xlsx")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("单位", "单位类型", "参会人数")
    assert rows[1][0] == cast.enterprise.name and rows[1][2] == 3 and rows[1][4] == "13800000000"


def test_withdrawing_asks_first_and_frees_the_places(cast, client):
    event = make_event()
    matchmaking.register(actor=cast.owner, event=event, **registration_data())
    client.force_login(cast.colleague)
    confirm = client.get(reverse("suppliers:event_unregister", kwargs={"pk": event.pk}))
    assert confirm.status_code == 200 and "确定取消报名" in body(confirm)
    assert EventRegistration.objects.active().count() == 1  # asking changed nothing
    client.post(reverse("suppliers:event_unregister", kwargs={"pk": event.pk}))
    assert EventRegistration.objects.active().count() == 0
    client.force_login(cast.outsider)  # nothing of its own to withdraw
    assert client.get(reverse("suppliers:event_unregister", kwargs={"pk": event.pk})).status_code == 404


def test_the_calendar_feed_has_published_and_cancelled_events_with_their_sequence(client, db):
    published = make_event(title="柬埔寨对接会")
    cancelled = make_event(title="老挝对接会", status=EventStatus.CANCELLED, sequence=2)
    make_event(title="草稿", status=EventStatus.DRAFT)
    response = client.get(reverse("suppliers:events_ics"))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"柬埔寨对接会", "老挝对接会"}
    assert str(events["柬埔寨对接会"]["UID"]).startswith(f"matchmaking-{published.pk}@")
    assert int(events["老挝对接会"]["SEQUENCE"]) == 2 and str(events["老挝对接会"]["STATUS"]) == "CANCELLED"
    assert cancelled.pk


def test_seed_demo_adds_one_published_event_in_cambodia_with_registrations(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    event = MatchmakingEvent.objects.get()
    assert event.country_id == "KH" and event.status == EventStatus.PUBLISHED
    assert event.registrations.active().count() == 2
    assert Notification.objects.filter(dedupe_key=f"matchmaking:{event.pk}:invite").exists()
