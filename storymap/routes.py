"""The legs of a journey as lines, with their geodesic lengths.

Coordinate order: places hold ``lat``/``lon`` by name; lines hold GeoJSON
order, (lon, lat). :func:`to_lonlat` and :func:`to_latlon` are the one place
that converts between the two.

A ground leg runs from the previous chapter's place through its ``via``
waypoints to this chapter's place, or follows its route file (GeoJSON or GPX).
A geodesic leg (a flight) is a great-circle arc between the same points.

Longitudes are unwrapped along the whole journey: each point is shifted by a
multiple of 360° to lie within 180° of the one before, so a flight from
Anchorage (-150°) to Tokyo ends at -220.2° rather than jumping to 139.8°. That
is what Leaflet needs to draw a line across the 180° meridian without a
streak over the whole map; :func:`chapter_positions` gives each chapter's place
in the same frame, for markers that sit on the ends of the lines.

shapely, geographiclib, numpy and gpxpy are imported when first needed, so
importing this module stays cheap.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storymap.errors import Problem, StoryError
from storymap.model import MODES, Chapter, Leg, Place, Story

if TYPE_CHECKING:
    from shapely import LineString

#: A point of a line, in GeoJSON order.
LonLat = tuple[float, float]

#: Great-circle arcs are sampled about this often ...
ARC_STEP_KM = 50.0
#: ... with at least this many points per arc ...
ARC_MIN_POINTS = 16
#: ... and at most this many (half the Earth's circumference is 401 points at 50 km).
ARC_MAX_POINTS = 512

#: Lines with more points than this are simplified for drawing.
_NUMPY_ABOVE = 2_000  # points: longer lines are handled with numpy
MAX_ROUTE_BYTES = 200_000_000  # a route file larger than this is refused
MAX_ROUTE_POINTS = 5_000_000  # and one with more points
SIMPLIFY_ABOVE = 2000
#: Degrees; about 1.1 m, two pixels at zoom 18, so the simplification cannot be seen.
SIMPLIFY_TOLERANCE = 1e-5
#: If a line still has more points than this, the tolerance is doubled ...
MAX_DRAWN_POINTS = 10_000
#: ... up to this many degrees (about 11 m, the width of a drawn line at zoom 15).
MAX_SIMPLIFY_TOLERANCE = 1e-4

#: Segments shorter than this in both latitude and longitude (degrees) are measured with a
#: local ellipsoidal formula, exact to 1e-7 of their length; longer ones with geographiclib.
_SHORT_SEGMENT_DEG = 0.05

_ROUTE_HINT = "give a GeoJSON LineString or a GPX track"
_ROUTE_SUFFIXES = {".geojson": "geojson", ".json": "geojson", ".gpx": "gpx"}


def to_lonlat(lat: float, lon: float) -> LonLat:
    """(lat, lon), the order people and geopy use, to (lon, lat), the order of lines."""
    return (float(lon), float(lat))


def to_latlon(x: float, y: float) -> tuple[float, float]:
    """A line's (lon, lat), i.e. (x, y), to (lat, lon), the order of Leaflet and folium."""
    return (float(y), float(x))


def build_legs(story: Story) -> tuple[Leg, ...]:
    """One :class:`Leg` for every chapter after the first.

    Every place of ``story`` must be located. Raises :class:`StoryError` with
    every problem found, in all chapters, with a route file, waypoint or mode.
    """
    problems: list[Problem] = []
    legs: list[Leg] = []
    previous: tuple[str, float, float] | None = None  # place id, lat, lon in the journey frame
    for i, chapter in enumerate(story.chapters):
        try:
            place = _located_place(story, chapter.at)
        except _Bad as bad:
            problems.append(_problem(story, chapter, f"journey.{i}.at", str(bad)))
            continue
        here = (place.id, place.lat, place.lon)
        if i == 0:
            previous = here
            continue
        # Without a start (the first place is missing) the leg is still checked, from here.
        leg, found = _build_leg(story, i, chapter, previous or here, place)
        problems.extend(found)
        if leg is not None:
            legs.append(leg)
            here = (place.id, place.lat, _nearest_lon(place.lon, leg.line.coords[-1][0]))
        previous = here
    if problems:
        raise StoryError(problems)
    return tuple(legs)


