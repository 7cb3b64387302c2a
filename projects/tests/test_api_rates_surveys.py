"""The project library's API: exchange rates and the annual survey of intended projects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.testing.api import APIMatrix
from projects.models import ExchangeRate, Project

from .factories import SurveyFactory, project_payload
from .helpers import list_url, roles

pytestmark = pytest.mark.django_db


# --- The permission matrix ------------------------------------------------------------------


class TestExchangeRateAPI(APIMatrix):
    """Anyone reads the rates; officials with `review` set them; nobody deletes them."""

    basename = "exchange-rate"
    id_field = "currency"
    update_data = {"usd_per_unit": "0.0079", "as_of": "2026-01-05", "source": "中国外汇交易中心"}
    expect = {
        "list": roles(True),
        "retrieve": roles(200),
        "update": roles(403, reviewer=200, official=200, anonymous=401),
        "destroy": roles(405, anonymous=401),
    }

    def make_record(self, cast):
        return ExchangeRate.objects.get(currency="KES")

    def record_id(self, record):
        return record.currency

    def _detail(self, record, name="detail"):
        return reverse(f"api:{self.basename}-{name}", kwargs={"currency": record.currency})


class TestSurveyAPI(APIMatrix):
    basename = "project-survey"
    signed_in = roles(200, anonymous=401)
    expect = {
        "list": roles(True, anonymous=401),
        "retrieve": signed_in,
        "create": roles(403, reviewer=201, official=201, anonymous=401),
        "action:respond": roles(403, owner=204, colleague=204, outsider=204, anonymous=401),
    }
    effects = {"action:respond": lambda survey: survey.responses.exists()}

    def make_record(self, cast):
        return SurveyFactory(opened_by=cast.reviewer)

    def create_data(self, cast):
        year = timezone.localdate().year + 1
        return {"year": year, "opens_on": f"{year}-03-01", "closes_on": f"{year}-04-30"}


# --- Exchange rates -------------------------------------------------------------------------


def rate_url(code: str) -> str:
    return reverse("api:exchange-rate-detail", kwargs={"currency": code})


def test_contract_value_usd_is_computed_from_the_rate_table(cast, api):
    rate = ExchangeRate.objects.get(currency="KES").usd_per_unit
    response = api.as_user(cast.owner).post(
        list_url(), project_payload(country="KE", currency="kes", contract_value="123456789.00"), format="json"
    )
    assert response.status_code == 201, response.content
    expected = (Decimal("123456789.00") * rate).quantize(Decimal("0.01"))
    assert response.json()["currency"] == "KES"
    assert Decimal(response.json()["contract_value_usd"]) == expected
    assert Project.objects.get().contract_value_usd == expected


def test_a_project_without_a_value_needs_no_currency_or_rate(cast, api):
    response = api.as_user(cast.owner).post(
        list_url(), project_payload(contract_value=None, currency=""), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["contract_value_usd"] is None


def test_a_reviewer_sets_a_rate_and_new_values_use_it(cast, api):
    response = api.as_user(cast.reviewer).put(
        rate_url("etb"), {"usd_per_unit": "0.0075", "as_of": "2026-10-31", "source": "外汇交易中心"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["currency"] == "ETB"
    rate = ExchangeRate.objects.get(currency="ETB")
    assert (rate.usd_per_unit, rate.updated_by, rate.as_of) == (Decimal("0.0075"), cast.reviewer, dt.date(2026, 10, 31))
    owner = type(api)().as_user(cast.owner)
    created = owner.post(list_url(), project_payload(contract_value="1000000.00"), format="json")
    assert created.json()["contract_value_usd"] == "7500.00"


def test_a_reviewer_adds_a_rate_for_a_currency_the_table_lacks(cast, api):
    assert not ExchangeRate.objects.filter(currency="CHF").exists()
    response = api.as_user(cast.official).put(rate_url("CHF"), {"usd_per_unit": "1.25", "as_of": "2026-10-31"})
    assert response.status_code == 200
    assert ExchangeRate.objects.get(currency="CHF").usd_per_unit == Decimal("1.25")


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 403), ("outsider", 403), ("supplier", 403), ("publisher", 403), ("trainer", 403), ("anonymous", 401)],
)
def test_only_reviewers_set_rates(role, status, cast, api):
    response = api.as_user(cast.user(role)).put(rate_url("ETB"), {"usd_per_unit": "1", "as_of": "2026-10-31"})
    assert response.status_code == status
    assert ExchangeRate.objects.get(currency="ETB").usd_per_unit != Decimal(1)


@pytest.mark.parametrize(
    ("code", "data", "field"),
    [
        ("XYZ", {"usd_per_unit": "1", "as_of": "2026-10-31"}, "currency"),
        ("ETB", {"usd_per_unit": "0", "as_of": "2026-10-31"}, "usd_per_unit"),
        ("ETB", {"usd_per_unit": "-0.1", "as_of": "2026-10-31"}, "usd_per_unit"),
        ("ETB", {"usd_per_unit": "cheap", "as_of": "2026-10-31"}, "usd_per_unit"),
        ("ETB", {"usd_per_unit": "0.01", "as_of": "soon"}, "as_of"),
        ("ETB", {"usd_per_unit": "0.01"}, "as_of"),
    ],
)
def test_a_bad_rate_is_a_400(code, data, field, cast, api):
    before = list(ExchangeRate.objects.values_list("currency", "usd_per_unit"))
    response = api.as_user(cast.reviewer).put(rate_url(code), data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert list(ExchangeRate.objects.values_list("currency", "usd_per_unit")) == before


def test_a_rate_body_that_is_not_an_object_is_a_400(cast, api):
    response = api.as_user(cast.reviewer).put(rate_url("ETB"), [{"usd_per_unit": "1"}], format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_an_unknown_currency_has_no_rate_to_read(cast, api):
    assert api.get(rate_url("XYZ")).status_code == 404
    assert api.get(rate_url("kes")).json()["currency"] == "KES"
