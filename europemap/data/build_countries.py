"""Build the map's country outlines: Natural Earth admin-0 countries cut to Europe's extent.

Source: Natural Earth 1:50m Cultural Vectors, Admin 0 – Countries, version 4.1.0, in the
TopoJSON redistribution of the npm package `world-atlas` 2.0.2 (`countries-50m.json`, installed
as a development dependency by `npm ci`). Natural Earth data is in the public domain
(https://www.naturalearthdata.com/about/terms-of-use/); the world-atlas packaging is ISC-licensed
(Mike Bostock). Boundaries are Natural Earth's de facto ones and imply no political position.

The result, `europemap/static/europemap/europe-countries.geojson`, is committed: the site needs
neither Node.js nor a tile server to draw the map. Run this script again only to change the
extent or the level of detail:

    uv run python europemap/data/build_countries.py

What it does: decodes the TopoJSON arcs, unwraps rings that cross the antimeridian, clips every
ring to the extent below (Sutherland–Hodgman against a rectangle), simplifies it (Douglas–Peucker,
tolerance in degrees) and rounds coordinates to 0.01° (about 1 km), which keeps the file small.
"""

import itertools
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "node_modules" / "world-atlas" / "countries-50m.json"
TARGET = ROOT / "europemap" / "static" / "europemap" / "europe-countries.geojson"

# West, south, east, north in degrees: from Greenland's east coast, the Azores and the Canary
# Islands to beyond the Urals, from North Africa's coast to Svalbard. Wider than Europe so the
# cut edges stay outside what the map lets visitors pan to (its maxBounds).
EXTENT = (-45.0, 24.0, 90.0, 83.0)
TOLERANCE = 0.02
DECIMALS = 2


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (scale_x, scale_y), (translate_x, translate_y) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + translate_x, y * scale_y + translate_y))
        arcs.append(points)
    return arcs


def ring_points(indexes: list[int], arcs: list) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        # A negative index ~i means arc i walked backwards (TopoJSON specification).
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        # Consecutive arcs share their joining point.
        points.extend(arc[1:] if points else arc)
    return points


def unwrap(points):
    """Make a ring that crosses the antimeridian (Russia's Chukotka) continuous: longitudes go
    past 180 instead of jumping to -180, so clipping does not draw a band across the globe."""
    if not points:
        return points
    result = [points[0]]
    offset = 0.0
    for (x0, _y0), (x, y) in itertools.pairwise(points):
        if x - x0 > 180:
            offset -= 360
        elif x - x0 < -180:
            offset += 360
        result.append((x + offset, y))
    return result


def clip_ring(points, extent):
    """Clip a closed ring to the rectangle; the rectangle is convex, so one pass per edge."""
    west, south, east, north = extent
    edges = [
        (lambda p: p[0] >= west, lambda p, q: _cross_x(p, q, west)),
        (lambda p: p[0] <= east, lambda p, q: _cross_x(p, q, east)),
        (lambda p: p[1] >= south, lambda p, q: _cross_y(p, q, south)),
        (lambda p: p[1] <= north, lambda p, q: _cross_y(p, q, north)),
    ]
    output = list(points)
    for inside, cross in edges:
        if not output:
            break
        source, output = output, []
        previous = source[-1]
        for current in source:
            if inside(current):
                if not inside(previous):
                    output.append(cross(previous, current))
                output.append(current)
            elif inside(previous):
                output.append(cross(previous, current))
            previous = current
    return output


def _cross_x(p, q, x):
    t = (x - p[0]) / (q[0] - p[0])
    return (x, p[1] + t * (q[1] - p[1]))


def _cross_y(p, q, y):
    t = (y - p[1]) / (q[1] - p[1])
    return (p[0] + t * (q[0] - p[0]), y)


def simplify(points, tolerance):
    """Douglas–Peucker on an open polyline, iteratively (rings have thousands of points)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = (dx * dx + dy * dy) ** 0.5
        farthest, distance = None, tolerance
        for index in range(first + 1, last):
            px, py = points[index]
            if length == 0:
                d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            else:
                d = abs(dy * px - dx * py + bx * ay - by * ax) / length
            if d > distance:
                farthest, distance = index, d
        if farthest is not None:
            keep[farthest] = True
            stack.extend([(first, farthest), (farthest, last)])
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def finish_ring(points):
    if not points:
        return None
    closed = points if points[0] == points[-1] else [*points, points[0]]
    simplified = simplify(closed, TOLERANCE)
    rounded = []
    for x, y in simplified:
        point = [round(x, DECIMALS), round(y, DECIMALS)]
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if len(rounded) < 4:
        return None
    if rounded[0] != rounded[-1]:
        rounded.append(rounded[0])
    return rounded


def build() -> dict:
    topology = json.loads(SOURCE.read_text())
    arcs = decode_arcs(topology)
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        kept = []
        for polygon in polygons:
            rings = [finish_ring(clip_ring(unwrap(ring_points(r, arcs)), EXTENT)) for r in polygon]
            # Without its outer ring (the first) the polygon lies outside the extent.
            if rings and rings[0]:
                kept.append([ring for ring in rings if ring])
        if not kept:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"name": geometry["properties"]["name"]},
                "geometry": {"type": "MultiPolygon", "coordinates": kept},
            }
        )
    features.sort(key=lambda feature: feature["properties"]["name"])
    return {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:50m admin-0 countries 4.1.0 (public domain), via world-atlas "
        "2.0.2; clipped to Europe and simplified by europemap/data/build_countries.py",
        "bbox": list(EXTENT),
        "features": features,
    }


if __name__ == "__main__":
    collection = build()
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(collection, separators=(",", ":"), ensure_ascii=False) + "\n")
    print(f"{len(collection['features'])} countries, {TARGET.stat().st_size:,} bytes: {TARGET}")
