#!/usr/bin/env python3
"""Draws the overseas map's South China Sea islands inset (南海诸岛), an SVG served beside the map.

    python3 scripts/build-south-china-sea-inset.py \
        projects/static/projects/geo/world.geo.json projects/static/projects/geo/south-china-sea.svg

The land is world.geo.json (Natural Earth, China with Taiwan, Hong Kong and Macao, see
build-world-geojson.mjs) clipped to the inset's box; on it the dashed line and the four island
groups, at their approximate positions. Like the map it is a sketch (示意图), not a standard map:
docs/deploy.md says how to put an approved one (with its 审图号) in its place.
Standard library only (no shapely): a rectangle clip of each ring (Sutherland-Hodgman).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# The inset's box: longitude west to east, latitude south to north (degrees).
WEST, EAST, SOUTH, NORTH = 106.0, 122.5, 2.5, 24.5
SCALE = 10  # SVG units a degree (equirectangular, as the main map)
WIDTH, HEIGHT = (EAST - WEST) * SCALE, (NORTH - SOUTH) * SCALE

# The dashed line (each dash from, to; longitude, latitude), after the published maps, approximate.
DASHES = [
    ((108.3, 18.3), (108.6, 17.3)),
    ((109.6, 15.4), (109.6, 14.0)),
    ((109.4, 10.6), (109.0, 9.2)),
    ((109.6, 6.8), (110.5, 5.8)),
    ((112.0, 3.6), (113.2, 3.4)),
    ((114.9, 6.3), (115.9, 7.4)),
    ((117.3, 10.2), (118.1, 11.3)),
    ((118.9, 15.0), (119.1, 16.3)),
    ((119.6, 19.4), (120.5, 20.8)),
]
# The island groups (东沙, 西沙, 中沙, 南沙) and 曾母暗沙, as dots.
ISLANDS = [
    (116.8, 20.7),
    (111.6, 16.5),
    (112.3, 16.8),
    (112.7, 16.2),
    (114.3, 15.8),
    (113.8, 11.0),
    (114.4, 10.4),
    (115.0, 9.6),
    (112.9, 9.0),
    (114.0, 8.6),
    (115.8, 10.6),
    (112.3, 3.9),
]


def clip(ring: list[list[float]]) -> list[list[float]]:
    """The part of a ring inside the box (Sutherland-Hodgman against each of its four edges)."""
    edges = [
        (lambda p: p[0] >= WEST, lambda a, b: _at_x(a, b, WEST)),
        (lambda p: p[0] <= EAST, lambda a, b: _at_x(a, b, EAST)),
        (lambda p: p[1] >= SOUTH, lambda a, b: _at_y(a, b, SOUTH)),
        (lambda p: p[1] <= NORTH, lambda a, b: _at_y(a, b, NORTH)),
    ]
    points = ring
    for inside, cross in edges:
        if not points:
            break
        result = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current):
                if not inside(previous):
                    result.append(cross(previous, current))
                result.append(current)
            elif inside(previous):
                result.append(cross(previous, current))
        points = result
    return points


def _at_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return [x, a[1] + t * (b[1] - a[1])]


def _at_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return [a[0] + t * (b[0] - a[0]), y]


def xy(point) -> str:
    return f"{(point[0] - WEST) * SCALE:.1f},{(NORTH - point[1]) * SCALE:.1f}"


def land_paths(geo: dict) -> list[str]:
    paths = []
    for feature in geo["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        rings = [clip(ring) for polygon in polygons for ring in polygon]
        d = " ".join("M" + " L".join(xy(p) for p in ring) + " Z" for ring in rings if len(ring) >= 3)
        if d:
            paths.append(f'<path class="land" d="{d}"/>')
    return paths


def main(source: str, target: str) -> None:
    geo = json.loads(Path(source).read_text(encoding="utf-8"))
    dashes = " ".join(f"M{xy(a)} L{xy(b)}" for a, b in DASHES)
    dots = "".join(f'<circle cx="{xy(p).split(",")[0]}" cy="{xy(p).split(",")[1]}" r="1.6"/>' for p in ISLANDS)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}" '
        f'width="{WIDTH:.0f}" height="{HEIGHT:.0f}">'
        "<style>.land{fill:#dde3ea;stroke:#fff;stroke-width:.6;stroke-linejoin:round}"
        ".line{fill:none;stroke:#5b6470;stroke-width:1.6;stroke-linecap:round}"
        ".islands{fill:#5b6470}</style>"
        f'<rect width="{WIDTH:.0f}" height="{HEIGHT:.0f}" fill="#f7f9fc"/>'
        + "".join(land_paths(geo))
        + f'<path class="line" d="{dashes}"/><g class="islands">{dots}</g>'
        f'<rect x=".5" y=".5" width="{WIDTH - 1:.0f}" height="{HEIGHT - 1:.0f}" fill="none" stroke="#5b6470"/>'
        "</svg>\n"
    )
    Path(target).write_text(svg, encoding="utf-8")
    print(f"{target}: {len(svg)} bytes")


if __name__ == "__main__":
    main(*sys.argv[1:3])
