"""The bulletins' pages as a permission matrix (drafts hidden as 404 from all but publishers),
the draft form, an update, the preview before publishing, the acknowledge button, the dispatch
page with its export, the follows page, and the list's pinned query count."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification
from portal.services import notification_acknowledge
from portal.testing.cast import roles
from portal.testing.factories import OrganizationFactory, member
from portal.testing.pages import DONE, LOGIN, REFUSED, PageMatrix
from projects.choices import FilingStatus
from projects.tests.factories import ProjectFactory
from risk import bulletins
from risk.models import BulletinHistory, Follow, RiskBulletin
from risk.views import DispatchView

from .factories import BulletinFactory

pytestmark = pytest.mark.django_db

PUBLISHERS = ("publisher", "official")


def publishers(value) -> dict:
    return dict.fromkeys(PUBLISHERS, value)


def form_data(**overrides) -> dict:
    now = timezone.localtime()
    return {
        "countries": ["KH"],
        "title": "柬埔寨暴雨洪涝风险提示",
        "body": "未来一周金边及周边地区有强降雨，请做好防汛准备。",
        "category": "natural_disaster",
        "severity": "severe",
        "urgency": "expected",
        "certainty": "likely",
        "effective_at": now.strftime("%Y-%m-%dT%H:%M"),
        "expires_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        **overrides,
    }


class TestADraftBulletinsPages(PageMatrix):
    url_name = "risk:bulletin"
    watch = (BulletinHistory, Notification)
    expect = {
        "get": roles(404, publishers(200)),
        "post": roles(404),  # nobody has an alert to acknowledge for a draft
        "get:bulletin_edit": roles(404, publishers(200), anonymous=LOGIN),
        "post:bulletin_edit": roles(404, publishers(DONE), anonymous=LOGIN),
        "get:bulletin_publish": roles(404, publishers(200), anonymous=LOGIN),
        "post:bulletin_publish": roles(404, publishers(DONE), anonymous=LOGIN),
        "post:bulletin_cancel": roles(404, publishers(REFUSED), anonymous=LOGIN),
        "get:dispatch": roles(404, publishers(200), anonymous=LOGIN),
    }
    post_data = {"post:bulletin_edit": form_data(title="柬埔寨暴雨洪涝风险提示（修订）")}
    effects = {
        "post:bulletin_edit": lambda b: b.title.endswith("（修订）"),
        "post:bulletin_publish": lambda b: b.status == "published",
    }

    def make_record(self, cast):
        return BulletinFactory()


class TestAPublishedBulletinsPages(PageMatrix):
    url_name = "risk:bulletin"
    watch = (BulletinHistory,)
    expect = {
        "get": roles(200),
        "get:bulletin_edit": roles(403, publishers(REFUSED), anonymous=LOGIN),
        "get:bulletin_publish": roles(403, publishers(REFUSED), anonymous=LOGIN),
        "post:bulletin_publish": roles(403, publishers(REFUSED), anonymous=LOGIN),
        "get:bulletin_cancel": roles(403, publishers(200), anonymous=LOGIN),
        "post:bulletin_cancel": roles(403, publishers(DONE), anonymous=LOGIN),
        "get:dispatch": roles(403, publishers(200), anonymous=LOGIN),
    }
    post_data = {"post:bulletin_cancel": {"reason": "局势缓和"}}
    effects = {"post:bulletin_cancel": lambda b: b.status == "cancelled"}

    def make_record(self, cast):
        return BulletinFactory(status="published")


@pytest.mark.parametrize(
    ("role", "expected"), [("publisher", 200), ("owner", 403), ("talent", 403), ("anonymous", "login")]
)
def test_only_publishers_open_the_new_bulletin_form(cast, client, role, expected):
    user = cast.user(role)
    if user:
        client.force_login(user)
    response = client.get(reverse("risk:bulletin_create"))
    if expected == "login":
        assert response.status_code == 302 and "login" in response["Location"]
    else:
        assert response.status_code == expected


def test_a_publisher_drafts_previews_and_publishes_on_the_pages(
    cast, client, django_capture_on_commit_callbacks, tasks_run_here
):
    ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    client.force_login(cast.publisher)
    bad = client.post(reverse("risk:bulletin_create"), form_data(countries=[], severity="x"))
    assert bad.status_code == 400
    assert {"countries", "severity"} <= set(bad.context["form"].errors)
    late = client.post(
        reverse("risk:bulletin_create"),
        form_data(expires_at=(timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")),
    )
    assert "expires_at" in late.context["form"].errors

    response = client.post(reverse("risk:bulletin_create"), form_data())
    bulletin = RiskBulletin.objects.get()
    assert response["Location"] == reverse("risk:bulletin", kwargs={"pk": bulletin.pk})
    preview = client.get(reverse("risk:bulletin_publish", kwargs={"pk": bulletin.pk}))
    assert preview.context["audience"]["total"] == 2
    assert 'data-testid="audience-total">2<' in preview.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        published = client.post(reverse("risk:bulletin_publish", kwargs={"pk": bulletin.pk}))
    assert published["Location"] == reverse("risk:dispatch", kwargs={"pk": bulletin.pk})
    dispatch = client.get(published["Location"])
    assert dispatch.context["summary"]["recipients"] == 2 and dispatch.context["live"]
    assert "risk/js/dispatch" in dispatch.content.decode()

    # The enterprise sees the alert on the bulletin and acknowledges it there.
    client.force_login(cast.colleague)
    page = client.get(reverse("risk:bulletin", kwargs={"pk": bulletin.pk}))
    assert 'data-testid="acknowledge-button"' in page.content.decode()
    client.post(reverse("risk:bulletin", kwargs={"pk": bulletin.pk}))
    assert Notification.objects.get(recipient=cast.colleague, dedupe_key=bulletin.alert_key).acknowledged_at
    assert "acknowledge-button" not in client.get(reverse("risk:bulletin", kwargs={"pk": bulletin.pk})).content.decode()

    client.force_login(cast.publisher)
    summary = client.get(reverse("risk:dispatch", kwargs={"pk": bulletin.pk})).context["summary"]
    assert (summary["acknowledged"], summary["silent"]) == (1, [])


def test_an_alert_without_acknowledgement_shows_no_button_and_a_post_says_so(
    cast, client, django_capture_on_commit_callbacks, tasks_run_here
):
    ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    bulletin = BulletinFactory(severity="moderate")
    with django_capture_on_commit_callbacks(execute=True):
        bulletins.bulletin_publish(actor=cast.publisher, bulletin=bulletin)
    client.force_login(cast.owner)
    page = client.get(reverse("risk:bulletin", kwargs={"pk": bulletin.pk}))
    assert "acknowledge-button" not in page.content.decode()
    response = client.post(reverse("risk:bulletin", kwargs={"pk": bulletin.pk}), follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_an_update_is_drafted_from_the_published_bulletin(cast, client):
    old = BulletinFactory(status="published")
    client.force_login(cast.publisher)
    page = client.get(reverse("risk:bulletin_create"), {"update": old.pk})
    assert page.status_code == 200 and page.context["form"]["title"].value() == old.title
    assert "change_note" in page.context["form"].fields

    client.post(
        reverse("risk:bulletin_create") + f"?update={old.pk}",
        form_data(supersedes=old.pk, change_note="影响范围扩大", minor_update="on"),
    )
    update = RiskBulletin.objects.exclude(pk=old.pk).get()
    assert update.supersedes == old and update.minor_update and update.change_note == "影响范围扩大"
    # A cancelled bulletin cannot be updated.
    cancelled = BulletinFactory(status="cancelled")
    refused = client.get(reverse("risk:bulletin_create"), {"update": cancelled.pk})
    assert refused.status_code == 302


def test_the_silent_organisations_export(cast, client, django_capture_on_commit_callbacks, tasks_run_here):
    ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    bulletin = BulletinFactory(severity="severe")
    with django_capture_on_commit_callbacks(execute=True):
        bulletins.bulletin_publish(actor=cast.publisher, bulletin=bulletin)
    client.force_login(cast.publisher)

    response = client.get(reverse("risk:dispatch", kwargs={"pk": bulletin.pk}), {"format": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == [cast.enterprise.name, "2", "0", "0"]


def test_the_dispatch_page_pages_the_organisations_silent_first_and_the_export_lists_every_silent_one(
    cast, client, django_capture_on_commit_callbacks, tasks_run_here, monkeypatch
):
    ProjectFactory(organization=cast.enterprise, country_id="KH", filing_status=FilingStatus.APPROVED)
    ProjectFactory(organization=cast.outsider_org, country_id="KH", filing_status=FilingStatus.APPROVED)
    other = OrganizationFactory(name="孝感海外工程有限公司")
    member(other)
    ProjectFactory(organization=other, country_id="KH", filing_status=FilingStatus.APPROVED)
    bulletin = BulletinFactory(severity="severe")
    with django_capture_on_commit_callbacks(execute=True):
        bulletins.bulletin_publish(actor=cast.publisher, bulletin=bulletin)
    note = Notification.objects.get(recipient=cast.outsider, dedupe_key=bulletin.alert_key)
    notification_acknowledge(notification=note, actor=cast.outsider)
    monkeypatch.setattr(DispatchView, "organizations_per_page", 2)
    client.force_login(cast.publisher)
    url = reverse("risk:dispatch", kwargs={"pk": bulletin.pk})

    first, second = client.get(url), client.get(url, {"page": 2})

    silent = sorted([cast.enterprise.name, other.name])
    assert [o["organization_name"] for o in first.context["page_obj"]] == silent
    assert [o["organization_name"] for o in second.context["page_obj"]] == [cast.outsider_org.name]
    assert first.context["summary"]["recipients"] == 4 and 'rel="next"' in first.content.decode()
    assert 'data-testid="organizations-count"' in first.content.decode()
    monkeypatch.setattr(DispatchView, "organizations_per_page", 1)
    rows = list(csv.reader(io.StringIO(client.get(url, {"format": "csv"}).content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == silent


def test_the_list_shows_bulletins_in_force_and_drafts_to_publishers_only(cast, client, django_assert_num_queries):
    for code in ("KH", "VN", "LA"):
        BulletinFactory(status="published", countries=[code, "TH"])
    draft = BulletinFactory(title="草稿通报")
    BulletinFactory(status="cancelled", title="已撤销通报")
    url = reverse("risk:bulletins")
    # session-less anonymous page: count, the page of bulletins, their countries
    with django_assert_num_queries(3):
        response = client.get(url)
    assert len(response.context["object_list"]) == 3
    assert "草稿通报" not in response.content.decode() and "已撤销通报" not in response.content.decode()
    assert list(client.get(url, {"status": "draft"}).context["object_list"]) == []
    client.force_login(cast.publisher)
    assert list(client.get(url, {"status": "draft"}).context["object_list"]) == [draft]
    assert len(client.get(url, {"country": "KH"}).context["object_list"]) == 1


def test_the_follows_page_adds_and_removes_ones_own(cast, client):
    client.force_login(cast.talent)
    url = reverse("risk:follows")
    assert client.get(url).status_code == 200
    assert client.post(url, {"country": "KH", "category": ""}).status_code == 302
    assert client.post(url, {"country": "KH", "category": ""}).status_code == 400
    assert client.post(url, {"country": "", "category": ""}).status_code == 400
    follow = Follow.objects.get(user=cast.talent)
    assert "follow-row" in client.get(url).content.decode()

    client.force_login(cast.owner)
    assert client.post(reverse("risk:follow_delete", kwargs={"pk": follow.pk})).status_code == 404
    client.force_login(cast.talent)
    assert client.post(reverse("risk:follow_delete", kwargs={"pk": follow.pk})).status_code == 302
    assert not Follow.objects.exists()
    client.logout()
    assert client.get(url).status_code == 302


def test_the_risk_part_placeholder_links_the_bulletins(client):
    page = client.get(reverse("portal:risk")).content.decode()
    assert reverse("risk:bulletins") in page and reverse("risk:follows") in page


def test_an_english_reader_sees_the_english_text_where_there_is_one(client):
    bulletin = BulletinFactory(status="published", title_en="Security alert in Cambodia", body_en="Stay alert.")
    page = client.get(f"/en/risk/bulletins/{bulletin.pk}/").content.decode()
    assert "Security alert in Cambodia" in page and "Stay alert." in page
    assert bulletin.title not in page
    listing = client.get("/en/risk/bulletins/").content.decode()
    assert "Risk bulletins" in listing and "Security alert in Cambodia" in listing
    assert bulletin.title not in listing
