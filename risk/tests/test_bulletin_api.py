"""The bulletins' and follows' API: a role matrix (drafts are a 404 to all but publishers), bad
input as 400s naming the field, the preview and dispatch, filters, and the list's pinned
query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification
from portal.services import notification_acknowledge
from portal.testing.api import APIMatrix
from portal.testing.cast import roles
from projects.choices import FilingStatus
from projects.tests.factories import ProjectFactory
from risk import bulletins
from risk.models import Follow, RiskBulletin

from .factories import BulletinFactory

pytestmark = pytest.mark.django_db

PUBLISHERS = {"publisher": 200, "official": 200}


def bulletin_data(**overrides):
    now = timezone.now()
    return {
        "countries": ["KH"],
        "title": "柬埔寨西哈努克省治安风险提示",
        "body": "近期盗抢案件多发，请加强营地安保。",
        "category": "security",
        "severity": "severe",
        "urgency": "expected",
        "certainty": "likely",
        "effective_at": now.isoformat(),
        "expires_at": (now + timedelta(days=14)).isoformat(),
        **overrides,
    }


class TestADraftBulletin(APIMatrix):
    basename = "risk-bulletin"
    update_data = {"title": "柬埔寨治安风险提示（修订）"}
    expect = {
        "list": roles(False, publisher=True, official=True),
        "retrieve": roles(404, PUBLISHERS),
        "update": roles(404, PUBLISHERS, anonymous=401),
        "action:publish": roles(404, PUBLISHERS, anonymous=401),
        "action:cancel": roles(404, publisher=400, official=400, anonymous=401),
    }
    effects = {"action:publish": lambda b: b.status == "published" and b.published_at is not None}

    def make_record(self, cast):
        return BulletinFactory()


class TestAPublishedBulletin(APIMatrix):
    basename = "risk-bulletin"
    update_data = {"title": "不能直接修改"}
    expect = {
        "list": roles(True),
        "retrieve": roles(200),
        "update": roles(403, publisher=400, official=400, anonymous=401),
        "action:publish": roles(403, publisher=400, official=400, anonymous=401),
        "action:cancel": roles(403, PUBLISHERS, anonymous=401),
    }
    effects = {"action:cancel": lambda b: b.status == "cancelled" and b.cancelled_at is not None}

    def make_record(self, cast):
        return BulletinFactory(status="published")


class TestCreatingABulletin(APIMatrix):
    basename = "risk-bulletin"
    expect = {"create": roles(403, publisher=201, official=201, anonymous=401)}
    effects = {"create": lambda b: b.status == "draft" and b.ack_deadline_hours == 24}

    def make_record(self, cast):
        return BulletinFactory(status="published")

    def create_data(self, cast):
        return bulletin_data()


class TestSomeonesFollow(APIMatrix):
    basename = "risk-follow"
    expect = {
        "list": roles(False, owner=True, anonymous=401),
        "retrieve": roles(404, owner=200, anonymous=401),
        "destroy": roles(404, owner=204, anonymous=401),
    }

    def make_record(self, cast):
        return Follow.objects.create(user=cast.owner, country_id="KH")


class TestFollowing(APIMatrix):
    basename = "risk-follow"
    expect = {"create": roles(201, anonymous=401)}

    def make_record(self, cast):
        return Follow.objects.create(user=cast.owner, category="health")

    def create_data(self, cast):
        return {"country": "VN", "category": "security"}


@pytest.mark.parametrize("name", ["preview", "dispatch"])
@pytest.mark.parametrize(
    ("status", "expect"),
    [("draft", roles(404, PUBLISHERS, anonymous=401)), ("published", roles(403, PUBLISHERS, anonymous=401))],
)
def test_preview_and_dispatch_are_for_publishers(cast, api, name, status, expect):
    bulletin = BulletinFactory(status=status)
    url = reverse(f"api:risk-bulletin-{name}", kwargs={"pk": bulletin.pk})
    for role, code in expect.items():
        assert api.as_user(cast.user(role)).get(url).status_code == code, role


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"countries": []}, "countries"),
        ({"countries": None}, "countries"),
        ({"expires_at": (timezone.now() - timedelta(days=1)).isoformat()}, "expires_at"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"countries": ["XX"]}, "countries"),
        ({"minor_update": True}, "minor_update"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(cast, api, overrides, field):
    data = bulletin_data(**overrides)
    if overrides.get("countries", []) is None:
        del data["countries"]
    response = api.as_user(cast.publisher).post(reverse("api:risk-bulletin-list"), data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not RiskBulletin.objects.exists()


def test_every_error_comes_back_at_once(cast, api):
    data = bulletin_data(countries=[], severity="x", expires_at=(timezone.now() - timedelta(days=1)).isoformat())
    response = api.as_user(cast.publisher).post(reverse("api:risk-bulletin-list"), data, format="json")
    assert {"countries", "severity", "expires_at"} <= set(response.json())


def test_a_publisher_drafts_previews_publishes_and_follows_the_dispatch(
    cast, api, django_capture_on_commit_callbacks, tasks_run_here
):
    ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    api.as_user(cast.publisher)
    created = api.post(reverse("api:risk-bulletin-list"), bulletin_data(), format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["cap_url"] is None

    preview = api.get(reverse("api:risk-bulletin-preview", kwargs={"pk": pk})).json()
    assert preview["total"] == 2
    assert {r["reason"]: r["people"] for r in preview["by_reason"]}["project"] == 2

    with django_capture_on_commit_callbacks(execute=True):
        published = api.post(reverse("api:risk-bulletin-publish", kwargs={"pk": pk}), {}, format="json")
    assert published.status_code == 200, published.json()
    assert published.json()["status"] == "published" and published.json()["in_force"] is True
    assert published.json()["history"][0]["action"] == "published"

    note = Notification.objects.get(recipient=cast.owner, dedupe_key=f"risk-bulletin:{pk}:alert")
    ack = api.as_user(cast.owner).post(reverse("api:notification-acknowledge", kwargs={"pk": note.pk}))
    assert ack.status_code == 200

    dispatch = api.as_user(cast.publisher).get(reverse("api:risk-bulletin-dispatch", kwargs={"pk": pk})).json()
    assert (dispatch["recipients"], dispatch["acknowledged"], dispatch["requires_ack"]) == (2, 1, True)
    assert dispatch["organizations"][0]["organization_name"] == cast.enterprise.name
    assert dispatch["silent"] == []
    assert {d["channel"] for d in dispatch["deliveries"]} == {"email"}


def test_the_dispatch_pages_the_organisations_silent_first(
    cast, api, django_capture_on_commit_callbacks, tasks_run_here, django_assert_max_num_queries
):
    ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    ProjectFactory(organization=cast.outsider_org, country_id="KH", filing_status=FilingStatus.APPROVED)
    bulletin = BulletinFactory(severity="severe")
    with django_capture_on_commit_callbacks(execute=True):
        bulletins.bulletin_publish(actor=cast.publisher, bulletin=bulletin)
    note = Notification.objects.get(recipient=cast.owner, dedupe_key=bulletin.alert_key)
    notification_acknowledge(notification=note, actor=cast.owner)
    url = reverse("api:risk-bulletin-dispatch", kwargs={"pk": bulletin.pk})
    api.as_user(cast.publisher)

    first = api.get(url, {"page_size": 1}).json()
    second = api.get(first["organizations_next"]).json()

    assert (first["organizations_count"], first["silent_count"], first["recipients"]) == (2, 1, 3)
    assert [o["organization_name"] for o in first["organizations"]] == [cast.outsider_org.name]
    assert first["silent"] == first["organizations"] and first["organizations_previous"] is None
    assert [o["organization_name"] for o in second["organizations"]] == [cast.enterprise.name]
    assert second["silent"] == [] and second["organizations_next"] is None
    assert {r["reason"]: r["people"] for r in first["recipients_by_reason"]}["project"] == 3
    # The counts by reason are the alert's: the audience is not recounted on every refresh.
    with django_assert_max_num_queries(7):
        assert api.get(url).status_code == 200
    assert api.get(url, {"page": 9}).status_code == 404


def test_an_update_is_posted_as_a_draft_naming_the_published_bulletin(cast, api):
    old = BulletinFactory(status="published")
    api.as_user(cast.publisher)
    response = api.post(
        reverse("api:risk-bulletin-list"),
        bulletin_data(supersedes=old.pk, change_note="范围扩大到暹粒", countries=["KH"]),
        format="json",
    )
    assert response.status_code == 201, response.json()
    draft = BulletinFactory(status="draft")
    refused = api.post(reverse("api:risk-bulletin-list"), bulletin_data(supersedes=draft.pk), format="json")
    assert refused.status_code == 400 and "supersedes" in refused.json()


def test_filters_country_category_severity_status_in_force_and_search(cast, api):
    in_force = BulletinFactory(status="published", countries=["KH"], severity="severe", title="金边洪水")
    BulletinFactory(status="published", countries=["VN"], category="health")
    BulletinFactory(
        status="published",
        effective_at=timezone.now() - timedelta(days=9),
        expires_at=timezone.now() - timedelta(days=1),
    )
    url = reverse("api:risk-bulletin-list")

    def ids(**params):
        response = api.get(url, params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert in_force.pk in ids(country="kh")
    assert len(ids(country="VN")) == 1
    assert ids(severity="severe") == [in_force.pk]
    assert len(ids(category="health")) == 1
    assert len(ids(in_force="true")) == 2
    assert len(ids(in_force="false")) == 1
    assert ids(search="金边") == [in_force.pk]
    assert ids(status="draft") == []
    assert api.get(url, {"in_force": "maybe"}).status_code == 400
    assert api.get(url, {"severity": "apocalyptic"}).status_code == 400


def test_the_bulletin_list_has_a_fixed_number_of_queries(cast, api, django_assert_num_queries):
    for code in ("KH", "VN", "LA"):
        BulletinFactory(status="published", countries=[code, "TH"])
    url = reverse("api:risk-bulletin-list")
    # count, the page of bulletins, their countries, their updates, their negative cases
    with django_assert_num_queries(5):
        response = api.get(url)
    assert len(response.json()["results"]) == 3
    BulletinFactory(status="published", countries=["MY"])
    with django_assert_num_queries(5):
        api.get(url)


def test_a_duplicate_follow_or_an_empty_one_is_a_400(cast, api):
    api.as_user(cast.talent)
    url = reverse("api:risk-follow-list")
    assert api.post(url, {"country": "KH"}, format="json").status_code == 201
    duplicate = api.post(url, {"country": "KH"}, format="json")
    assert duplicate.status_code == 400
    assert api.post(url, {}, format="json").status_code == 400
    assert api.post(url, {"category": "weather"}, format="json").status_code == 400
    assert Follow.objects.filter(user=cast.talent).count() == 1