def total_km(legs: Sequence[Leg]) -> float:
    """The length of the whole journey, in km."""
    return math.fsum(leg.length_km for leg in legs)


def chapter_positions(story: Story, legs: Sequence[Leg]) -> tuple[tuple[float, float], ...]:
    """Each chapter's place as (lat, lon), its longitude in the frame of the legs' lines.

    The first chapter's place keeps its own longitude; each later one is
    shifted by a multiple of 360° to the end of the leg that leads to it, so a
    marker sits where its line ends, also after the line crossed the 180° meridian.
    """
    by_index = {leg.index: leg for leg in legs}
    positions: list[tuple[float, float]] = []
    for i, chapter in enumerate(story.chapters):
        place = story.places[chapter.at]
        leg = by_index.get(i)
        if leg is not None:
            ref = leg.line.coords[-1][0]
        elif positions:
            ref = positions[-1][1]
        else:
            ref = place.lon
        positions.append((place.lat, _nearest_lon(place.lon, ref)))
    return tuple(positions)


def journey_bounds(story: Story, legs: Sequence[Leg]) -> list[list[float]]:
    """``[[south, west], [north, east]]`` in (lat, lon) covering every chapter's place and leg.

    Longitudes are in the journey's frame (see :func:`chapter_positions`) and
    may lie beyond ±180°, which Leaflet's ``fitBounds`` takes as they are.
    """
    lats: list[float] = []
    lons: list[float] = []
    for lat, lon in chapter_positions(story, legs):
        lats.append(lat)
        lons.append(lon)
    for leg in legs:
        for x, y in leg.line.coords:
            lat, lon = to_latlon(x, y)
            lats.append(lat)
            lons.append(lon)
    if not lats:
        raise ValueError("a story without chapters has no bounds")
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def geodesic_length_km(coords: Sequence[LonLat]) -> float:
    """The length of a (lon, lat) line on the WGS84 ellipsoid, summed over its segments, in km.

    Long segments are measured with geographiclib's inverse solution. Short
    ones (under 0.05° in latitude and longitude, as in a GPS track) are
    measured all at once with the local ellipsoidal metric at the segment's
    mid-latitude, which agrees with geographiclib to 1e-7 of the segment's
    length and keeps a 100,000-point track fast.
    """
    if len(coords) < 2:
        return 0.0
    import numpy as np
    from geographiclib.geodesic import Geodesic

    wgs84 = Geodesic.WGS84
    xy = np.asarray(coords, dtype=float)
    lon, lat = xy[:, 0], xy[:, 1]
    dlon = np.diff(lon)
    dlat = np.diff(lat)
    short = (np.abs(dlon) <= _SHORT_SEGMENT_DEG) & (np.abs(dlat) <= _SHORT_SEGMENT_DEG)

    e2 = wgs84.f * (2 - wgs84.f)
    phi = np.radians((lat[:-1] + lat[1:])[short] / 2)
    w = np.sqrt(1 - e2 * np.sin(phi) ** 2)
    meridional = wgs84.a * (1 - e2) / w**3
    normal = wgs84.a / w
    metres = math.fsum(
        np.hypot(
            meridional * np.radians(dlat[short]),
            normal * np.cos(phi) * np.radians(dlon[short]),
        ).tolist()
    )
    long_segments = np.flatnonzero(~short).tolist()
    metres += math.fsum(
        wgs84.Inverse(lat[k], lon[k], lat[k + 1], lon[k + 1], Geodesic.DISTANCE)["s12"]
        for k in long_segments
    )
    return metres / 1000


