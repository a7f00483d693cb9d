"""The legs of a journey as lines, with their geodesic lengths.

Coordinate order: places hold ``lat``/``lon`` by name; lines hold GeoJSON
order, (lon, lat). :func:`to_lonlat` and :func:`to_latlon` are the one place
that converts between the two.

A ground leg runs from the previous chapter's place through its ``via``
waypoints to this chapter's place, or follows the track of its route file, read
and checked while the story loaded (:mod:`storymap.tracks`).
A geodesic leg (a flight) is a great-circle arc between the same points.
A sea leg (a ship or a ferry) without waypoints or a route file follows a sea lane
(:func:`sea_lane`): the shortest way along the maritime network of the ``searoute``
package, joined at its ends to the two places; where there is none, it stays a straight
line and the leg says so in its ``notes``.

Longitudes are unwrapped along the whole journey: each point is shifted by a
multiple of 360° to lie within 180° of the one before, so a flight from
Anchorage (-150°) to Tokyo ends at -220.2° rather than jumping to 139.8°. That
is what Leaflet needs to draw a line across the 180° meridian without a
streak over the whole map; :func:`chapter_positions` gives each chapter's place
in the same frame, for markers that sit on the ends of the lines.

shapely, geographiclib, numpy and searoute are imported when first needed (searoute only
for a sea leg), so importing this module stays cheap.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

from storymap.model import MODES, Chapter, Leg, Place, Route, Story, Waypoint
from storymap.tracks import LonLat, nearest_lon, unwrap

if TYPE_CHECKING:
    from shapely import LineString

#: Great-circle arcs are sampled about this often ...
ARC_STEP_KM = 50.0
#: ... with at least this many points per arc ...
ARC_MIN_POINTS = 16
#: ... and at most this many (half the Earth's circumference is 401 points at 50 km).
ARC_MAX_POINTS = 512

#: Lines with more points than this are simplified for drawing.
SIMPLIFY_ABOVE = 2000
#: Degrees; about 1.1 m, two pixels at zoom 18, so the simplification cannot be seen.
SIMPLIFY_TOLERANCE = 1e-5
#: If a line still has more points than this, the tolerance is doubled ...
MAX_DRAWN_POINTS = 10_000
#: ... up to this many degrees (about 11 m, the width of a drawn line at zoom 15).
MAX_SIMPLIFY_TOLERANCE = 1e-4

#: A sea lane whose end lies farther than this (km) from its place is no lane for that place:
#: searoute snaps a place to the nearest point of its network, however far (a lake, a town
#: far inland), and a straight join of that length would run over land.
SEA_LANE_MAX_JOIN_KM = 100.0

#: Segments shorter than this in both latitude and longitude (degrees) are measured with a
#: local ellipsoidal formula, exact to 1e-7 of their length; longer ones with geographiclib.
_SHORT_SEGMENT_DEG = 0.05


def to_lonlat(lat: float, lon: float) -> LonLat:
    """(lat, lon), the order people and geopy use, to (lon, lat), the order of lines."""
    return (float(lon), float(lat))


def to_latlon(x: float, y: float) -> tuple[float, float]:
    """A line's (lon, lat), i.e. (x, y), to (lat, lon), the order of Leaflet and folium."""
    return (float(y), float(x))


def route(story: Story) -> Route:
    """The legs of ``story`` with its chapters' positions, bounds and length: one value.

    ``story`` must have loaded and been located, as for :func:`build_legs`.
    """
    return routed(story, build_legs(story))


def routed(story: Story, legs: tuple[Leg, ...]) -> Route:
    """The :class:`Route` of ``story`` along ``legs``, as made by :func:`build_legs`."""
    return Route(
        legs=legs,
        positions=chapter_positions(story, legs),
        bounds=journey_bounds(story, legs),
        total_km=total_km(legs),
        paths=tuple(tuple(to_latlon(x, y) for x, y in leg.line.coords) for leg in legs),
    )


def build_legs(story: Story) -> tuple[Leg, ...]:
    """One :class:`Leg` for every chapter after the first.

    ``story`` is one that loaded (:func:`storymap.story.load`: its modes, places and
    waypoints are known, its route files read) and was located
    (:func:`storymap.geocode.locate`); nothing is checked again here. A place without
    coordinates is a ValueError: locate the story first.
    """
    legs: list[Leg] = []
    previous: tuple[str, float, float] | None = None  # place id, lat, lon in the journey frame
    for i, chapter in enumerate(story.chapters):
        place = _located_place(story, chapter.at)
        here = (place.id, place.lat, place.lon)
        if previous is not None:
            leg = _build_leg(story, i, chapter, previous, place)
            legs.append(leg)
            here = (place.id, place.lat, nearest_lon(place.lon, leg.line.coords[-1][0]))
        previous = here
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
        positions.append((place.lat, nearest_lon(place.lon, ref)))
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
        return [start, (nearest_lon(lon2, lon1), lat2)]
    intervals = math.ceil(arc.s13 / (ARC_STEP_KM * 1000))
    intervals = min(max(intervals, ARC_MIN_POINTS - 1), ARC_MAX_POINTS - 1)
    mask = Geodesic.LATITUDE | Geodesic.LONGITUDE | Geodesic.LONG_UNROLL
    points = [start]
    for k in range(1, intervals):
        p = arc.Position(arc.s13 * k / intervals, mask)
        points.append(to_lonlat(p["lat2"], p["lon2"]))
    points.append((nearest_lon(lon2, points[-1][0]), lat2))
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


