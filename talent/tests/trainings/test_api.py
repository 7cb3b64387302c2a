"""The trainings' API: who may read, write, publish and enrol (a role matrix), the enrolments
list's scope and its pinned query count."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.testing.api import APIMatrix
from portal.testing.cast import roles
from talent.trainings import services
from talent.trainings.choices import EnrollmentStatus, SessionStatus
from talent.trainings.models import Enrollment

from .factories import make_session

pytestmark = pytest.mark.django_db

ORGANISERS = {"trainer": 200, "official": 200}


class TestADraftSession(APIMatrix):
    basename = "training"
    update_data = {"venue": "武汉国际会议中心"}
    expect = {
        "list": roles(False, trainer=True, official=True),
        "retrieve": roles(404, ORGANISERS),
        "update": roles(404, ORGANISERS, anonymous=401),
        "action:publish": roles(404, ORGANISERS, anonymous=401),
        "action:enroll": roles(404, trainer=400, official=400, anonymous=401),
    }
    effects = {"action:publish": lambda s: s.status == SessionStatus.PUBLISHED and s.published_at is not None}

    def make_record(self, cast):
        return make_session(status=SessionStatus.DRAFT)


class TestAPublishedSession(APIMatrix):
    basename = "training"
    update_data = {"venue": "武汉国际会议中心"}
    expect = {
        "list": roles(True),
        "retrieve": roles(200),
        "update": roles(403, ORGANISERS, anonymous=401),
        "action:publish": roles(403, trainer=400, official=400, anonymous=401),
        "action:enroll": roles(201, anonymous=401),
    }
    effects = {
        "update": lambda s: s.sequence == 1,
        "action:enroll": lambda s: s.enrollments.filter(status=EnrollmentStatus.ENROLLED).count() == 1,
    }

    def make_record(self, cast):
        return make_session(capacity=3)


def test_an_organiser_creates_a_session_and_every_error_comes_back_at_once(cast, api):
    api.as_user(cast.trainer)
    starts = timezone.now() + timedelta(days=30)
    bad = api.post(
        reverse("api:training-list"),
        {
            "title": "",
            "topics": [],
            "year": 2026,
            "half": 3,
            "starts_at": starts.isoformat(),
            "ends_at": (starts - timedelta(hours=1)).isoformat(),
            "capacity": 0,
            "registration_deadline": starts.isoformat(),
        },
        format="json",
    )
    assert bad.status_code == 400
    assert {"title", "topics", "half", "capacity"} <= set(bad.json())
    local = timezone.localtime(starts)
    good = api.post(
        reverse("api:training-list"),
        {
            "title": "境外合规经营专题培训",
            "topics": ["compliance"],
            "year": local.year,
            "half": 1 if local.month <= 6 else 2,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=3)).isoformat(),
            "venue": "武汉",
            "capacity": 50,
            "registration_deadline": (starts - timedelta(days=3)).isoformat(),
            "countries": ["KH"],
        },
        format="json",
    )
    assert good.status_code == 201, good.json()
    assert good.json()["status"] == "draft"
    assert api.as_user(cast.owner).post(reverse("api:training-list"), {}, format="json").status_code == 403


def test_delete_on_enroll_cancels_ones_own_enrolment_and_offers_the_seat(cast, api):
    session = make_session(capacity=1)
    url = reverse("api:training-enroll", kwargs={"pk": session.pk})
    assert api.as_user(cast.owner).post(url).status_code == 201
    assert api.as_user(cast.talent).post(url).json()["status"] == "waiting"
    assert api.as_user(cast.owner).delete(url).status_code == 204
    assert Enrollment.objects.get(user=cast.talent).status == EnrollmentStatus.OFFERED
    accept = reverse("api:training-accept-offer", kwargs={"pk": session.pk})
    assert api.as_user(cast.talent).post(accept).json()["status"] == "enrolled"


def test_the_enrolments_list_shows_organisers_all_and_others_their_organisations(cast, api, django_assert_num_queries):
    session = make_session(capacity=10)
    for user in (cast.owner, cast.colleague, cast.outsider, cast.talent):
        services.enroll(actor=user, session=session)
    url = reverse("api:training-enrollments", kwargs={"pk": session.pk})
    api.as_user(cast.trainer)
    # membership of the reader, the session, the page count, the page of enrolments with users
    # and organisations
    with django_assert_num_queries(4):
        response = api.get(url)
    assert len(response.json()["results"]) == 4
    names = {row["user"] for row in api.as_user(cast.owner).get(url).json()["results"]}
    assert names == {str(cast.owner), str(cast.colleague)}
    assert api.as_user(cast.outsider).get(url).json()["results"][0]["user"] == str(cast.outsider)
    assert api.as_user(None).get(url).status_code == 401


def test_the_sessions_list_pins_its_queries(cast, api, django_assert_num_queries):
    for _n in range(5):
        make_session()
    api.as_user(cast.owner)
    # the reader's membership, the page count, the page with seat counts, their countries
    with django_assert_num_queries(4):
        response = api.get(reverse("api:training-list"))
    assert len(response.json()["results"]) == 5
