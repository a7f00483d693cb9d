"""An offline basemap: Natural Earth's land, coasts and borders, GSHHG's lakes and rivers, and
GeoNames' towns, as GeoJSON and lists.

The land ships with storymap at two scales, 1:50m (``data/basemap-50m.npz``) and 1:10m
(``data/basemap-10m.npz``), both made by ``tools/make_basemap.py``, as a topology: arcs of
points that land, coasts and borders share. :func:`basemap` simplifies the arcs once, then builds
the land polygons, the coast lines and the border lines from the same simplified arcs, so the
three stay in register, and clips them to a story's bounds. Lakes and rivers
(``data/water.npz``, from ``tools/make_water.py``) are clipped to the same window and simplified
with the same tolerance. :func:`towns` lists the towns of ``data/towns.npz`` (from
``tools/make_towns.py``) within bounds.

Simplification and clipping happen in Web Mercator (longitude, and the Mercator ordinate in
degrees), the projection the page is drawn in, so a tolerance is the same number of pixels
everywhere on the map. Longitudes may run past ±180° for journeys that cross the antimeridian:
the basemap is repeated every 360° to cover the bounds, so that it lines up with the unwrapped
routes of :mod:`storymap.routes`.

Each data file is decoded once per process, when it is first needed: a page that needs no 1:10m
never reads it.
"""

from __future__ import annotations

import functools
import json
import math
import numbers
import threading
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import numpy as np

_HERE = Path(__file__).resolve().parent / "data"
DATA = _HERE / "basemap-50m.npz"
DATA_10M = _HERE / "basemap-10m.npz"
DATA_110M = _HERE / "basemap-110m.npz"
WATER = _HERE / "water.npz"
TOWNS = _HERE / "towns.npz"
SCALES = {"110m": DATA_110M, "50m": DATA, "10m": DATA_10M}

MIN_MARGIN = 1.0
"""The least margin around the bounds, in degrees, so that a short trip still shows its coast."""

TOLERANCE_DIVISOR = 800
"""The default tolerance is the bounds' span (in Mercator degrees) divided by this."""

MIN_TOLERANCE = 0.002
"""The least default tolerance, in degrees: about the resolution of the data (1:10m is quantized
to 0.0036° by 0.0017°), and a little finer than a pixel at :data:`MAX_ZOOM`."""

TOLERANCE_10M = 0.02
"""Tolerances below this, in degrees of Mercator, use 1:10m; this and above, 1:50m.

1:50m is drawn to about 0.5 mm at its scale, some 25 km, and quantized to about 400 m; it holds
to about a pixel at zoom 6, where a pixel is ``tolerance_for_zoom(6)`` = 0.022°. Closer than
that its coasts show their corners and its borders leave their rivers, so 1:10m takes over."""

MAX_ZOOM = 10
"""The closest Web Mercator zoom the shipped data supports.

1:10m is drawn to some 5 km (0.5 mm at its scale) and both it and the water are quantized to a
few hundred metres (1:10m to 0.0036° by 0.0017°, about 400 m by 190 m at the equator; the water
to 0.002°, from GSHHG's intermediate resolution, about 1 km between points). At zoom 10 a pixel
is 0.0014° (about 150 m at the equator, 100 m at 45°), so the data's steps are two or three
pixels: coarse but still a map. Closer, a coast would be visibly straight segments and a
bridge would stand a street's width or more from its river."""

RIVER_KM_PER_DEGREE = 5000
"""A river is drawn when its rank (the length of its stem, in km; see ``tools/make_water.py``) is
at least this many times the tolerance: at the world's scale (tolerance about 0.5) only stems of
2,500 km or more, at 0.1 stems of 500 km."""

ALL_RIVERS_TOLERANCE = 0.005
"""At this tolerance or finer every river of the data is drawn."""

RIVER_MIN_TOLERANCES = 3
"""A piece of river (after clipping) shorter than this many tolerances is left out."""

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