def great_circle(start: LonLat, end: LonLat) -> list[LonLat]:
    """The geodesic from ``start`` to ``end`` (both (lon, lat)) as points about 50 km apart.

    The line starts at ``start`` exactly, and its longitudes are unwrapped, so
    it may end at ``end``'s longitude plus or minus 360°.
    """
    from geographiclib.geodesic import Geodesic

    (lon1, lat1), (lon2, lat2) = start, end
    arc = Geodesic.WGS84.InverseLine(lat1, lon1, lat2, lon2)
    if arc.s13 == 0:
        return [start, (_nearest_lon(lon2, lon1), lat2)]
    intervals = math.ceil(arc.s13 / (ARC_STEP_KM * 1000))
    intervals = min(max(intervals, ARC_MIN_POINTS - 1), ARC_MAX_POINTS - 1)
    mask = Geodesic.LATITUDE | Geodesic.LONGITUDE | Geodesic.LONG_UNROLL
    points = [start]
    for k in range(1, intervals):
        p = arc.Position(arc.s13 * k / intervals, mask)
        points.append(to_lonlat(p["lat2"], p["lon2"]))
    points.append((_nearest_lon(lon2, points[-1][0]), lat2))
    return points


def drawn_line(coords: Sequence[LonLat]) -> LineString:
    """A shapely line of ``coords``, simplified when it has more than 2,000 points.

    The tolerance starts at 1e-5° (invisible at zoom 18) and is doubled, while
    it stays within 1e-4°, as long as the line keeps more than 10,000 points.
    """
    from shapely import LineString

    line = LineString(coords)
    if len(coords) <= SIMPLIFY_ABOVE:
        return line
    tolerance = SIMPLIFY_TOLERANCE
    simpler = line.simplify(tolerance, preserve_topology=False)
    while len(simpler.coords) > MAX_DRAWN_POINTS and tolerance * 2 <= MAX_SIMPLIFY_TOLERANCE:
        tolerance *= 2
        simpler = line.simplify(tolerance, preserve_topology=False)
    if simpler.is_empty or len(simpler.coords) < 2:
        return line
    return simpler


# --- one leg ---------------------------------------------------------------------------------


class _Bad(Exception):
    """A problem found while building a leg; becomes a :class:`Problem`."""


def _build_leg(
    story: Story,
    i: int,
    chapter: Chapter,
    previous: tuple[str, float, float],
    place: Place,
) -> tuple[Leg | None, list[Problem]]:
    problems: list[Problem] = []
    start_id, start_lat, start_lon = previous
    start = to_lonlat(start_lat, start_lon)
    end = to_lonlat(place.lat, place.lon)

    mode = MODES.get(chapter.by) if chapter.by is not None else None
    if mode is None:
        choices = ", ".join(MODES)
        if chapter.by is None:
            message = f"missing; say how this leg was travelled: one of {choices}"
        else:
            message = f"'{chapter.by}' is not a mode of travel; use one of {choices}"
        problems.append(_problem(story, chapter, f"journey.{i}.by", message))

    coords: list[LonLat] | None = None
    measured: list[LonLat] | None = None  # when the length is that of other points
    if chapter.route is not None:
        if chapter.via:
            problems.append(
                _problem(
                    story,
                    chapter,
                    f"journey.{i}.route",
                    "give either via or route, not both; the route file already holds the way",
                )
            )
        else:
            try:
                points = _read_route(chapter.route, _shown(story, chapter.route))
                coords = _unwrap(points, start_lon)
            except _Bad as bad:
                problems.append(_problem(story, chapter, f"journey.{i}.route", str(bad)))
    else:
        waypoints: list[LonLat] = []
        for j, waypoint in enumerate(chapter.via):
            try:
                waypoints.append(_waypoint(story, waypoint))
            except _Bad as bad:
                problems.append(_problem(story, chapter, f"journey.{i}.via.{j}", str(bad)))
        coords = _unwrap([start, *waypoints, end], start_lon)
        if mode is not None and mode.geodesic:
            measured = coords  # each arc's length is the geodesic distance of its ends
            coords = _arcs(coords)

    if problems or coords is None or mode is None:
        return None, problems
    return (
        Leg(
            index=i,
            mode=mode,
            start=start_id,
            end=place.id,
            line=drawn_line(coords),
            length_km=geodesic_length_km(measured or coords),
            duration_h=chapter.duration_h,
        ),
        problems,
    )


