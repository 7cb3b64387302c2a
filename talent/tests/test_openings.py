"""Openings (岗位) and applications: an enterprise posts an opening for its project or a country;
a talent with a profile applies once while it is open; the enterprise moves the application
through received → shortlisted → rejected or hired and both sides are told at each step;
suggested candidates on the opening and the project page; the role matrices of the API and the
pages, another enterprise's opening and another talent's application included."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent, Notification
from portal.testing.api import APIMatrix
from portal.testing.cast import roles
from portal.testing.pages import LOGIN, PageMatrix
from projects.tests.factories import ProjectFactory
from talent import openings
from talent.models import Application, Opening

from .factories import make_profile

pytestmark = pytest.mark.django_db

OFFICIALS = ("reviewer", "publisher", "trainer", "official")
ENTERPRISE = ("owner", "colleague")


def group(names, value) -> dict:
    return dict.fromkeys(names, value)


def opening_data(**overrides) -> dict:
    return {
        "country": "KE",
        "title": "港口工程项目经理",
        "requirements": "一级建造师，五年以上海外项目经验。",
        "language": "en",
        "level": "B2",
        "certificate": "pmp",
        "positions": 2,
        "closes_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
    } | overrides


def post_opening(cast, **overrides) -> Opening:
    from portal.models import Country

    data = opening_data(**overrides)
    data["country"] = Country.objects.get(code=data["country"])
    data["closes_on"] = dt.date.fromisoformat(data["closes_on"])
    return openings.opening_create(actor=cast.owner, data=data)


@pytest.fixture
def applicant(cast):
    return make_profile(cast.talent, languages=(("en", "C1"),), experiences=(("KE", "项目经理"),))


# --- The rules --------------------------------------------------------------------------------


def test_an_opening_for_a_project_takes_its_country_and_every_error_comes_at_once(cast):
    project = ProjectFactory(organization=cast.enterprise, approved=True, country_id="TZ")
    opening = post_opening(cast, country="KE")
    assert opening.organization == cast.enterprise
    with_project = openings.opening_create(
        actor=cast.owner,
        data={**opening_data(), "country": None, "project": project, "closes_on": timezone.localdate()},
    )
    assert with_project.country_id == "TZ"
    theirs = ProjectFactory(organization=cast.outsider_org, approved=True)
    with pytest.raises(ValidationError) as caught:
        openings.opening_create(
            actor=cast.owner,
            data={
                "project": theirs,
                "title": "",
                "requirements": " ",
                "level": "C1",
                "language": "",
                "closes_on": timezone.localdate() - dt.timedelta(days=1),
                "positions": 0,
            },
        )
    assert set(caught.value.message_dict) == {"project", "title", "requirements", "level", "closes_on", "positions"}
    assert Opening.objects.count() == 2
    with pytest.raises(PermissionError):
        openings.opening_create(actor=cast.supplier, data=opening_data())


def test_a_talent_applies_once_and_both_sides_are_told(cast, applicant):
    opening = post_opening(cast)
    application = openings.application_create(actor=cast.talent, opening=opening, note="可一个月内到岗")
    assert (application.status, application.profile) == ("received", applicant)
    assert Notification.objects.filter(recipient=cast.talent, title__contains="已收到您对岗位").count() == 1
    assert Notification.objects.filter(recipient=cast.owner, title__contains="收到新的申请").count() == 1
    assert Notification.objects.filter(recipient=cast.colleague, title__contains="收到新的申请").count() == 1
    assert AuditEvent.objects.filter(action="opening.apply").exists()
    with pytest.raises(ValidationError, match="已申请过"):
        openings.application_create(actor=cast.talent, opening=opening)
    assert Application.objects.count() == 1


def test_a_closed_or_past_opening_takes_no_application_and_a_profile_is_needed(cast, applicant):
    closed = openings.opening_close(actor=cast.owner, opening=post_opening(cast))
    with pytest.raises(ValidationError, match="已截止"):
        openings.application_create(actor=cast.talent, opening=closed)
    past = post_opening(cast, title="已过期岗位")
    Opening.objects.filter(pk=past.pk).update(closes_on=timezone.localdate() - dt.timedelta(days=1))
    past.refresh_from_db()
    with pytest.raises(ValidationError, match="已截止"):
        openings.application_create(actor=cast.talent, opening=past)
    with pytest.raises(PermissionError):
        openings.application_create(actor=cast.owner, opening=post_opening(cast, title="另一岗位"))


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["shortlisted", "hired"], True),
        (["shortlisted", "rejected"], True),
        (["rejected"], True),
        (["hired", "rejected"], False),  # final
        (["rejected", "shortlisted"], False),
        (["received"], False),
    ],
)
def test_every_allowed_and_forbidden_step(cast, applicant, path, allowed):
    application = openings.application_create(actor=cast.talent, opening=post_opening(cast))
    *steps, last = path
    for status in steps:
        application = openings.application_move(actor=cast.owner, application=application, status=status)
    if allowed:
        application = openings.application_move(actor=cast.owner, application=application, status=last)
        assert application.status == last
        key = f"opening-application:{application.pk}:{last}"
        assert Notification.objects.filter(recipient=cast.talent, dedupe_key=key).count() == 1
        assert Notification.objects.filter(recipient=cast.owner, dedupe_key=f"{key}:enterprise").count() == 1
    else:
        before = Application.objects.get(pk=application.pk).status
        with pytest.raises(ValidationError):
            openings.application_move(actor=cast.owner, application=application, status=last)
        assert Application.objects.get(pk=application.pk).status == before


def test_another_enterprise_cannot_move_an_application(cast, applicant):
    application = openings.application_create(actor=cast.talent, opening=post_opening(cast))
    with pytest.raises(Application.DoesNotExist):
        openings.application_move(actor=cast.outsider, application=application, status="hired")
    with pytest.raises(PermissionError):
        openings.application_move(actor=cast.reviewer, application=application, status="hired")


def test_suggested_candidates_rank_the_pool_with_reasons_and_leave_out_applicants(cast, applicant):
    other = make_profile(cast.owner, full_name="王翻译", languages=(("en", "B2"),), experiences=(("TZ", "翻译"),))
    opening = post_opening(cast)
    suggestions = openings.suggested_candidates(opening, user=cast.owner)
    assert [s["profile"] for s in suggestions] == [applicant, other]
    assert suggestions[0]["score"] > suggestions[1]["score"]
    assert any("海外经历" in reason for _points, reason in suggestions[0]["reasons"])
    openings.application_create(actor=cast.talent, opening=opening)
    assert [s["profile"] for s in openings.suggested_candidates(opening, user=cast.owner)] == [other]
    assert openings.suggested_candidates(opening, user=cast.supplier) == []
    assert openings.suggested_candidates(opening, user=cast.talent) == []


def test_the_project_page_shows_suggested_candidates_to_its_enterprise(cast, applicant, client):
    project = ProjectFactory(organization=cast.enterprise, approved=True, country_id="KE")
    client.force_login(cast.owner)
    body = client.get(reverse("projects:detail", kwargs={"pk": project.pk})).content.decode()
    assert 'data-testid="suggested-candidates"' in body and applicant.full_name in body
    client.force_login(cast.outsider)
    body = client.get(reverse("projects:detail", kwargs={"pk": project.pk})).content.decode()
    assert 'data-testid="suggested-candidates"' not in body


# --- API --------------------------------------------------------------------------------------


class TestOpeningAPI(APIMatrix):
    basename = "opening"
    update_data = {"title": "港口工程项目副经理"}
    expect = {
        # Open openings are public; only the enterprise writes its own.
        "list": roles(True),
        "retrieve": roles(200),
        "create": roles(403, group(ENTERPRISE, 201), outsider=201, anonymous=401),
        "update": roles(403, group(ENTERPRISE, 200), anonymous=401),
        "action:close": roles(403, group(ENTERPRISE, 200), anonymous=401),
        # Applications: a talent with a profile only; the enterprise's members are refused.
        "action:apply": roles(403, talent=201, anonymous=401),
    }

    def make_record(self, cast):
        make_profile(cast.talent)
        return post_opening(cast)

    def create_data(self, cast):
        return opening_data(title="HSE 安全工程师")


class TestClosedOpeningAPI(APIMatrix):
    basename = "opening"
    expect = {
        # A closed opening is its enterprise's and the officials'.
        "list": roles(False, group(ENTERPRISE, True), group(OFFICIALS, True)),
        "retrieve": roles(404, group(ENTERPRISE, 200), group(OFFICIALS, 200)),
        "action:apply": roles(404, group(ENTERPRISE, 403), group(OFFICIALS, 403), anonymous=401),
    }

    def make_record(self, cast):
        return openings.opening_close(actor=cast.owner, opening=post_opening(cast))


def test_the_applications_of_an_opening_are_its_enterprises_and_the_officials(cast, applicant, api):
    opening = post_opening(cast)
    openings.application_create(actor=cast.talent, opening=opening)
    url = reverse("api:opening-applications", kwargs={"pk": opening.pk})
    for user, expected in (
        (cast.owner, 200),
        (cast.reviewer, 200),
        (cast.outsider, 404),
        (cast.supplier, 404),
        (cast.talent, 404),
        (None, 401),
    ):
        assert api.as_user(user).get(url).status_code == expected, user
    rows = api.as_user(cast.owner).get(url).json()["results"]
    assert [(r["name"], r["status"]) for r in rows] == [(applicant.full_name, "received")]


def test_the_enterprise_moves_an_application_over_the_api_and_a_bad_step_is_a_400(cast, applicant, api):
    application = openings.application_create(actor=cast.talent, opening=post_opening(cast))
    url = reverse("api:opening-application-move", kwargs={"pk": application.pk})
    assert api.as_user(cast.talent).post(url, {"status": "hired"}, format="json").status_code == 403
    assert api.as_user(cast.outsider).post(url, {"status": "hired"}, format="json").status_code == 404
    assert api.as_user(cast.owner).post(url, {"status": "promoted"}, format="json").status_code == 400
    response = api.as_user(cast.owner).post(url, {"status": "hired"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "hired"
    again = api.as_user(cast.owner).post(url, {"status": "shortlisted"}, format="json")
    assert again.status_code == 400 and "status" in again.json()


def test_a_talent_lists_only_their_own_applications(cast, applicant, api):
    other = make_profile(cast.owner, full_name="王翻译")
    opening = post_opening(cast)
    openings.application_create(actor=cast.talent, opening=opening)
    Application.objects.create(opening=opening, profile=other)
    rows = api.as_user(cast.talent).get(reverse("api:opening-application-list")).json()["results"]
    assert [r["profile"] for r in rows] == [applicant.pk]
    assert len(api.as_user(cast.owner).get(reverse("api:opening-application-list")).json()["results"]) == 2
    assert api.as_user(cast.outsider).get(reverse("api:opening-application-list")).json()["results"] == []


def test_bad_opening_input_names_every_field_and_writes_nothing(cast, api):
    response = api.as_user(cast.owner).post(
        reverse("api:opening-list"),
        opening_data(title="", closes_on="2000-01-01", level="Z9", positions=0),
        format="json",
    )
    assert response.status_code == 400
    assert {"title", "closes_on", "level", "positions"} <= set(response.json())
    assert not Opening.objects.exists()


def test_the_openings_list_costs_the_same_queries_for_one_or_many(cast, api, django_assert_num_queries):
    for n in range(12):
        post_opening(cast, title=f"岗位{n}")
    for size in (1, 12):
        with django_assert_num_queries(2):  # the count; the page with its enterprises and counts
            response = api.get(reverse("api:opening-list"), {"page_size": size})
        assert len(response.json()["results"]) == size


# --- Pages ------------------------------------------------------------------------------------


class TestOpeningPages(PageMatrix):
    url_name = "talent:opening"
    watch = (Application,)
    post_data = {
        "post": {"note": "可一个月内到岗"},
        "post:opening_edit": lambda cast, opening: {**opening_data(title="项目副经理"), "country": "KE"},
        "post:opening_close": {},
    }
    effects = {
        "post": lambda opening: opening.applications.count() == 1,
        "post:opening_edit": lambda opening: opening.title == "项目副经理",
        "post:opening_close": lambda opening: opening.closed_at is not None,
    }
    expect = {
        "get": roles(200),
        # Applying: a talent with a profile; others are refused without a write.
        "post": roles(403, talent="done", anonymous=404),
        "get:opening_edit": roles(403, group(ENTERPRISE, 200), outsider=403, anonymous=LOGIN),
        "post:opening_edit": roles(403, group(ENTERPRISE, "done"), outsider=403, anonymous=LOGIN),
        "get:opening_close": roles(403, group(ENTERPRISE, 200), outsider=403, anonymous=LOGIN),
        "post:opening_close": roles(403, group(ENTERPRISE, "done"), outsider=403, anonymous=LOGIN),
        "get:applications": roles(404, group(ENTERPRISE, 200), group(OFFICIALS, 200), anonymous=LOGIN),
    }

    def make_record(self, cast):
        make_profile(cast.talent)
        return post_opening(cast)


def test_the_enterprise_moves_applications_on_the_page_and_the_talent_sees_the_step(cast, applicant, client):
    opening = post_opening(cast)
    application = openings.application_create(actor=cast.talent, opening=opening)
    client.force_login(cast.owner)
    body = client.get(reverse("talent:applications", kwargs={"pk": opening.pk})).content.decode()
    assert 'data-testid="move-shortlisted"' in body and applicant.full_name in body
    response = client.post(reverse("talent:application_move", kwargs={"pk": application.pk}), {"status": "shortlisted"})
    assert response.status_code == 302
    client.force_login(cast.talent)
    body = client.get(reverse("talent:my_applications")).content.decode()
    assert opening.title in body and "入围" in body
    client.force_login(cast.outsider)
    assert (
        client.post(reverse("talent:application_move", kwargs={"pk": application.pk}), {"status": "hired"}).status_code
        == 404
    )
    assert Application.objects.get(pk=application.pk).status == "shortlisted"


def test_the_list_page_filters_says_when_nothing_matches_and_offers_posting_to_enterprises(cast, client):
    assert "暂无开放的岗位" in client.get(reverse("talent:openings")).content.decode()
    post_opening(cast, title="港口项目经理")
    post_opening(cast, title="法语翻译", country="CM", language="fr", level="C1", certificate="catti")
    body = client.get(reverse("talent:openings"), {"country": "cm"}).content.decode()
    assert "法语翻译" in body and "港口项目经理" not in body
    assert "没有符合条件的岗位" in client.get(reverse("talent:openings"), {"search": "冰川"}).content.decode()
    client.force_login(cast.owner)
    assert 'data-testid="opening-create"' in client.get(reverse("talent:openings")).content.decode()


def test_a_bad_opening_form_shows_every_error(cast, client):
    client.force_login(cast.owner)
    response = client.post(reverse("talent:opening_create"), {"title": "", "requirements": "", "closes_on": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert "请填写岗位名称。" in body and "请填写任职要求。" in body and "请填写截止日期。" in body
    assert not Opening.objects.exists()