class _Water(NamedTuple):
    river_points: np.ndarray  # float64 (n, 2): longitude, Mercator ordinate (degrees)
    river_start: np.ndarray  # int64 (rivers + 1)
    river_rank: np.ndarray  # int64 (rivers): km
    river_box: np.ndarray  # float64 (rivers, 4)
    ring_points: np.ndarray  # float64 (n, 2)
    ring_start: np.ndarray  # int64 (rings + 1)
    ring_area: np.ndarray  # float64 (rings): absolute area, Mercator degrees squared
    lake_start: np.ndarray  # int64 (lakes + 1), into the rings
    lake_box: np.ndarray  # float64 (lakes, 4)
    x_range: tuple[float, float]


class _Towns(NamedTuple):
    names: list[str]
    lat: np.ndarray  # float64
    lon: np.ndarray  # float64
    population: np.ndarray  # int64


def tolerance_for_zoom(zoom: float) -> float:
    """The size of a pixel at Web Mercator ``zoom``, in degrees of Mercator: a tolerance that
    keeps simplified outlines within a pixel there (256-pixel tiles)."""
    return 360 / (256 * 2**zoom)


def basemap(
    bounds: list[list[float]],
    *,
    margin: float = 0.15,
    tolerance: float | None = None,
    scale: str | None = None,
) -> dict:
    """Land, lakes, rivers, coasts and borders around ``bounds``, as a GeoJSON FeatureCollection.

    ``bounds`` is ``[[south, west], [north, east]]`` in degrees (as Leaflet's ``fitBounds``
    takes it); ``west`` and ``east`` may run past ±180° (``east`` 215 is 145° W), as long as
    ``west <= east``. The window is the bounds grown on each side by ``margin`` times their span
    on that axis, and by at least :data:`MIN_MARGIN` degrees, within the latitudes Web Mercator
    shows.

    ``tolerance`` is the simplification tolerance in degrees of longitude (Mercator units): the
    default is the bounds' larger span, in the same units, over :data:`TOLERANCE_DIVISOR` (and
    at least :data:`MIN_TOLERANCE`), so the simplified outlines are within about a pixel at the
    zoom that frames the bounds; :func:`tolerance_for_zoom` gives the tolerance for a zoom.

    ``scale`` is ``"110m"``, ``"50m"`` or ``"10m"``, the Natural Earth land to use; by default
    (:func:`scale_for`) 1:10m when the tolerance is below :data:`TOLERANCE_10M`, 1:110m from
    :data:`TOLERANCE_110M` up, else 1:50m.

    The collection holds up to five features, in this order, each with ``properties.kind``:
    ``land`` (a MultiPolygon to fill, without a stroke: its outline also runs along the edges
    of the window), ``lake`` (a MultiPolygon to fill over the land), ``river``, ``coast`` and
    ``border`` (MultiLineStrings to stroke). All five come from the same window and the same
    tolerance. Lakes and islands smaller than the tolerance squared are left out, and so are
    rivers whose rank is below :data:`RIVER_KM_PER_DEGREE` times the tolerance (all are kept
    from :data:`ALL_RIVERS_TOLERANCE` down) and pieces of river shorter than
    :data:`RIVER_MIN_TOLERANCES` tolerances. A window with nothing of a kind has no feature of
    it (open sea has none at all). Coordinates are (lon, lat), rounded to what the tolerance
    makes meaningful; outer rings run anticlockwise and holes clockwise. The same arguments give
    an equal result, and a second call with them is served from memory.

    Raises :class:`ValueError` for malformed bounds (south above north, west east of east,
    latitudes past ±90°, more than :data:`MAX_SPAN` degrees of longitude, numbers that are not
    finite), a negative margin or tolerance, or an unknown scale.
    """
    south, west, north, east = _bounds(bounds)
    if not _finite(margin) or margin < 0:
        raise ValueError(f"margin must be a finite number >= 0, not {margin!r}")
    if tolerance is not None and (not _finite(tolerance) or tolerance < 0):
        raise ValueError(f"tolerance must be a finite number >= 0, not {tolerance!r}")
    if scale is not None and scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)} or None, not {scale!r}")
    tolerance = None if tolerance is None else float(tolerance)
    # Each caller gets a collection of its own to change as it likes.
    shared = collection(south, west, north, east, float(margin), tolerance, scale)
    return json.loads(json.dumps(shared, separators=(",", ":")))


