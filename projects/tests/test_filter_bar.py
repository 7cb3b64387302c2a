"""The filter bar of the list pages (portal/includes/filter_bar.html): checkbox drop-downs rather
than Ctrl-click multi-selects, "全部…" rather than "---------", only the filters the viewer can use,
and each active filter a chip whose link removes that one value. Without JavaScript: plain GET
forms and links."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from projects.choices import FilingStatus, Sector, Stage

from .test_views import make_project, page_text


@pytest.fixture
def as_user(client):
    def sign_in(user):
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


def chips(response) -> list[dict]:
    return response.context["filterset"].chips()


def chip_query(chip) -> dict[str, list[str]]:
    return parse_qs(urlsplit(chip["remove"]).query)


PAGES = [
    ("projects:list", "official"),
    ("projects:review_queue", "reviewer"),
    ("projects:statistics", "official"),
    ("projects:map", "official"),
]


@pytest.mark.parametrize(("url_name", "role"), PAGES)
def test_no_page_offers_a_ctrl_click_multi_select_or_a_bare_dashes_choice(cast, as_user, url_name, role):
    body = page_text(as_user(getattr(cast, role)).get(reverse(url_name)))
    start = body.index('data-testid="filter-form"')
    form = body[start : body.index("</form>", start)]
    assert "multiple" not in form
    assert "---------" not in form
    assert 'type="checkbox"' in form
    assert "<details" in body and "筛选" in body


def test_multiple_choice_filters_are_checkbox_drop_downs_saying_all_when_none_is_ticked(cast, as_user):
    body = page_text(as_user(None).get(reverse("projects:list")))
    assert re.search(r'<summary[^>]*data-testid="dropdown-sector"', body)
    for label in ("全部行业", "全部阶段", "全部业务模式", "全部国家", "全部地区"):
        assert label in body
    assert 'type="checkbox" name="sector" value="transport"' in body


def test_ticked_choices_stay_ticked_and_are_named_in_the_drop_down(cast, as_user):
    body = page_text(as_user(None).get(reverse("projects:list"), {"stage": ["signed", "under_construction"]}))
    assert re.search(r'name="stage" value="signed"[^>]*checked', body)
    assert re.search(r'name="stage" value="under_construction"[^>]*checked', body)
    assert not re.search(r'name="stage" value="intended"[^>]*checked', body)
    summary = re.search(r'data-testid="dropdown-stage">(.*?)</summary>', body).group(1)
    assert re.findall(r'<span class="dropdown__picked">(.*?)</span>', summary) == ["已签约", "在建"]


@pytest.mark.parametrize("role", ["anonymous", "supplier", "talent"])
def test_the_public_is_not_offered_filing_statuses(cast, as_user, role):
    user = None if role == "anonymous" else getattr(cast, role)
    body = page_text(as_user(user).get(reverse("projects:list")))
    assert 'name="filing_status" value="draft"' not in body
    assert "全部状态" not in body


@pytest.mark.parametrize("role", ["owner", "official"])
def test_enterprises_and_officials_are_offered_filing_statuses(cast, as_user, role):
    body = page_text(as_user(getattr(cast, role)).get(reverse("projects:list")))
    assert 'type="checkbox" name="filing_status" value="draft"' in body


def test_only_officials_are_offered_enterprises_and_value_ranges(cast, as_user):
    public = page_text(as_user(cast.owner).get(reverse("projects:list")))
    assert "全部企业" not in public and 'name="value_min"' not in public
    client = as_user(cast.official)
    official = page_text(client.get(reverse("projects:list")))
    assert "全部企业" in official and 'name="value_min"' in official


def test_a_link_with_a_filing_status_still_filters_for_the_public(cast, as_user):
    make_project(cast.enterprise, name="已备案")
    response = as_user(None).get(reverse("projects:list"), {"filing_status": "approved"})
    assert [row["project"].name for row in response.context["rows"]] == ["已备案"]


def test_each_active_filter_is_a_chip_whose_link_removes_that_one_value(cast, as_user):
    make_project(cast.enterprise, name="肯尼亚公路", stage=Stage.SIGNED)
    make_project(cast.enterprise, name="肯尼亚港口", stage=Stage.UNDER_CONSTRUCTION)
    query = {"country": "KE", "stage": ["signed", "under_construction"], "search": "肯尼亚", "page": "1"}
    response = as_user(None).get(reverse("projects:list"), query)
    shown = {(chip["label"], chip["value"]) for chip in chips(response)}
    assert shown == {("国家", "肯尼亚 (KE)"), ("阶段", "已签约"), ("阶段", "在建"), ("搜索", "肯尼亚")}
    signed = next(chip for chip in chips(response) if chip["value"] == "已签约")
    assert urlsplit(signed["remove"]).path == reverse("projects:list")
    assert chip_query(signed) == {"country": ["KE"], "stage": ["under_construction"], "search": ["肯尼亚"]}
    body = page_text(response)
    assert 'data-testid="filter-chip"' in body
    # Following the chip's link shows the page without that value.
    after = as_user(None).get(signed["remove"])
    assert [row["project"].name for row in after.context["rows"]] == ["肯尼亚港口"]
    assert len(chips(after)) == 3


def test_no_chip_without_a_filter_and_the_clear_link_keeps_the_library_tab(cast, as_user):
    response = as_user(None).get(reverse("projects:list"), {"library": "intended"})
    assert chips(response) == []
    assert 'data-testid="filter-chips"' not in page_text(response)
    response = as_user(None).get(reverse("projects:list"), {"library": "intended", "sector": Sector.POWER})
    assert response.context["filterset"].clear_url() == reverse("projects:list") + "?library=intended"


def test_statistics_chips_keep_the_dimension(cast, as_user):
    response = as_user(cast.official).get(reverse("projects:statistics"), {"by": "sector", "region": "africa"})
    (chip,) = chips(response)
    assert (chip["label"], chip["value"]) == ("地区", "非洲")
    assert chip_query(chip) == {"by": ["sector"]}
    body = page_text(response)
    assert '<input type="hidden" name="by" value="sector">' in body


def test_statistics_offer_officials_every_filing_status(cast, as_user):
    make_project(cast.enterprise, name="草稿", status=FilingStatus.DRAFT)
    body = page_text(as_user(cast.official).get(reverse("projects:statistics")))
    for status in FilingStatus.values:
        assert f'name="filing_status" value="{status}"' in body


def test_the_map_chips_keep_the_colouring(cast, as_user):
    response = as_user(cast.official).get(reverse("projects:map"), {"metric": "value", "region": "africa"})
    (chip,) = chips(response)
    assert chip_query(chip) == {"metric": ["value"]}


def test_a_bad_filter_opens_the_bar_with_its_message(cast, as_user):
    body = page_text(as_user(None).get(reverse("projects:list"), {"year": "abc"}))
    assert re.search(r'<details class="filterbar" data-filterbar open>', body)
    assert "field__error" in body


def test_chips_cost_no_query_beyond_the_bar(cast, client, django_assert_num_queries):
    make_project(cast.enterprise)
    # 1 paginator count, 2 the page of projects, 3 the countries of the filter bar (which also
    # name the country chip).
    with django_assert_num_queries(3):
        response = client.get(reverse("projects:list"), {"country": "KE", "sector": "transport"})
    assert len(response.context["filterset"].chips()) == 2


def test_the_bar_keeps_its_widgets_after_the_api_built_its_own_fields(cast, as_user):
    """django-filter shares filter objects between the API's FilterSet and the page's: a form
    field the API built first (the schema, a list request) must not bring the API's widgets."""
    from projects.filtersets import ProjectFilterSet

    for filter_ in ProjectFilterSet.base_filters.values():
        assert filter_.field is not None
    body = page_text(as_user(None).get(reverse("projects:list"), {"library": "intended"}))
    assert 'type="checkbox" name="sector" value="transport"' in body
    assert " multiple>" not in body
    assert '<input type="hidden" name="library" value="intended"' in body
