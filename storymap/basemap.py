"""An offline basemap: Natural Earth's 1:50m land, coasts and country borders, as GeoJSON.

The data ships with storymap (``data/basemap-50m.npz``, made by ``tools/make_basemap.py``) as a
topology: arcs of points that land, coasts and borders share. :func:`basemap` simplifies the
arcs once, then builds the land polygons, the coast lines and the border lines from the same
simplified arcs, so the three stay in register, and clips them to a story's bounds.

Simplification and clipping happen in Web Mercator (longitude, and the Mercator ordinate in
degrees), the projection the page is drawn in, so a tolerance is the same number of pixels
everywhere on the map. Longitudes may run past ±180° for journeys that cross the antimeridian:
the basemap is repeated every 360° to cover the bounds, so that it lines up with the unwrapped
routes of :mod:`storymap.routes`.
"""

from __future__ import annotations

import functools
import json
import math
import numbers
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import numpy as np

DATA = Path(__file__).resolve().parent / "data" / "basemap-50m.npz"

MIN_MARGIN = 1.0
"""The least margin around the bounds, in degrees, so that a short trip still shows its coast."""

TOLERANCE_DIVISOR = 800
"""The default tolerance is the bounds' span (in Mercator degrees) divided by this."""

MIN_TOLERANCE = 0.002
"""The least default tolerance, in degrees: about the resolution of the 1:50m data."""

MAX_LAT = 85.0511287798066
"""The latitude where Web Mercator, and so Leaflet's map, ends."""

MAX_SPAN = 720
"""The widest bounds, in degrees of longitude: twice round the world."""

COAST, BORDER, EDGE = 0, 1, 2


class _Topology(NamedTuple):
    points: np.ndarray  # float64 (n, 2): longitude, Mercator ordinate (degrees)
    arc_start: np.ndarray  # int64 (arcs + 1)
    arc_kind: np.ndarray  # int8 (arcs): COAST, BORDER or EDGE
    arc_box: np.ndarray  # float64 (arcs, 4): xmin, ymin, xmax, ymax
    ring_ref: np.ndarray  # int64: arcs of each ring, ~i for arc i reversed
    ring_shift: np.ndarray  # float64: degrees to add to each ring_ref's longitudes
    ring_start: np.ndarray  # int64 (rings + 1)
    poly_start: np.ndarray  # int64 (polygons + 1), into the rings; a polygon's first is its shell
    poly_box: np.ndarray  # float64 (polygons, 4)
    x_range: tuple[float, float]  # the least and greatest longitude of the data


def basemap(
    bounds: list[list[float]], *, margin: float = 0.15, tolerance: float | None = None
) -> dict:
    """Land, coasts and borders around ``bounds``, as a GeoJSON FeatureCollection.

    ``bounds`` is ``[[south, west], [north, east]]`` in degrees (as Leaflet's ``fitBounds``
    takes it); ``west`` and ``east`` may run past ±180° (``east`` 215 is 145° W), as long as
    ``west <= east``. The window is the bounds grown on each side by ``margin`` times their span
    on that axis, and by at least :data:`MIN_MARGIN` degrees, within the latitudes Web Mercator
    shows.

    ``tolerance`` is the simplification tolerance in degrees of longitude (Mercator units): the
    default is the bounds' larger span, in the same units, over :data:`TOLERANCE_DIVISOR`, so
    the simplified outlines are within about a pixel at the zoom that frames the bounds.

    The collection holds up to three features, in this order, each with ``properties.kind``:
    ``land`` (a MultiPolygon to fill, without a stroke: its outline also runs along the edges
    of the window), ``coast`` and ``border`` (MultiLineStrings to stroke). A window with nothing
    of a kind has no feature of it (open sea has none at all). Coordinates are (lon, lat),
    rounded to what the tolerance makes meaningful; outer rings run anticlockwise and holes
    clockwise. The same arguments give an equal result, and a second call with them is served
    from memory.

    Raises :class:`ValueError` for malformed bounds (south above north, west east of east,
    latitudes past ±90°, more than :data:`MAX_SPAN` degrees of longitude, numbers that are not
    finite) or a negative margin or tolerance.
    """
    south, west, north, east = _bounds(bounds)
    if not _finite(margin) or margin < 0:
        raise ValueError(f"margin must be a finite number >= 0, not {margin!r}")
    if tolerance is not None and (not _finite(tolerance) or tolerance < 0):
        raise ValueError(f"tolerance must be a finite number >= 0, not {tolerance!r}")
    # The result is kept as JSON text: a rebuild with the same bounds costs a json.loads, and
    # each caller gets a dict of its own to change as it likes.
    tolerance = None if tolerance is None else float(tolerance)
    return json.loads(_basemap_json(south, west, north, east, float(margin), tolerance))