def land_test(south: float, west: float, north: float, east: float, *, scale: str = "50m"):
    """A function ``(lons, lats) → booleans``: which of the points (numpy arrays, degrees) lie
    on Natural Earth land at ``scale``, for points within the window (``west``/``east`` may run
    past ±180°, as for :func:`basemap`). Land is clipped to the window once, lightly simplified
    (a few hundred metres); points outside the window count as sea."""
    import numpy as np
    import shapely

    lat_s, lat_n = max(south, -MAX_LAT), min(north, MAX_LAT)
    parts: list = []
    if lat_n > lat_s and east > west:
        parts = _clip(
            _topology(scale), west, _mercator(lat_s), east, _mercator(lat_n), 0.003, False
        )[0]
    for part in parts:
        shapely.prepare(part)

    def on_land(lons, lats):
        lons = np.asarray(lons, dtype=float)
        ys = _mercator_array(np.clip(np.asarray(lats, dtype=float), -MAX_LAT, MAX_LAT))
        found = np.zeros(lons.shape, dtype=bool)
        for part in parts:
            found |= shapely.contains_xy(part, lons, ys)
        return found

    return on_land


TOLERANCE_110M = 0.17
"""Tolerances from this up (a pixel at zoom 3 and wider views), in degrees of Mercator, use
1:110m: drawn that coarsely, 1:50m would be simplified to about the same outlines, at ten
times the cost of clipping it."""


def scale_for(tolerance: float) -> str:
    """The scale :func:`basemap` uses by default at ``tolerance``: "10m", "50m" or "110m"."""
    if tolerance < TOLERANCE_10M:
        return "10m"
    return "110m" if tolerance >= TOLERANCE_110M else "50m"


_prefetching: threading.Thread | None = None


def prefetch() -> None:
    """Start decoding the shipped data (both scales of land, the water and the towns) in a
    background thread, once per process, so that a build reads its story and routes its legs
    meanwhile; the first clip or town lookup waits for it to end."""
    global _prefetching
    if _prefetching is None:
        _prefetching = threading.Thread(target=_decode_all, name="storymap-basemap", daemon=True)
        _prefetching.start()


def _decode_all() -> None:
    try:
        _topology("110m")
        _topology("50m")
        _topology("10m")
        _water()
        _towns()
    except Exception:  # the caller decodes again, and meets the error itself
        pass


def _prefetched() -> None:
    if _prefetching is not None and _prefetching is not threading.current_thread():
        _prefetching.join()


