"""The country pages: the world map of levels with its table and filters, and one country's
page (国别画像) with its level, the history, the reference ratings, the negative cases, the
province's exposure and the trainings; officials alone see who changed a level. In a browser,
the map and the history chart draw."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from portal.testing.cast import make_cast
from projects.choices import Stage
from projects.tests.factories import ProjectFactory
from risk import services
from suppliers.choices import SupplierStatus
from suppliers.tests.factories import SupplierFactory

from .factories import CountryRiskFactory, NegativeCaseFactory, ReferenceRatingFactory


def body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.django_db
def test_the_levels_page_lists_each_country_with_its_level_and_filters(client):
    CountryRiskFactory(country_id="MM", level=4)
    CountryRiskFactory(country_id="MY", level=1)
    page = body(client.get(reverse("risk:countries")))
    assert page.count('data-testid="level-row"') == 2
    assert page.index("缅甸") < page.index("马来西亚")  # the highest level first
    assert "暂勿前往" in page and 'id="risk-map"' in page
    page = body(client.get(reverse("risk:countries"), {"level": 4}))
    assert page.count('data-testid="level-row"') == 1
    page = body(client.get(reverse("risk:countries"), {"region": "europe"}))
    assert "没有符合条件的国家" in page
    page = body(client.get(reverse("risk:countries"), {"level": 9}))  # a bad filter is shown, not a 500
    assert "filterbar" in page and "field--error" in page


@pytest.mark.django_db
def test_the_levels_page_says_so_when_no_level_is_set(client):
    assert "暂无国别风险等级" in body(client.get(reverse("risk:countries")))


@pytest.mark.django_db
def test_the_country_page_shows_what_the_portal_holds_about_the_country(cast, client):
    risk = services.country_risk_set(
        actor=cast.publisher,
        data={
            "country": CountryRiskFactory.build(country_id="KH").country,
            "level": 2,
            "summary": "电信诈骗多发。",
            "reason": "首次评估",
        },
    )
    services.country_risk_set(actor=cast.publisher, country_risk=risk, data={"level": 3, "reason": "选举前后局势紧张"})
    ReferenceRatingFactory(country_risk=risk, grade="6")
    NegativeCaseFactory(title="柬埔寨拖欠工资案")
    NegativeCaseFactory(title="越南环评案", country_id="VN")
    ProjectFactory(organization=cast.enterprise, approved=True, country_id="KH", chinese_staff=30)
    ProjectFactory(organization=cast.enterprise, approved=True, country_id="KH", chinese_staff=12)
    ProjectFactory(
        organization=cast.enterprise, approved=True, country_id="KH", stage=Stage.COMPLETED, chinese_staff=99
    )
    ProjectFactory(organization=cast.enterprise, country_id="KH", chinese_staff=500)  # a draft
    SupplierFactory(status=SupplierStatus.APPROVED, countries=["KH"])
    SupplierFactory(status=SupplierStatus.SUSPENDED, countries=["KH"])

    page = body(client.get(reverse("risk:country", kwargs={"code": "kh"})))

    assert "柬埔寨国别画像" in page and "谨慎前往" in page and "电信诈骗多发。" in page
    assert "选举前后局势紧张" in page and "注意安全 → 谨慎前往" in page
    assert "中国信保国家风险评级" in page and "6 / 9" in page
    assert "柬埔寨拖欠工资案" in page and "越南环评案" not in page
    exposure = page[page.index('data-testid="exposure"') :]
    assert [int(n) for n in _figures(exposure)[:3]] == [2, 42, 1]
    assert str(cast.publisher) not in page  # who changed it: officials only
    client.force_login(cast.reviewer)
    assert str(cast.publisher) in body(client.get(reverse("risk:country", kwargs={"code": "KH"})))


def _figures(html: str) -> list[str]:
    import re

    return re.findall(r"<dd>(\d+)</dd>", html)


@pytest.mark.django_db
def test_a_country_without_a_level_still_has_its_page_and_an_unknown_code_is_404(client):
    page = body(client.get(reverse("risk:country", kwargs={"code": "FR"})))
    assert "未评估" in page and "暂无该国的典型负面案例。" in page
    assert client.get(reverse("risk:country", kwargs={"code": "ZZ"})).status_code == 404
    assert client.get("/risk/countries/KHM/").status_code == 404


@pytest.mark.django_db
def test_the_country_page_costs_the_same_queries_with_one_change_or_many(cast, client, django_assert_max_num_queries):
    risk = CountryRiskFactory(country_id="KH", level=2)
    for level in (3, 2, 4, 3, 2, 3):
        services.country_risk_set(actor=cast.publisher, country_risk=risk, data={"level": level, "reason": "复核"})
    ReferenceRatingFactory(country_risk=risk)
    for _n in range(5):
        NegativeCaseFactory()
    with django_assert_max_num_queries(12):
        body(client.get(reverse("risk:country", kwargs={"code": "KH"})))


@pytest.mark.browser
def test_the_world_map_and_the_history_chart_draw_and_a_country_opens(browser_page):
    cast = make_cast()
    risk = CountryRiskFactory(country_id="PK", level=2, reviewed_at=timezone.now() - dt.timedelta(days=90))
    services.country_risk_set(actor=cast.publisher, country_risk=risk, data={"level": 3, "reason": "袭击事件增多"})
    CountryRiskFactory(country_id="MY", level=1)
    page = browser_page
    page.goto("/risk/countries/")
    expect(page.locator("#risk-map")).to_have_attribute("data-ready", "true")
    page.get_by_role("link", name="巴基斯坦").click()
    expect(page.get_by_test_id("country-name")).to_have_text("巴基斯坦国别画像")
    expect(page.get_by_test_id("country-level")).to_have_text("谨慎前往")
    expect(page.locator("#level-chart")).to_have_attribute("data-ready", "true")


@pytest.mark.django_db
def test_the_country_page_lists_the_bulletins_in_force_there(client):
    from .factories import BulletinFactory

    BulletinFactory(title="柬埔寨治安提醒", status="published", published_at=timezone.now(), countries=["KH"])
    BulletinFactory(title="越南台风提醒", status="published", published_at=timezone.now(), countries=["VN"])
    BulletinFactory(title="柬埔寨草稿", countries=["KH"])
    page = body(client.get(reverse("risk:country", kwargs={"code": "KH"})))
    section = page[page.index('id="bulletins-title"') :]
    assert "柬埔寨治安提醒" in section and "越南台风提醒" not in page and "柬埔寨草稿" not in page
    assert "该国目前没有现行有效的风险通报。" in body(client.get(reverse("risk:country", kwargs={"code": "TH"})))