@functools.lru_cache(maxsize=16)
def _basemap_json(
    south: float, west: float, north: float, east: float, margin: float, tolerance: float | None
) -> str:
    pad_lat = max(margin * (north - south), MIN_MARGIN)
    pad_lon = max(margin * (east - west), MIN_MARGIN)
    w, e = west - pad_lon, east + pad_lon
    lat_s, lat_n = max(south - pad_lat, -MAX_LAT), min(north + pad_lat, MAX_LAT)
    s = _mercator(lat_s)
    n = _mercator(lat_n)
    if tolerance is None:
        span = max(east - west, _mercator(north) - _mercator(south))
        tolerance = max(span / TOLERANCE_DIVISOR, MIN_TOLERANCE)
    # Enough decimals that rounding moves a point by a tenth of the tolerance at most.
    decimals = min(6, max(1, math.ceil(-math.log10(tolerance)) + 1)) if tolerance > 0 else 6

    features: list[dict] = []
    if n > s:
        land, coast, border = _clip(_topology(), w, s, e, n, tolerance)
        polygons = _polygon_coords(land, decimals)
        if polygons:
            features.append(_feature("land", "MultiPolygon", polygons))
        for name, lines in (("coast", coast), ("border", border)):
            parts = _line_coords(lines, decimals)
            if parts:
                features.append(_feature(name, "MultiLineString", parts))
    # The window itself, as GeoJSON's bbox: what lies inside it and is not land is sea.
    bbox = [round(w, 4), round(lat_s, 4), round(e, 4), round(lat_n, 4)]
    collection = {"type": "FeatureCollection", "bbox": bbox, "features": features}
    return json.dumps(collection, separators=(",", ":"))


# --- the window ------------------------------------------------------------------------------