@functools.lru_cache(maxsize=32)
def collection(
    south: float,
    west: float,
    north: float,
    east: float,
    margin: float,
    tolerance: float | None,
    scale: str | None,
    coasts: bool = True,
) -> dict:
    """:func:`basemap` for checked arguments, served from memory when asked again: the one
    collection that every such call shares, which callers must not change (the page's builder
    reads it and packs it; a rebuild in watch mode costs nothing). Without ``coasts`` it has no
    ``coast`` feature, for a caller that draws the coasts along the land's own outline."""
    _prefetched()
    pad_lat = max(margin * (north - south), MIN_MARGIN)
    pad_lon = max(margin * (east - west), MIN_MARGIN)
    w, e = west - pad_lon, east + pad_lon
    lat_s, lat_n = max(south - pad_lat, -MAX_LAT), min(north + pad_lat, MAX_LAT)
    s = _mercator(lat_s)
    n = _mercator(lat_n)
    if tolerance is None:
        span = max(east - west, _mercator(north) - _mercator(south))
        tolerance = max(span / TOLERANCE_DIVISOR, MIN_TOLERANCE)
    if scale is None:
        scale = scale_for(tolerance)
    # Enough decimals that rounding moves a point by a tenth of the tolerance at most.
    decimals = min(6, max(1, math.ceil(-math.log10(tolerance)) + 1)) if tolerance > 0 else 6

    features: list[dict] = []
    if n > s:
        land, coast, border = _clip(_topology(scale), w, s, e, n, tolerance, coasts)
        lakes, rivers = _clip_water(_water(), w, s, e, n, tolerance)
        for name, polygons in (("land", land), ("lake", lakes)):
            coords = _polygon_coords(polygons, decimals)
            if coords:
                features.append(_feature(name, "MultiPolygon", coords))
        for name, lines in (("river", rivers), ("coast", coast), ("border", border)):
            parts = _line_coords(lines, decimals)
            if parts:
                features.append(_feature(name, "MultiLineString", parts))
    # The window itself, as GeoJSON's bbox: what lies inside it and is not land is sea.
    bbox = [round(w, 4), round(lat_s, 4), round(e, 4), round(lat_n, 4)]
    return {"type": "FeatureCollection", "bbox": bbox, "features": features}


def towns(bounds: list[list[float]], *, margin: float = 0.0, limit: int = 200) -> list[list]:
    """The towns of 15,000 people or more within ``bounds``, most populous first.

    ``bounds`` and ``margin`` are as for :func:`basemap` (without its least margin): the window
    is the bounds grown by ``margin`` times their span on each axis. Each town is ``[name, lat,
    lon, population]``, its longitude shifted by 360° where the bounds run past ±180° so that
    it falls inside them (a town within bounds that go round the world more than once is listed
    once, at its first place from the west). Ties in population go by name; at most ``limit``
    towns are listed. The data is GeoNames' (CC BY 4.0).

    Raises :class:`ValueError` for malformed bounds, a negative margin or a negative limit.
    """
    south, west, north, east = _bounds(bounds)
    if not _finite(margin) or margin < 0:
        raise ValueError(f"margin must be a finite number >= 0, not {margin!r}")
    if not isinstance(limit, numbers.Integral) or isinstance(limit, bool) or limit < 0:
        raise ValueError(f"limit must be a whole number >= 0, not {limit!r}")
    pad_lat, pad_lon = margin * (north - south), margin * (east - west)
    south, north = south - pad_lat, north + pad_lat
    west, east = west - pad_lon, east + pad_lon
    return [list(t) for t in _towns_in(south, west, north, east, int(limit))]


@functools.lru_cache(maxsize=16)
def _towns_in(
    south: float, west: float, north: float, east: float, limit: int
) -> tuple[tuple, ...]:
    _prefetched()
    import numpy as np

    data = _towns()
    # The first turn of 360° that puts each town east of ``west``: its place in the window.
    shifted = data.lon + 360 * np.ceil((west - data.lon) / 360)
    found = (data.lat >= south) & (data.lat <= north) & (shifted <= east)
    # Stored most populous first, ties by name: the order wanted.
    ids = np.flatnonzero(found)[:limit]
    return tuple(
        (data.names[i], float(data.lat[i]), round(float(shifted[i]), 5), int(data.population[i]))
        for i in ids.tolist()
    )


# --- the window ------------------------------------------------------------------------------


def _turns(x_range: tuple[float, float], w: float, e: float) -> range:
    xmin, xmax = x_range
    return range(math.ceil((w - xmax) / 360), math.floor((e - xmin) / 360) + 1)


def _inside(box: np.ndarray, w: float, s: float, e: float, n: float) -> np.ndarray:
    return (box[:, 2] >= w) & (box[:, 0] <= e) & (box[:, 3] >= s) & (box[:, 1] <= n)