def _build_leg(
    story: Story, i: int, chapter: Chapter, previous: tuple[str, float, float], place: Place
) -> Leg:
    start_id, start_lat, start_lon = previous
    mode = MODES[chapter.by or ""]
    measured: list[LonLat] | None = None  # when the length is that of other points
    notes: tuple[str, ...] = ()
    if chapter.track is not None:
        coords = unwrap(chapter.track, start_lon)
    else:
        waypoints = [_waypoint(story, w) for w in chapter.via]
        start, end = to_lonlat(start_lat, start_lon), to_lonlat(place.lat, place.lon)
        lane: list[LonLat] = []
        if mode.sea and not waypoints:
            lane = sea_lane(start, end) or []
            if not lane:
                notes = (
                    f"no sea lane was found from {story.places[start_id].name} to "
                    f"{place.name}; the leg is drawn as a straight line",
                )
        coords = unwrap([start, *waypoints, *lane, end], start_lon)
        if mode.geodesic:
            measured = coords  # each arc's length is the geodesic distance of its ends
            coords = _arcs(coords)
    return Leg(
        index=i,
        mode=mode,
        start=start_id,
        end=place.id,
        line=drawn_line(coords),
        length_km=geodesic_length_km(measured or coords),
        duration_h=chapter.duration_h,
        notes=notes,
    )


def sea_lane(start: LonLat, end: LonLat) -> list[LonLat] | None:
    """The sea lane from ``start`` to ``end`` (both (lon, lat)) along searoute's maritime
    network, without its two ends: the points to draw between the places, which keep off land
    but for the ports themselves, their longitudes unwrapped from ``start``'s. None when there
    is no lane: searoute fails or finds no path, or the lane ends more than
    :data:`SEA_LANE_MAX_JOIN_KM` from a place. Lanes are kept in memory once found.
    """
    lane = _sea_lane(_lane_key(start), _lane_key(end))
    if lane is None:
        return None
    return unwrap(lane, start[0])


def _lane_key(point: LonLat) -> LonLat:
    """A (lon, lat) as searoute takes it and as lanes are remembered: longitude in [-180, 180)."""
    lon, lat = point
    return (round((lon + 180) % 360 - 180, 7), round(lat, 7))


@functools.cache
def _no_ports():
    """An empty port network: lanes join the places themselves, not searoute's nearest ports,
    so its port list (a sixth of its start-up time) need not be read."""
    import searoute

    return searoute.Ports()


@functools.lru_cache(maxsize=4096)
def _sea_lane(start: LonLat, end: LonLat) -> tuple[LonLat, ...] | None:
    import searoute

    try:
        with warnings.catch_warnings():  # it warns, then returns an empty line, on no path
            warnings.simplefilter("ignore")
            feature = searoute.searoute(list(start), list(end), P=_no_ports())
        coords = feature["geometry"]["coordinates"]
        lane = tuple((float(x), float(y)) for x, y in coords)
    except Exception:  # whatever searoute raises, the leg is still drawn, straight
        return None
    if not lane or not all(math.isfinite(x) and -90 <= y <= 90 for x, y in lane):
        return None
    ends = [[start, lane[0]], [end, lane[-1]]]
    if any(geodesic_length_km(pair) > SEA_LANE_MAX_JOIN_KM for pair in ends):
        return None
    return lane


def _arcs(points: Sequence[LonLat]) -> list[LonLat]:
    """Great-circle arcs through ``points``, joined into one line."""
    line: list[LonLat] = [points[0]]
    for target in points[1:]:
        line.extend(great_circle(line[-1], target)[1:])
    return line


def _located_place(story: Story, place_id: str) -> Place:
    place = story.places[place_id]
    if not place.located:
        raise ValueError(f"place '{place_id}' has no coordinates; locate the story first")
    return place


def _waypoint(story: Story, waypoint: Waypoint) -> LonLat:
    if isinstance(waypoint, str):
        place = _located_place(story, waypoint)
        return to_lonlat(place.lat, place.lon)
    lat, lon = waypoint
    return to_lonlat(lat, lon)
