"""Route files, GeoJSON and GPX: read and checked while a story loads.

:func:`read_track` gives the points of a route file as (lon, lat), GeoJSON order, its parts
joined in order and its longitudes unwrapped (each within 180° of the one before), or raises
:class:`TrackError` saying what is wrong with the file and how to fix it. The story loader
turns that into a problem of the chapter's ``route:`` field; after load nobody reads a route
file again.

numpy is imported only for long tracks, so importing this module stays cheap.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: A point of a line, in GeoJSON order.
LonLat = tuple[float, float]

NUMPY_ABOVE = 2_000  # points: longer lines are handled with numpy
MAX_ROUTE_BYTES = 200_000_000  # a route file larger than this is refused
MAX_ROUTE_POINTS = 5_000_000  # and one with more points

_ROUTE_HINT = "give a GeoJSON LineString or a GPX track"
_ROUTE_SUFFIXES = {".geojson": "geojson", ".json": "geojson", ".gpx": "gpx"}


class TrackError(ValueError):
    """A route file that cannot be used; the message names the file and the fix."""


# --- longitudes ------------------------------------------------------------------------------


def nearest_lon(lon: float, ref: float) -> float:
    """``lon`` shifted by a multiple of 360° to lie within 180° of ``ref``."""
    turns = round((ref - lon) / 360)
    return lon + 360 * turns if turns else lon


def unwrap(coords: Sequence[LonLat], ref: float) -> list[LonLat]:
    """``coords`` with each longitude within 180° of the one before; the first, of ``ref``.

    A long line (a GPS track) is unwrapped with numpy and comes back as an (n, 2) array.
    """
    if len(coords) > NUMPY_ABOVE:
        import numpy as np

        xy = np.array(coords, dtype=float)
        steps = np.diff(np.concatenate(([ref], xy[:, 0])))
        xy[:, 0] += 360 * np.cumsum(np.round(-steps / 360))  # the same shifts, one by one
        return xy
    out: list[LonLat] = []
    for x, y in coords:
        x = nearest_lon(x, ref)
        out.append((x, y))
        ref = x
    return out


# --- route files -----------------------------------------------------------------------------


def read_track(path: Path, shown: str) -> list[LonLat]:
    """The points of a GeoJSON or GPX route file, as (lon, lat), parts joined in order."""
    name = f"route file '{shown}'"
    kind = _ROUTE_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise TrackError(
            f"{name} is not a .geojson, .json or .gpx file; "
            "convert it to a GeoJSON LineString or a GPX track"
        )
    try:
        size = path.stat().st_size
        if size > MAX_ROUTE_BYTES:
            raise TrackError(
                f"{name} is {size / 1e6:,.0f} MB; a route file may be at most "
                f"{MAX_ROUTE_BYTES / 1e6:,.0f} MB: thin the track with a GPS tool first"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TrackError(f"{name} does not exist; give a path relative to the story file") from None
    except IsADirectoryError:
        raise TrackError(f"{name} is a directory; {_ROUTE_HINT}") from None
    except OSError as e:
        raise TrackError(f"{name} cannot be read ({e.strerror or e}); {_ROUTE_HINT}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TrackError(f"{name} is not UTF-8 text; {_ROUTE_HINT}") from None
    coords = _geojson_points(text, name) if kind == "geojson" else _gpx_points(text, name)
    if len(coords) == 0:
        raise TrackError(f"{name} has no points; {_ROUTE_HINT}")
    if len(coords) > MAX_ROUTE_POINTS:
        raise TrackError(
            f"{name} has {len(coords):,} points; a route may have at most "
            f"{MAX_ROUTE_POINTS:,}: thin the track with a GPS tool first"
        )
    # Parts split at the antimeridian meet twice, at +180 and at -180: one point once unwrapped.
    coords = unwrap(coords, coords[0][0])
    if len(coords) > NUMPY_ABOVE:
        import numpy as np

        keep = np.ones(len(coords), dtype=bool)
        keep[1:] = np.any(coords[1:] != coords[:-1], axis=1)
        distinct = coords[keep]
    else:
        distinct = [p for k, p in enumerate(coords) if k == 0 or p != coords[k - 1]]
    if len(distinct) < 2:
        raise TrackError(f"{name} has only one distinct point; a route needs at least two")
    return distinct


def _geojson_points(text: str, name: str) -> list[LonLat]:
    from storymap.inputs import InputError, parse_json

    try:
        data = parse_json(text)
    except json.JSONDecodeError as e:
        raise TrackError(
            f"{name} is not valid GeoJSON ({e.msg}: line {e.lineno} column {e.colno}); "
            f"{_ROUTE_HINT}"
        ) from None
    except InputError as e:
        raise TrackError(f"{name} {e}; {_ROUTE_HINT}") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise TrackError(f"{name} is not a GeoJSON object with a type; {_ROUTE_HINT}")
    if data["type"] == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise TrackError(
                f"{name} is a FeatureCollection without a features list; {_ROUTE_HINT}"
            )
        if len(features) != 1:
            raise TrackError(
                f"{name} holds {len(features)} features; "
                "give a FeatureCollection with exactly one LineString feature"
            )
        data = features[0]
        if not isinstance(data, dict) or data.get("type") != "Feature":
            raise TrackError(f"{name} holds a feature that is not a GeoJSON Feature; {_ROUTE_HINT}")
    if data["type"] == "Feature":
        data = data.get("geometry")
        if data is None:
            raise TrackError(f"{name} holds a Feature without a geometry; {_ROUTE_HINT}")
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            raise TrackError(f"{name} holds a Feature whose geometry is not a GeoJSON object")
    kind = data["type"]
    coordinates = data.get("coordinates")
    if kind == "LineString":
        return _positions(coordinates, name, "coordinates")
    if kind == "MultiLineString":
        if not isinstance(coordinates, list):
            raise TrackError(f"{name} has a MultiLineString without a coordinates list")
        points: list[LonLat] = []
        for k, part in enumerate(coordinates):
            points.extend(_positions(part, name, f"coordinates[{k}]"))
        return points
    raise TrackError(
        f"{name} holds a {kind}, not a line; give a GeoJSON LineString or MultiLineString"
    )


def _positions(coordinates: object, name: str, where: str) -> list[LonLat]:
    if not isinstance(coordinates, list):
        raise TrackError(f"{name} has no {where} list of [lon, lat] positions")
    points: list[LonLat] = []
    for k, position in enumerate(coordinates):
        at = f"{where}[{k}]"
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(is_number(v) for v in position[:2])
        ):
            raise TrackError(
                f"{name} has a malformed position at {at} ({position!r}); give [lon, lat]"
            )
        lon, lat = position[0], position[1]
        points.append(_in_range(lon, lat, name, at, "[lon, lat], longitude first"))
    return points


_GPX_CHUNK = 1 << 20  # characters fed to the XML parser at a time
_NS = " "  # between an element's namespace and its name, as the parser reports them


class _Refused(Exception):
    """Raised inside the parser's callbacks to stop it; carries the TrackError to raise."""