def _clip(
    topo: _Topology, w: float, s: float, e: float, n: float, tolerance: float, coasts: bool = True
) -> tuple[list, list, list]:
    """Land polygons, coast lines and border lines (shapely, Mercator) within the window.

    The window runs from longitude ``w`` to ``e`` and from Mercator ordinate ``s`` to ``n``;
    each turn of 360° that overlaps it gets its copy of the data, clipped and shifted.

    Only the arcs near the window are simplified. A land polygon is first folded onto a box a
    little larger than the window (:func:`_folded`), which leaves what lies inside the box as it
    is and puts the rest on the box's edges; so a continent costs little more than the few of its
    arcs that are near.
    """
    import numpy as np
    import shapely

    turns = _turns(topo.x_range, w, e)
    pad = max(tolerance, 1e-3 * max(e - w, n - s), 1e-6)
    boxes = {t: (w - 360 * t - pad, s - pad, e - 360 * t + pad, n + pad) for t in turns}

    drawn = topo.arc_kind != EDGE
    line_arcs = {
        t: np.flatnonzero(_inside(topo.arc_box, w - 360 * t, s, e - 360 * t, n) & drawn)
        for t in turns
    }
    near_arcs = [np.flatnonzero(_inside(topo.arc_box, *boxes[t])) for t in turns]
    polys = {t: np.flatnonzero(_inside(topo.poly_box, *boxes[t])) for t in turns}
    # Arcs of the polygons that run near the window under another turn are simplified too, so
    # that each arc has one simplification whatever the turn; the rest are folded.
    points, lines = _simplified(
        topo, _distinct(np.concatenate([np.zeros(0, dtype=np.int64), *near_arcs])), tolerance
    )

    land: list = []
    coast: list = []
    border: list = []
    for turn in turns:
        dx = 360 * turn
        box = (w - dx, s, e - dx, n)
        found = [
            shape
            for p in polys[turn].tolist()
            if (shape := _polygon(topo, p, points, tolerance, boxes[turn])) is not None
        ]
        if found:
            clipped = shapely.clip_by_rect(np.array(found, dtype=object), *box)
            land.extend(_shifted(g, dx) for g in clipped if not g.is_empty)
        for kind, out in ((COAST, coast), (BORDER, border)):
            if kind == COAST and not coasts:
                continue
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


def _clip_water(
    water: _Water, w: float, s: float, e: float, n: float, tolerance: float
) -> tuple[list, list]:
    """Lake polygons and river lines (shapely, Mercator) within the window, as :func:`_clip`."""
    import numpy as np
    import shapely

    least = tolerance * tolerance
    min_rank = 0 if tolerance <= ALL_RIVERS_TOLERANCE else RIVER_KM_PER_DEGREE * tolerance
    lakes: list = []
    rivers: list = []
    for turn in _turns(water.x_range, w, e):
        dx = 360 * turn
        box = (w - dx, s, e - dx, n)
        # Lakes: those whose shell is large enough, simplified ring by ring.
        ids = np.flatnonzero(
            _inside(water.lake_box, *box) & (water.ring_area[water.lake_start[:-1]] >= least)
        )
        if len(ids):
            rings = np.concatenate(
                [np.arange(water.lake_start[i], water.lake_start[i + 1]) for i in ids.tolist()]
            )
            rings = rings[water.ring_area[rings] >= least]
            geoms = _pieces(water.ring_points, water.ring_start, rings, tolerance)
            shells = set(water.lake_start[ids].tolist())
            coords, which = shapely.get_coordinates(geoms, return_index=True)
            cuts = np.flatnonzero(np.diff(which)) + 1
            first = np.concatenate([[0], cuts])
            x, y = coords[:, 0], coords[:, 1]
            cross = np.zeros(len(coords))
            cross[:-1] = x[:-1] * y[1:] - x[1:] * y[:-1]
            cross[cuts - 1] = 0  # a ring's last point pairs with no next
            areas = np.abs(np.add.reduceat(cross, first) / 2) if len(coords) else cross
            counts = np.diff(np.concatenate([first, [len(coords)]]))
            usable_rings = ((counts >= 4) & (areas >= least)).tolist()
            found = []
            current: list | None = None
            for r, ring, usable in zip(
                rings.tolist(), np.split(coords, cuts), usable_rings, strict=True
            ):
                if r in shells:
                    current = [ring] if usable else None
                    found.append(current)
                elif usable and current is not None:
                    current.append(ring)
            polygons = np.array(
                [shapely.Polygon(f[0], f[1:]) for f in found if f is not None], dtype=object
            )
            if len(polygons):
                for k in np.flatnonzero(~shapely.is_valid(polygons)).tolist():
                    polygons[k] = _valid(polygons[k], least)
                clipped = shapely.clip_by_rect(polygons, *box)
                lakes.extend(_shifted(g, dx) for g in clipped if not g.is_empty)
        # Rivers: those of rank enough, simplified, clipped, without the crumbs.
        ids = np.flatnonzero(_inside(water.river_box, *box) & (water.river_rank >= min_rank))
        if len(ids):
            geoms = _pieces(water.river_points, water.river_start, ids, tolerance)
            clipped = shapely.clip_by_rect(geoms, *box)
            parts = shapely.get_parts(
                np.array(_flat([g for g in clipped if not g.is_empty], "LineString"), dtype=object)
            )
            parts = parts[shapely.length(parts) >= RIVER_MIN_TOLERANCES * tolerance]
            rivers.extend(_shifted(g, dx) for g in parts)
    return lakes, _merged(rivers, directed=False)


