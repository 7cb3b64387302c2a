"""Country risk: who may set levels and ratings over the API, the history each change leaves,
every error at once, the list's query count, and the staleness beat job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import Country, Notification
from portal.testing.api import APIMatrix
from portal.testing.cast import roles
from risk import services, tasks
from risk.models import CountryRisk, ReferenceRatingChange

from .factories import CountryRiskFactory, ReferenceRatingFactory

pytestmark = pytest.mark.django_db

PUBLISHERS = {"publisher": 200, "official": 200}


class TestCountryRiskAPI(APIMatrix):
    basename = "risk-country"
    id_field = "country"
    update_data = {"summary": "局势紧张，谨慎前往。", "reason": "月度复核"}
    expect = {
        # Levels are public, the anonymous included.
        "list": roles(True),
        "retrieve": roles(200),
        "update": roles(403, PUBLISHERS, anonymous=401),
        "create": roles(403, {"publisher": 201, "official": 201}, anonymous=401),
        "action:ratings": roles(403, {"publisher": 400, "official": 400}, anonymous=401),
    }

    def make_record(self, cast):
        return CountryRiskFactory()

    def create_data(self, cast):
        return {"country": "VN", "level": 3, "summary": "注意洪水。", "reason": "首次评估"}

    def _check_updated(self, record, before, context):
        # `reason` is not a field of the record but of its history row.
        self.update_data = {"summary": type(self).update_data["summary"]}
        try:
            super()._check_updated(record, before, context)
        finally:
            self.update_data = type(self).update_data


def test_publisher_raising_a_level_leaves_who_why_and_old_to_new(cast):
    risk = CountryRiskFactory(level=2)
    services.country_risk_set(actor=cast.publisher, country_risk=risk, data={"level": 4, "reason": "政变"})
    risk.refresh_from_db()
    change = risk.history.get()
    assert (risk.level, change.old_level, change.new_level, change.actor, change.reason) == (
        4,
        2,
        4,
        cast.publisher,
        "政变",
    )
    assert change.changes == {"level": {"old": 2, "new": 4}}
    assert risk.reviewed_by == cast.publisher


def test_a_reviewer_without_publish_risk_cannot_set_a_level(cast):
    risk = CountryRiskFactory(level=2)
    with pytest.raises(PermissionError):
        services.country_risk_set(actor=cast.reviewer, country_risk=risk, data={"level": 3, "reason": "x"})


def test_bad_level_input_reports_every_field_at_once(cast, api):
    response = api.as_user(cast.publisher).post(
        reverse("api:risk-country-list"),
        {"country": "TH", "level": 7, "indicators": {"weather": 2, "crime": 9}, "reason": ""},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"level", "indicators", "reason"}, response.json()


def test_a_second_level_for_the_same_country_is_refused_with_the_field(cast, api):
    CountryRiskFactory()
    response = api.as_user(cast.publisher).post(
        reverse("api:risk-country-list"), {"country": "KH", "level": 1, "reason": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "country" in response.json()


def test_unknown_country_code_is_a_404_not_a_500(api):
    assert api.get("/api/v1/risk/countries/ZZ/").status_code == 404


def test_detail_shows_ratings_and_history(cast, api):
    risk = CountryRiskFactory()
    services.country_risk_set(actor=cast.publisher, country_risk=risk, data={"level": 3, "reason": "复核"})
    ReferenceRatingFactory(country_risk=risk)
    body = api.get("/api/v1/risk/countries/kh/").json()
    assert body["level"] == 3 and body["level_label"] == "谨慎前往"
    assert body["ratings"][0]["grade"] == "6" and body["ratings"][0]["scale_max"] == 9
    assert body["history"][0]["old_level"] == 2


def test_publisher_records_a_rating_and_its_change_is_kept(cast, api):
    risk = CountryRiskFactory()
    client = api.as_user(cast.publisher)
    url = reverse("api:risk-country-ratings", kwargs={"pk": "KH"})
    first = client.post(url, {"source": "sinosure", "grade": "5", "scale_max": 9, "as_of": "2026-01-10"}, format="json")
    second = client.post(
        url, {"source": "sinosure", "grade": "6", "scale_max": 9, "as_of": "2026-06-10"}, format="json"
    )
    assert first.status_code == second.status_code == 201, second.content
    assert risk.ratings.get().grade == "6"
    assert list(ReferenceRatingChange.objects.values_list("old_grade", "new_grade")) == [("5", "6"), ("", "5")]


def test_rating_above_its_scale_and_without_a_date_is_refused_at_once(cast, api):
    CountryRiskFactory()
    response = api.as_user(cast.publisher).post(
        reverse("api:risk-country-ratings", kwargs={"pk": "KH"}),
        {"source": "sinosure", "grade": "12", "scale_max": 9},
        format="json",
    )
    assert response.status_code == 400
    assert {"as_of"} <= set(response.json())


@pytest.mark.parametrize("size", [1, 50])
def test_country_list_query_count_is_pinned(api, django_assert_num_queries, size):
    for country in Country.objects.order_by("code")[:size]:
        ReferenceRatingFactory(country_risk=CountryRisk.objects.create(country=country, level=2))
    # 1 count (pagination), 2 the page with its countries, 3 their ratings.
    with django_assert_num_queries(3):
        response = api.get(reverse("api:risk-country-list"), {"page_size": 50})
    assert len(response.json()["results"]) == size


def test_stale_flag_tells_publishers_once_per_country_and_review(cast):
    now = timezone.now()
    high = CountryRiskFactory(level=3, reviewed_at=now - dt.timedelta(days=200))
    CountryRiskFactory(country=Country.objects.get(code="VN"), level=2, reviewed_at=now - dt.timedelta(days=200))
    CountryRiskFactory(country=Country.objects.get(code="TH"), level=1, reviewed_at=now - dt.timedelta(days=400))

    first = tasks.flag_stale_countries.apply().get()
    again = tasks.flag_stale_countries.apply().get()

    told = Notification.objects.filter(recipient=cast.publisher)
    assert sorted(n.url for n in told) == ["/risk/countries/KH/", "/risk/countries/TH/"]
    assert first == 2 * 2  # two countries, two officials holding publish_risk (publisher, official)
    assert again == 0
    assert not Notification.objects.filter(recipient=cast.reviewer).exists()
    # A review starts a new period: stale again later, told again.
    services.country_risk_set(actor=cast.publisher, country_risk=high, data={"reason": "复核"})
    assert not CountryRisk.objects.stale().filter(pk=high.pk).exists()