def _clip(
    topo: _Topology, w: float, s: float, e: float, n: float, tolerance: float
) -> tuple[list, list, list]:
    """Land polygons, coast lines and border lines (shapely, Mercator) within the window.

    The window runs from longitude ``w`` to ``e`` and from Mercator ordinate ``s`` to ``n``;
    each turn of 360° that overlaps it gets its copy of the data, clipped and shifted.
    """
    import numpy as np
    import shapely

    xmin, xmax = topo.x_range
    turns = range(math.ceil((w - xmax) / 360), math.floor((e - xmin) / 360) + 1)

    def inside(box: np.ndarray, dx: float) -> np.ndarray:
        return (box[:, 2] >= w - dx) & (box[:, 0] <= e - dx) & (box[:, 3] >= s) & (box[:, 1] <= n)

    drawn = topo.arc_kind != EDGE
    line_arcs = {t: np.flatnonzero(inside(topo.arc_box, 360 * t) & drawn) for t in turns}
    polys = {t: np.flatnonzero(inside(topo.poly_box, 360 * t)) for t in turns}
    needed = [np.zeros(0, dtype=np.int64), *line_arcs.values()]
    for p in sorted({int(p) for ids in polys.values() for p in ids}):
        first, last = topo.ring_start[topo.poly_start[p]], topo.ring_start[topo.poly_start[p + 1]]
        refs = topo.ring_ref[first:last]
        needed.append(np.where(refs < 0, ~refs, refs))
    points, lines = _simplified(topo, _distinct(np.concatenate(needed)), tolerance)

    land: list = []
    coast: list = []
    border: list = []
    shapes: dict[int, object] = {}
    for turn in turns:
        dx = 360 * turn
        box = (w - dx, s, e - dx, n)
        for p in polys[turn].tolist():
            if p not in shapes:
                shapes[p] = _polygon(topo, p, points, tolerance)
        found = [shapes[p] for p in polys[turn].tolist() if shapes[p] is not None]
        if found:
            clipped = shapely.clip_by_rect(np.array(found, dtype=object), *box)
            land.extend(_shifted(g, dx) for g in clipped if not g.is_empty)
        for kind, out in ((COAST, coast), (BORDER, border)):
            ids = [
                i
                for i in line_arcs[turn].tolist()
                if topo.arc_kind[i] == kind and points[i] is not None
            ]
            if ids:
                clipped = shapely.clip_by_rect(
                    np.array([lines[i] for i in ids], dtype=object), *box
                )
                out.extend(_shifted(g, dx) for g in clipped if not g.is_empty)
    return land, _merged(coast, directed=True), _merged(border, directed=False)


def _simplified(
    topo: _Topology, ids: np.ndarray, tolerance: float
) -> tuple[dict[int, np.ndarray | None], dict[int, object]]:
    """Each arc of ``ids`` simplified (Douglas-Peucker, ends kept), as points and as a line.

    An island smaller than the tolerance is dropped: its points are None.
    """
    import numpy as np
    import shapely

    if len(ids) == 0:
        return {}, {}
    starts, ends = topo.arc_start[ids], topo.arc_start[ids + 1]
    counts = ends - starts
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    coords = topo.points[np.repeat(starts, counts) + offsets]
    geoms = shapely.linestrings(coords, indices=np.repeat(np.arange(len(ids)), counts))
    if tolerance > 0:
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=False)
    coords, which = shapely.get_coordinates(geoms, return_index=True)
    cuts = np.flatnonzero(np.diff(which)) + 1
    first = np.concatenate([[0], cuts])
    last = np.concatenate([cuts, [len(coords)]]) - 1
    closed = np.all(coords[first] == coords[last], axis=1)
    small = last - first < 3
    points: dict[int, np.ndarray | None] = {}
    for i, arc, is_closed, is_small in zip(
        ids.tolist(), np.split(coords, cuts), closed.tolist(), small.tolist(), strict=True
    ):
        if is_closed and (is_small or abs(_area(arc)) < tolerance * tolerance):
            points[i] = None  # an island smaller than the tolerance
        else:
            points[i] = arc
    return points, dict(zip(ids.tolist(), geoms, strict=True))


def _polygon(topo: _Topology, p: int, arcs: dict[int, np.ndarray | None], tolerance: float):
    """Land polygon ``p`` from the simplified arcs; None when its outline is too small.

    Simplified arcs may cross where the land is narrow: such a polygon is mended, so that it
    clips cleanly and fills without holes.
    """
    import numpy as np
    import shapely

    rings: list[np.ndarray] = []
    for r in range(topo.poly_start[p], topo.poly_start[p + 1]):
        parts: list[np.ndarray] = []
        for k in range(topo.ring_start[r], topo.ring_start[r + 1]):
            ref = int(topo.ring_ref[k])
            arc = arcs[ref if ref >= 0 else ~ref]
            if arc is None:
                parts = []
                break
            arc = arc if ref >= 0 else arc[::-1]
            if topo.ring_shift[k]:
                arc = arc + (topo.ring_shift[k], 0)
            parts.append(arc[1:] if parts else arc)
        ring = np.concatenate(parts) if parts else None
        if ring is None or len(ring) < 4 or abs(_area(ring)) < tolerance * tolerance:
            if not rings:
                return None  # the shell is gone, and the polygon with it
            continue
        rings.append(ring)
    polygon = shapely.Polygon(rings[0], rings[1:])
    if polygon.is_valid:
        return polygon
    # buffer(0) mends a simplified outline in a millisecond where make_valid takes tens; it
    # can drop a lobe of a figure eight, so keep the outline as it is if much is lost.
    mended = polygon.buffer(0)
    return mended if mended.area >= 0.5 * abs(_area(rings[0])) else polygon