def _pieces(points: np.ndarray, start: np.ndarray, ids: np.ndarray, tolerance: float):
    """Lines ``ids`` of ``points`` (cut at ``start``) as shapely lines, simplified."""
    import numpy as np
    import shapely

    starts, ends = start[ids], start[ids + 1]
    counts = ends - starts
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    coords = points[np.repeat(starts, counts) + offsets]
    geoms = shapely.linestrings(coords, indices=np.repeat(np.arange(len(ids)), counts))
    if tolerance > 0:
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=False)
    return geoms


def _valid(polygon, least: float):
    """``polygon``, mended when it is not valid (its simplified outline crosses itself, or
    folding laid it over itself); of a mended one, the parts of area ``least`` or more."""
    import shapely

    if polygon.is_valid:
        return polygon
    mended = shapely.make_valid(polygon, method="structure", keep_collapsed=False)
    parts = [g for g in _flat([mended], "Polygon") if g.area >= least]
    return shapely.MultiPolygon(parts) if len(parts) != 1 else parts[0]


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
    geoms = _pieces(topo.points, topo.arc_start, ids, tolerance)
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


def _polygon(
    topo: _Topology,
    p: int,
    arcs: dict[int, np.ndarray | None],
    tolerance: float,
    box: tuple[float, float, float, float],
):
    """Land polygon ``p`` from the simplified arcs, folded onto ``box``; None when it is too
    small or lies outside the box.

    Arcs that are not in ``arcs`` lie away from the box and are folded from their own points
    (from their ends alone when they lie off one side of it). Simplified arcs may cross where
    the land is narrow, and folding lays parts of the outline on top of each other along the
    box's edges: such a polygon is mended, so that it clips cleanly and fills without holes.
    """
    import numpy as np
    import shapely

    x0, y0, x1, y1 = box
    rings: list[np.ndarray] = []
    for r in range(topo.poly_start[p], topo.poly_start[p + 1]):
        parts: list[np.ndarray] = []
        for k in range(topo.ring_start[r], topo.ring_start[r + 1]):
            ref = int(topo.ring_ref[k])
            i = ref if ref >= 0 else ~ref
            shift = float(topo.ring_shift[k])
            if i in arcs:
                arc = arcs[i]
                if arc is None:
                    parts = []
                    break
            else:
                bx0, by0, bx1, by1 = topo.arc_box[i].tolist()
                first, end = int(topo.arc_start[i]), int(topo.arc_start[i + 1])
                if bx1 + shift < x0 or bx0 + shift > x1 or by1 < y0 or by0 > y1:
                    arc = topo.points[[first, end - 1]]  # off one side: its ends will do
                else:
                    arc = topo.points[first:end]
            arc = arc if ref >= 0 else arc[::-1]
            if shift:
                arc = arc + (shift, 0)
            parts.append(arc[1:] if parts else arc)
        ring = _folded(np.concatenate(parts), box) if parts else None
        if ring is None or len(ring) < 4 or abs(_area(ring)) < tolerance * tolerance:
            if not rings:
                return None  # the shell is gone, and the polygon with it
            continue
        rings.append(ring)
    return _valid(shapely.Polygon(rings[0], rings[1:]), tolerance * tolerance)