def _arcs(points: Sequence[LonLat]) -> list[LonLat]:
    """Great-circle arcs through ``points``, joined into one line."""
    line: list[LonLat] = [points[0]]
    for target in points[1:]:
        line.extend(great_circle(line[-1], target)[1:])
    return line


def _located_place(story: Story, place_id: str) -> Place:
    place = story.places.get(place_id)
    if place is None:
        raise _Bad(f"'{place_id}' is not a place{_did_you_mean(place_id, story.places)}")
    if not place.located:
        raise _Bad(f"place '{place_id}' has no coordinates; give it lat and lon")
    return place


def _waypoint(story: Story, waypoint: object) -> LonLat:
    if isinstance(waypoint, str):
        if waypoint not in story.places:
            raise _Bad(
                f"'{waypoint}' is not a place{_did_you_mean(waypoint, story.places)}; "
                "add it under places, or give the waypoint as [lat, lon]"
            )
        place = _located_place(story, waypoint)
        return to_lonlat(place.lat, place.lon)
    if (
        isinstance(waypoint, (tuple, list))
        and len(waypoint) == 2
        and all(_is_number(v) for v in waypoint)
    ):
        lat, lon = waypoint
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return to_lonlat(lat, lon)
        raise _Bad(
            f"waypoint [{lat}, {lon}] is out of range; give [lat, lon], latitude first, "
            "with lat from -90 to 90 and lon from -180 to 180"
        )
    raise _Bad(f"waypoint {waypoint!r} is neither a place id nor [lat, lon]")