def _shifted(geometry, dx: float):
    if not dx:
        return geometry
    import shapely

    return shapely.transform(geometry, lambda c: c + (dx, 0))


def _merged(lines: list, *, directed: bool) -> list:
    """The pieces of ``lines`` joined where they meet end to end (only end to start if
    ``directed``, which keeps the coasts' land on their left)."""
    import shapely

    if not lines:
        return []
    merged = shapely.line_merge(
        shapely.MultiLineString(_flat(lines, "LineString")), directed=directed
    )
    return list(shapely.get_parts(merged))


def _flat(geometries: list, kind: str) -> list:
    """The parts of ``geometries`` (multi-part, collections) that are of ``kind``."""
    import shapely

    out = []
    todo = list(geometries)
    while todo:
        g = todo.pop(0)
        if g.geom_type == kind:
            out.append(g)
        elif g.geom_type.startswith("Multi") or g.geom_type == "GeometryCollection":
            todo[0:0] = list(shapely.get_parts(g))
    return out


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return float((x[:-1] * y[1:] - x[1:] * y[:-1]).sum() / 2)


# --- GeoJSON ---------------------------------------------------------------------------------


def _feature(kind: str, geometry: str, coordinates: list) -> dict:
    return {
        "type": "Feature",
        "properties": {"kind": kind},
        "geometry": {"type": geometry, "coordinates": coordinates},
    }


def _lonlat(geometries: list, decimals: int) -> dict[int, np.ndarray]:
    """The points of each geometry as rounded (lon, lat), without repeated points.

    Keyed by the geometry's position in ``geometries``; a geometry with no points is left out.
    """
    import numpy as np
    import shapely

    if not geometries:
        return {}
    coords, which = shapely.get_coordinates(np.array(geometries, dtype=object), return_index=True)
    lat = np.degrees(2 * np.arctan(np.exp(np.radians(coords[:, 1]))) - math.pi / 2)
    points = np.round(np.column_stack([coords[:, 0], lat]), decimals) + 0.0  # no -0.0
    keep = np.ones(len(points), dtype=bool)
    keep[1:] = np.any(points[1:] != points[:-1], axis=1) | (which[1:] != which[:-1])
    points, which = points[keep], which[keep]
    if not len(which):
        return {}
    cuts = np.flatnonzero(np.diff(which)) + 1
    firsts = which[np.concatenate([[0], cuts])].tolist()
    return dict(zip(firsts, np.split(points, cuts), strict=True))


def _polygon_coords(geometries: list, decimals: int) -> list[list]:
    """Polygons as GeoJSON coordinates, outer rings anticlockwise and holes clockwise.

    That is RFC 7946's winding, so a renderer may fill them with the nonzero rule.
    """
    import shapely

    polygons = _flat(geometries, "Polygon")
    if not polygons:
        return []
    rings, owner = shapely.get_rings(polygons, return_index=True)
    coords = _lonlat(list(rings), decimals)
    out: list[list | None] = []
    current = -1
    for k, p in enumerate(owner.tolist()):
        ring = coords.get(k)
        usable = ring is not None and len(ring) >= 4
        if usable and (_area(ring) < 0) == (p != current):
            ring = ring[::-1]
        if p != current:  # an outer ring; its polygon goes with it if it is too small
            current = p
            out.append([ring.tolist()] if usable else None)
        elif usable and out[-1] is not None:
            out[-1].append(ring.tolist())
    return [p for p in out if p is not None]