def _folded(ring: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """``ring`` with what lies outside ``box`` laid onto the box's edges.

    Points are added where the ring crosses the box's edges, then every point is clamped into
    the box. Inside the box the ring is as it was; outside, clamping is a continuous map onto
    the edges that leaves each point inside the box enclosed as many times as before, so the
    land within the box is the same. Runs of points along one edge are cut to their ends.
    """
    import numpy as np

    x0, y0, x1, y1 = box
    x, y = ring[:, 0], ring[:, 1]
    inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    if inside.all():
        return ring
    a, b = ring[:-1], ring[1:]
    crossing = np.flatnonzero(~(inside[:-1] & inside[1:]))
    a, d = a[crossing], b[crossing] - a[crossing]
    t0 = np.zeros(len(crossing))
    t1 = np.ones(len(crossing))
    missed = np.zeros(len(crossing), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for step, room in (
            (-d[:, 0], a[:, 0] - x0),
            (d[:, 0], x1 - a[:, 0]),
            (-d[:, 1], a[:, 1] - y0),
            (d[:, 1], y1 - a[:, 1]),
        ):
            ratio = room / step
            missed |= (step == 0) & (room < 0)
            t0 = np.where(step < 0, np.maximum(t0, ratio), t0)
            t1 = np.where(step > 0, np.minimum(t1, ratio), t1)
    hit = ~missed & (t0 <= t1)
    enter = hit & (t0 > 0)
    leave = hit & (t1 < 1)
    keys = np.concatenate(
        [
            np.arange(len(ring), dtype=np.float64),
            crossing[enter] + t0[enter],
            crossing[leave] + t1[leave],
        ]
    )
    points = np.concatenate(
        [ring, a[enter] + t0[enter, None] * d[enter], a[leave] + t1[leave, None] * d[leave]]
    )
    points = points[np.argsort(keys, kind="stable")]
    points = np.column_stack([np.clip(points[:, 0], x0, x1), np.clip(points[:, 1], y0, y1)])
    keep = np.ones(len(points), dtype=bool)
    keep[1:] = np.any(points[1:] != points[:-1], axis=1)
    points = points[keep]
    if len(points) > 2:
        px, py = points[:, 0], points[:, 1]
        edge_x = (px == x0) | (px == x1)
        edge_y = (py == y0) | (py == y1)
        middle = np.zeros(len(points), dtype=bool)
        middle[1:-1] = (edge_x[1:-1] & (px[:-2] == px[1:-1]) & (px[2:] == px[1:-1])) | (
            edge_y[1:-1] & (py[:-2] == py[1:-1]) & (py[2:] == py[1:-1])
        )
        points = points[~middle]
    return points


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


@functools.lru_cache(maxsize=2)
def _topology(scale: str = "50m") -> _Topology:
    """The shipped topology of ``scale``, decoded once per process."""
    import numpy as np

    with np.load(SCALES[scale], allow_pickle=False) as npz:
        data = {name: npz[name] for name in npz.files}
    meta = json.loads(data["meta"].tobytes())
    (sx, sy), (tx, ty) = meta["scale"], meta["translate"]
    x, y = _running_sum(data["xy"][:, 0]), _running_sum(data["xy"][:, 1])
    points = np.empty((len(x), 2))
    points[:, 0] = x * sx + tx
    points[:, 1] = _mercator_units(y, sy, ty)

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


@functools.lru_cache(maxsize=1)
def _water() -> _Water:
    """The shipped lakes and rivers, decoded once per process."""
    import numpy as np

    with np.load(WATER, allow_pickle=False) as npz:
        data = {name: npz[name] for name in npz.files}
    unit = json.loads(data["meta"].tobytes())["unit"]

    def decoded(first: np.ndarray, step: np.ndarray, start: np.ndarray) -> np.ndarray:
        counts = np.diff(start)
        points = np.empty((step.shape[1], 2))
        for axis in (0, 1):
            v = _running_sum(step[axis])
            # Each line's first step is 0: move each line to start at its first point.
            v += np.repeat(first[:, axis].astype(np.int64) - v[start[:-1]], counts)
            points[:, axis] = v * unit if axis == 0 else _mercator_units(v, unit, 0.0)
        return points

    def boxes(points: np.ndarray, start: np.ndarray) -> np.ndarray:
        first = start[:-1]
        return np.column_stack(
            [np.minimum.reduceat(points, first), np.maximum.reduceat(points, first)]
        )

    river_start = data["river_start"].astype(np.int64)
    river_points = decoded(data["river_first"], data["river_step"], river_start)
    ring_start = data["ring_start"].astype(np.int64)
    ring_points = decoded(data["ring_first"], data["ring_step"], ring_start)
    x, y = ring_points[:, 0], ring_points[:, 1]
    cross = np.zeros(len(ring_points))
    cross[:-1] = x[:-1] * y[1:] - x[1:] * y[:-1]
    cross[ring_start[1:] - 1] = 0  # the last point of a ring pairs with no next
    ring_area = np.abs(np.add.reduceat(cross, ring_start[:-1]) / 2)
    lake_start = data["lake_start"].astype(np.int64)
    river_box = boxes(river_points, river_start)
    # A lake's box is its shell's.
    lake_box = boxes(ring_points, ring_start)[lake_start[:-1]]
    both = np.concatenate([river_box, lake_box])
    return _Water(
        river_points=river_points,
        river_start=river_start,
        river_rank=data["river_rank"].astype(np.int64),
        river_box=river_box,
        ring_points=ring_points,
        ring_start=ring_start,
        ring_area=ring_area,
        lake_start=lake_start,
        lake_box=lake_box,
        x_range=(float(both[:, 0].min()), float(both[:, 2].max())),
    )


@functools.lru_cache(maxsize=1)
def _towns() -> _Towns:
    """The shipped towns, decoded once per process."""
    import numpy as np

    with np.load(TOWNS, allow_pickle=False) as npz:
        names = npz["names"].tobytes().decode().split("\n")[:-1]
        latlon = npz["latlon"].astype(np.float64) / 1e5
        population = npz["population"].astype(np.int64)
    return _Towns(names=names, lat=latlon[:, 0], lon=latlon[:, 1], population=population)


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


def _latitude(y: float) -> float:
    """The latitude of the Web Mercator ordinate ``y`` (degrees): :func:`_mercator` undone."""
    return math.degrees(2 * math.atan(math.exp(math.radians(y))) - math.pi / 2)


def _running_sum(steps: np.ndarray) -> np.ndarray:
    """The cumulative sum of ``steps`` as int64 (column by column is ten times faster than
    ``np.cumsum(axis=0)`` on pairs)."""
    import numpy as np

    out = steps.astype(np.int64)
    np.cumsum(out, out=out)
    return out


def _mercator_units(y: np.ndarray, step: float, offset: float) -> np.ndarray:
    """The Mercator ordinates of latitudes ``y * step + offset`` (``y`` integers), through a
    table of the distinct values: a fifth of the work of computing each."""
    import numpy as np

    low = int(y.min()) if len(y) else 0
    high = int(y.max()) if len(y) else 0
    table = np.arange(low, high + 1) * step + offset
    table = _mercator_array(np.clip(table, -MAX_LAT, MAX_LAT))
    return table[y - low]


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