def _gpx_points(text: str, name: str) -> Any:
    """The track points of a GPX file (all its tracks and segments, in order), else its route
    points, as (lon, lat).

    The file is read by its structure, with expat as a stream: only ``<trkpt>`` elements at
    ``gpx/trk/trkseg/trkpt`` and ``<rtept>`` at ``gpx/rte/rtept``, in the namespace of the
    root ``<gpx>`` (GPX 1.1, 1.0, or none), are points; comments, CDATA sections and
    elements of other namespaces (such as an ``<extensions>`` block) are not. No tree is
    built and the points are kept as numbers, so memory grows with the points only.
    A document type that declares entities or names an external document is refused, never
    expanded or fetched: GPX needs neither.

    Speed: gpxpy, which turns every field of every point into objects, takes about 18 s for a
    500,000-point track; this about one. Inside a point (its elevation, time, extensions) only
    the end of each element is followed, to find the point's own end; a point inside a point,
    which GPX does not allow, is then found at the next end and refused.
    """
    from array import array
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=_NS)
    parser.ordered_attributes = True  # [name, value, ...]: cheaper than a dict per point
    tracks, routes = array("d"), array("d")  # lon, lat, lon, lat, ...
    waypoints = 0
    stack: list[str] = []
    trkpt = rtept = wpt = ""  # the tags as the parser reports them
    in_segment: list[str] = []  # the open elements around a track point: gpx, trk, trkseg
    in_route: list[str] = []  # and around a route point: gpx, rte

    def where() -> str:
        return f"line {parser.CurrentLineNumber}"

    def refuse(message: str) -> None:
        raise _Refused(TrackError(f"{name} {message}; {_ROUTE_HINT}"))

    def root(tag: str, attrs: list[str]) -> None:
        nonlocal trkpt, rtept, wpt
        namespace, _, local = tag.rpartition(_NS)
        if local != "gpx":
            shown = f"{{{namespace}}}{local}" if namespace else local
            refuse(f"is not GPX (its root is <{shown}>)")
        prefix = namespace + _NS if namespace else ""
        trkpt, rtept, wpt = prefix + "trkpt", prefix + "rtept", prefix + "wpt"
        in_segment.extend((tag, prefix + "trk", prefix + "trkseg"))
        in_route.extend((tag, prefix + "rte"))
        stack.append(tag)
        parser.StartElementHandler = start

    def start(tag: str, attrs: list[str]) -> None:
        nonlocal waypoints
        if tag == trkpt and stack == in_segment:
            into = tracks
        elif tag == rtept and stack == in_route:
            into = routes
        else:
            if tag == wpt and len(stack) == 1:
                waypoints += 1
            stack.append(tag)
            return
        try:
            if attrs[0] == "lat" and attrs[2] == "lon":
                y, x = float(attrs[1]), float(attrs[3])
            else:
                named = dict(zip(attrs[0::2], attrs[1::2], strict=True))
                y, x = float(named["lat"]), float(named["lon"])
        except (IndexError, KeyError, ValueError):
            bad_point(into, attrs)
        if not (-90 <= y <= 90 and -180 <= x <= 180):
            far_point(into, x, y)
        into.append(x)
        into.append(y)
        parser.StartElementHandler = None
        parser.EndElementHandler = end_trkpt if into is tracks else end_rtept

    def end(tag: str) -> None:
        if stack.pop() != tag:
            refuse(f"has a point inside a point ({where()}); GPX points hold no other point")

    def end_trkpt(tag: str) -> None:
        if tag == trkpt:
            parser.StartElementHandler = start
            parser.EndElementHandler = end

    def end_rtept(tag: str) -> None:
        if tag == rtept:
            parser.StartElementHandler = start
            parser.EndElementHandler = end

    def bad_point(into: array, attrs: list[str]) -> None:
        named = dict(zip(attrs[0::2], attrs[1::2], strict=True))
        lat, lon = named.get("lat"), named.get("lon")
        raise _Refused(
            TrackError(
                f"{name} has a point without a usable lat and lon at point {len(into) // 2}, "
                f"{where()} (lat={lat!r}, lon={lon!r}); give lat and lon attributes in degrees"
            )
        )

    def far_point(into: array, x: float, y: float) -> None:
        at = f"point {len(into) // 2}, {where()}"
        if not (math.isfinite(x) and math.isfinite(y)):
            raise _Refused(TrackError(f"{name} has a position that is not a number at {at}"))
        try:
            _in_range(x, y, name, at, "lat and lon attributes")
        except TrackError as e:
            raise _Refused(e) from None

    def doctype(doctype: str, system_id: str | None, public_id: str | None, internal: int) -> None:
        if system_id or public_id:
            refuse(f"names an external document type ({system_id or public_id!r}), never read")

    def entity(entity: str, parameter: int, *rest: object) -> None:
        refuse(f"declares an entity ('{entity}', {where()}); entities are refused, never expanded")

    def external(*args: object) -> int:
        refuse(f"refers to an external entity ({where()}), never read")
        return 0

    parser.StartElementHandler = root
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    try:
        for at in range(0, len(text), _GPX_CHUNK):
            parser.Parse(text[at : at + _GPX_CHUNK], False)
            more = at + _GPX_CHUNK < len(text)  # at the end, read_track counts them all
            if more and max(len(tracks), len(routes)) > 2 * MAX_ROUTE_POINTS:
                raise TrackError(
                    f"{name} has more than {MAX_ROUTE_POINTS:,} points by {where()}; a route "
                    f"may have at most {MAX_ROUTE_POINTS:,}: thin the track with a GPS tool first"
                )
        parser.Parse("", True)
    except _Refused as e:
        raise e.args[0] from None
    except expat.ExpatError as e:
        raise TrackError(f"{name} is not valid GPX ({e}); {_ROUTE_HINT}") from None
    flat = tracks or routes
    if not flat:
        held = " (it holds only waypoints, <wpt>)" if waypoints else ""
        raise TrackError(f"{name} has no track or route points{held}; give a <trk> or a <rte>")
    if len(flat) // 2 > NUMPY_ABOVE:
        import numpy as np

        return np.frombuffer(flat, dtype=float).reshape(-1, 2).copy()
    return [(flat[k], flat[k + 1]) for k in range(0, len(flat), 2)]


def _in_range(lon: float, lat: float, name: str, at: str, order: str) -> LonLat:
    if -180 <= lon <= 180 and -90 <= lat <= 90:
        return (float(lon), float(lat))
    swapped = -180 <= lat <= 180 and -90 <= lon <= 90
    hint = "; are latitude and longitude swapped?" if swapped else ""
    raise TrackError(
        f"{name} has a position out of range at {at} (lon {lon}, lat {lat}); "
        f"positions are {order}, with lon from -180 to 180 and lat from -90 to 90{hint}"
    )


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