def _line_coords(lines: list, decimals: int) -> list[list]:
    coords = _lonlat(lines, decimals)
    return [coords[k].tolist() for k in sorted(coords) if len(coords[k]) >= 2]


# --- the data --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _topology() -> _Topology:
    """The shipped topology, decoded once per process."""
    import numpy as np

    with np.load(DATA, allow_pickle=False) as npz:
        data = {name: npz[name] for name in npz.files}
    meta = json.loads(data["meta"].tobytes())
    (sx, sy), (tx, ty) = meta["scale"], meta["translate"]
    xy = np.cumsum(data["xy"], axis=0, dtype=np.int64)
    lon = xy[:, 0] * sx + tx
    lat = np.clip(xy[:, 1] * sy + ty, -MAX_LAT, MAX_LAT)
    points = np.column_stack([lon, _mercator_array(lat)])

    arc_start = data["arc_start"].astype(np.int64)
    first = arc_start[:-1]
    low = np.minimum.reduceat(points, first)
    high = np.maximum.reduceat(points, first)
    arc_box = np.column_stack([low, high])

    ring_ref = data["ring_ref"].astype(np.int64)
    ring_shift = data["ring_shift"].astype(np.float64) * 360
    ring_start = data["ring_start"].astype(np.int64)
    poly_start = data["poly_start"].astype(np.int64)
    ref_box = arc_box[np.where(ring_ref < 0, ~ring_ref, ring_ref)].copy()
    ref_box[:, [0, 2]] += ring_shift[:, None]
    shell_first = ring_start[poly_start[:-1]]
    poly_box = np.column_stack(
        [
            np.minimum.reduceat(ref_box[:, :2], shell_first),
            np.maximum.reduceat(ref_box[:, 2:], shell_first),
        ]
    )
    # reduceat runs to the next start, which takes in the holes too: harmless, they lie inside.
    return _Topology(
        points=points,
        arc_start=arc_start,
        arc_kind=data["arc_kind"],
        arc_box=arc_box,
        ring_ref=ring_ref,
        ring_shift=ring_shift,
        ring_start=ring_start,
        poly_start=poly_start,
        poly_box=poly_box,
        x_range=(float(ref_box[:, 0].min()), float(ref_box[:, 2].max())),
    )


def _distinct(ids: np.ndarray) -> np.ndarray:
    """``np.unique(ids)``, without the import of numpy.ma that np.unique makes (25 ms)."""
    import numpy as np

    ids = np.sort(ids)
    if len(ids) == 0:
        return ids
    keep = np.empty(len(ids), dtype=bool)
    keep[0] = True
    np.not_equal(ids[1:], ids[:-1], out=keep[1:])
    return ids[keep]


def _mercator(lat: float) -> float:
    """The Web Mercator ordinate of ``lat``, in degrees (equal to longitude at the equator)."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _mercator_array(lat: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.degrees(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))


# --- checks ----------------------------------------------------------------------------------


def _finite(value: object) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _bounds(bounds: object) -> tuple[float, float, float, float]:
    try:
        (south, west), (north, east) = bounds  # type: ignore[misc]
    except (TypeError, ValueError):
        raise ValueError(f"bounds must be [[south, west], [north, east]], not {bounds!r}") from None
    values = (south, west, north, east)
    if not all(_finite(v) for v in values):
        raise ValueError(f"bounds must be finite numbers, not {bounds!r}")
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise ValueError(f"bounds' latitudes must be from -90 to 90, not {south} and {north}")
    if south > north:
        raise ValueError(f"bounds' south {south} is north of their north {north}")
    if west > east:
        raise ValueError(f"bounds' west {west} is east of their east {east}")
    if east - west > MAX_SPAN:
        raise ValueError(f"bounds span {east - west}° of longitude; at most {MAX_SPAN}° is drawn")
    return float(south), float(west), float(north), float(east)