def _did_you_mean(name: str, choices: dict[str, Place]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _problem(story: Story, chapter: Chapter, path: str, message: str) -> Problem:
    file = str(story.path) if story.path is not None else "<story>"
    return Problem(file, chapter.line, path, message)


def _shown(story: Story, route: Path) -> str:
    """The route file's name as the author wrote it: relative to the story file if it can be."""
    if story.path is not None:
        try:
            return route.relative_to(story.path.parent).as_posix()
        except ValueError:
            pass
    return str(route)


# --- longitudes ------------------------------------------------------------------------------


def _nearest_lon(lon: float, ref: float) -> float:
    """``lon`` shifted by a multiple of 360° to lie within 180° of ``ref``."""
    turns = round((ref - lon) / 360)
    return lon + 360 * turns if turns else lon


def _unwrap(coords: Sequence[LonLat], ref: float) -> list[LonLat]:
    """``coords`` with each longitude within 180° of the one before; the first, of ``ref``.

    A long line (a GPS track) is unwrapped with numpy and comes back as an (n, 2) array.
    """
    if len(coords) > _NUMPY_ABOVE:
        import numpy as np

        xy = np.array(coords, dtype=float)
        steps = np.diff(np.concatenate(([ref], xy[:, 0])))
        xy[:, 0] += 360 * np.cumsum(np.round(-steps / 360))  # the same shifts, one by one
        return xy
    out: list[LonLat] = []
    for x, y in coords:
        x = _nearest_lon(x, ref)
        out.append((x, y))
        ref = x
    return out


# --- route files -----------------------------------------------------------------------------


def _read_route(path: Path, shown: str) -> list[LonLat]:
    """The points of a GeoJSON or GPX route file, as (lon, lat), parts joined in order."""
    name = f"route file '{shown}'"
    kind = _ROUTE_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise _Bad(
            f"{name} is not a .geojson, .json or .gpx file; "
            "convert it to a GeoJSON LineString or a GPX track"
        )
    try:
        size = path.stat().st_size
        if size > MAX_ROUTE_BYTES:
            raise _Bad(
                f"{name} is {size / 1e6:,.0f} MB; a route file may be at most "
                f"{MAX_ROUTE_BYTES / 1e6:,.0f} MB: thin the track with a GPS tool first"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _Bad(f"{name} does not exist; give a path relative to the story file") from None
    except IsADirectoryError:
        raise _Bad(f"{name} is a directory; {_ROUTE_HINT}") from None
    except OSError as e:
        raise _Bad(f"{name} cannot be read ({e.strerror or e}); {_ROUTE_HINT}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Bad(f"{name} is not UTF-8 text; {_ROUTE_HINT}") from None
    coords = _geojson_points(text, name) if kind == "geojson" else _gpx_points(text, name)
    if len(coords) == 0:
        raise _Bad(f"{name} has no points; {_ROUTE_HINT}")
    if len(coords) > MAX_ROUTE_POINTS:
        raise _Bad(
            f"{name} has {len(coords):,} points; a route may have at most "
            f"{MAX_ROUTE_POINTS:,}: thin the track with a GPS tool first"
        )
    # Parts split at the antimeridian meet twice, at +180 and at -180: one point once unwrapped.
    coords = _unwrap(coords, coords[0][0])
    if len(coords) > _NUMPY_ABOVE:
        import numpy as np

        keep = np.ones(len(coords), dtype=bool)
        keep[1:] = np.any(coords[1:] != coords[:-1], axis=1)
        distinct = coords[keep]
    else:
        distinct = [p for k, p in enumerate(coords) if k == 0 or p != coords[k - 1]]
    if len(distinct) < 2:
        raise _Bad(f"{name} has only one distinct point; a route needs at least two")
    return distinct


def _geojson_points(text: str, name: str) -> list[LonLat]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise _Bad(
            f"{name} is not valid GeoJSON ({e.msg}: line {e.lineno} column {e.colno}); "
            f"{_ROUTE_HINT}"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise _Bad(f"{name} is not a GeoJSON object with a type; {_ROUTE_HINT}")
    if data["type"] == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise _Bad(f"{name} is a FeatureCollection without a features list; {_ROUTE_HINT}")
        if len(features) != 1:
            raise _Bad(
                f"{name} holds {len(features)} features; "
                "give a FeatureCollection with exactly one LineString feature"
            )
        data = features[0]
        if not isinstance(data, dict) or data.get("type") != "Feature":
            raise _Bad(f"{name} holds a feature that is not a GeoJSON Feature; {_ROUTE_HINT}")
    if data["type"] == "Feature":
        data = data.get("geometry")
        if data is None:
            raise _Bad(f"{name} holds a Feature without a geometry; {_ROUTE_HINT}")
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            raise _Bad(f"{name} holds a Feature whose geometry is not a GeoJSON object")
    kind = data["type"]
    coordinates = data.get("coordinates")
    if kind == "LineString":
        return _positions(coordinates, name, "coordinates")
    if kind == "MultiLineString":
        if not isinstance(coordinates, list):
            raise _Bad(f"{name} has a MultiLineString without a coordinates list")
        points: list[LonLat] = []
        for k, part in enumerate(coordinates):
            points.extend(_positions(part, name, f"coordinates[{k}]"))
        return points
    raise _Bad(f"{name} holds a {kind}, not a line; give a GeoJSON LineString or MultiLineString")


def _positions(coordinates: object, name: str, where: str) -> list[LonLat]:
    if not isinstance(coordinates, list):
        raise _Bad(f"{name} has no {where} list of [lon, lat] positions")
    points: list[LonLat] = []
    for k, position in enumerate(coordinates):
        at = f"{where}[{k}]"
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(_is_number(v) for v in position[:2])
        ):
            raise _Bad(f"{name} has a malformed position at {at} ({position!r}); give [lon, lat]")
        lon, lat = position[0], position[1]
        points.append(_in_range(lon, lat, name, at, "[lon, lat], longitude first"))
    return points


_GPX_POINT = re.compile(r"<(?:[\w.-]+:)?(trkpt|rtept|wpt)\b([^>]*)>")
_GPX_COORD = re.compile(r"""\b(lat|lon)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_GPX_END = re.compile(r"</(?:[\w.-]+:)?gpx\s*>\s*$")
_GPX_CHECK_BELOW = 2_000_000  # characters: smaller files are fully checked as XML


def _gpx_points(text: str, name: str) -> list[LonLat]:
    """The track points of a GPX file (all its tracks and segments, in order), else its route
    points.

    Only ``lat`` and ``lon`` are read, with regular expressions over the text: gpxpy, which
    turns every field of every point into objects, takes about 18 s for a 500,000-point
    track. Files under two million characters are first checked as XML in full; larger
    ones must at least end with ``</gpx>``, so a truncated file is refused.
    """
    if len(text) < _GPX_CHECK_BELOW:
        from xml.etree import ElementTree

        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError as e:
            raise _Bad(f"{name} is not valid GPX ({e}); {_ROUTE_HINT}") from None
        if root.tag.rsplit("}", 1)[-1] != "gpx":
            raise _Bad(f"{name} is not GPX (its root is <{root.tag}>); {_ROUTE_HINT}")
    elif not _GPX_END.search(text):
        raise _Bad(f"{name} does not end with </gpx>: is it cut short? {_ROUTE_HINT}")
    found: dict[str, list[str]] = {"trkpt": [], "rtept": [], "wpt": []}
    for match in _GPX_POINT.finditer(text):
        found[match.group(1)].append(match.group(2))
    fast = _gpx_fast(text, found)
    if fast is not None:
        return fast
    raw = found["trkpt"] or found["rtept"]
    if not raw:
        held = " (it holds only waypoints, <wpt>)" if found["wpt"] else ""
        raise _Bad(f"{name} has no track or route points{held}; give a <trk> or a <rte>")
    points = []
    for k, attributes in enumerate(raw):
        coords = {key: a or b for key, a, b in _GPX_COORD.findall(attributes)}
        lat, lon = coords.get("lat"), coords.get("lon")
        try:
            x, y = float(lon), float(lat)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _Bad(
                f"{name} has a point without a usable lat and lon at point {k} "
                f"(lat={lat!r}, lon={lon!r}); give lat and lon attributes in degrees"
            ) from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise _Bad(f"{name} has a position that is not a number at point {k}")
        points.append(_in_range(x, y, name, f"point {k}", "lat and lon attributes"))
    return points


_GPX_SIMPLE = re.compile(
    r"""<(?:[\w.-]+:)?(?:trkpt|rtept)\s+lat\s*=\s*["']([^"']*)["']\s+lon\s*=\s*["']([^"']*)["']"""
)


def _gpx_fast(text: str, found: dict[str, list[str]]) -> Any:
    """For a long track whose every point is written ``<trkpt lat="…" lon="…"``, as GPS tools
    write them: the points as an (n, 2) array of (lon, lat), read in one pass; else None."""
    wanted = len(found["trkpt"]) or len(found["rtept"])
    if wanted <= _NUMPY_ABOVE or found["trkpt"] and found["rtept"]:
        return None
    pairs = _GPX_SIMPLE.findall(text)
    if len(pairs) != wanted:
        return None
    import numpy as np

    try:
        latlon = np.array(pairs, dtype=float)
    except ValueError:
        return None  # the slow path names the point that is wrong
    lat, lon = latlon[:, 0], latlon[:, 1]
    if not (np.all(np.abs(lat) <= 90) and np.all(np.abs(lon) <= 180)):
        return None
    return np.column_stack((lon, lat))


def _in_range(lon: float, lat: float, name: str, at: str, order: str) -> LonLat:
    if -180 <= lon <= 180 and -90 <= lat <= 90:
        return (float(lon), float(lat))
    swapped = -180 <= lat <= 180 and -90 <= lon <= 90
    hint = "; are latitude and longitude swapped?" if swapped else ""
    raise _Bad(
        f"{name} has a position out of range at {at} (lon {lon}, lat {lat}); "
        f"positions are {order}, with lon from -180 to 180 and lat from -90 to 90{hint}"
    )


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
