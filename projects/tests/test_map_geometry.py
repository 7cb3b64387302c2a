"""The overseas map from China's point of view: Taiwan, Hong Kong and Macao are part of China's
geometry (no feature, tooltip or border of their own), a 南海诸岛 inset in the lower right, the
示意图 note, and the 审图号 of an approved standard map when one is configured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

GEO = Path(settings.BASE_DIR) / "projects" / "static" / "projects" / "geo"
TAIPEI = (121.56, 25.04)
KAOHSIUNG = (120.30, 22.63)
HONG_KONG = (114.12, 22.42)  # the New Territories (Tai Mo Shan)
BEIJING = (116.40, 39.90)
MANILA = (120.98, 14.60)


@pytest.fixture(scope="module")
def features() -> dict:
    geo = json.loads((GEO / "world.geo.json").read_text(encoding="utf-8"))
    return {feature["properties"]["code"]: feature for feature in geo["features"]}


def polygons(feature) -> list:
    geometry = feature["geometry"]
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def in_ring(point, ring) -> bool:
    """Ray casting: whether a horizontal ray from the point crosses the ring an odd number of times."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def covers(feature, point) -> bool:
    return any(
        in_ring(point, polygon[0]) and not any(in_ring(point, hole) for hole in polygon[1:])
        for polygon in polygons(feature)
    )


def test_the_point_in_polygon_check_itself(features):
    assert covers(features["CN"], BEIJING)
    assert not covers(features["CN"], MANILA)
    assert covers(features["PH"], MANILA)


def test_taiwan_hong_kong_and_macao_have_no_feature_of_their_own(features):
    assert not {"TW", "HK", "MO"} & set(features)
    assert not [code for code, f in features.items() if f["properties"]["name"] in ("Taiwan", "Hong Kong", "Macao")]


@pytest.mark.parametrize("point", [TAIPEI, KAOHSIUNG, HONG_KONG])
def test_china_covers_taiwan_and_hong_kong(features, point):
    assert covers(features["CN"], point)
    assert [code for code, feature in features.items() if covers(feature, point)] == ["CN"]


def test_the_inset_is_a_local_svg_with_the_dashed_line_and_the_islands():
    svg = (GEO / "south-china-sea.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg xmlns=")
    assert 'class="line"' in svg and 'class="islands"' in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_the_map_page_shows_the_inset_and_the_note(client, db):
    body = client.get(reverse("projects:map")).content.decode()
    assert 'data-testid="map-inset"' in body
    assert "projects/geo/south-china-sea." in body
    assert "<figcaption>南海诸岛</figcaption>" in body
    assert "示意图，国界线不作为划界依据。" in body


def test_the_map_names_its_approval_number_only_when_one_is_set(client, db, settings):
    assert "审图号" not in client.get(reverse("projects:map")).content.decode()
    settings.PORTAL_SITE_INFO = {**settings.PORTAL_SITE_INFO, "MAP_APPROVAL_NUMBER": "GS(2024)0650号"}
    body = client.get(reverse("projects:map")).content.decode()
    assert "示意图，国界线不作为划界依据。 审图号：GS(2024)0650号" in body


def test_the_map_page_speaks_english_under_en(client, db):
    body = client.get("/en/projects/map/").content.decode()
    assert 'data-testid="map-inset"' in body


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
def test_the_inset_is_drawn_in_the_lower_right_of_the_map_with_the_note_below(browser_page, viewport):
    page = browser_page
    page.set_viewport_size(viewport)
    page.goto(reverse("projects:map"))
    chart = page.locator("#project-map")
    expect(chart).to_have_attribute("data-ready", "true")
    inset = page.get_by_test_id("map-inset")
    expect(inset).to_be_visible()
    expect(inset).to_contain_text("南海诸岛")
    assert inset.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    map_box, inset_box = chart.bounding_box(), inset.bounding_box()
    # Inside the map, in its lower right quarter.
    assert inset_box["x"] > map_box["x"] + map_box["width"] / 2
    assert inset_box["y"] > map_box["y"] + map_box["height"] / 2
    assert inset_box["x"] + inset_box["width"] <= map_box["x"] + map_box["width"]
    assert inset_box["y"] + inset_box["height"] <= map_box["y"] + map_box["height"]
    expect(page.get_by_test_id("map-note")).to_have_text("示意图，国界线不作为划界依据。")
