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
import re
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
            raise TrackError(f"{name} is not valid GPX ({e}); {_ROUTE_HINT}") from None
        if root.tag.rsplit("}", 1)[-1] != "gpx":
            raise TrackError(f"{name} is not GPX (its root is <{root.tag}>); {_ROUTE_HINT}")
    elif not _GPX_END.search(text):
        raise TrackError(f"{name} does not end with </gpx>: is it cut short? {_ROUTE_HINT}")
    found: dict[str, list[str]] = {"trkpt": [], "rtept": [], "wpt": []}
    for match in _GPX_POINT.finditer(text):
        found[match.group(1)].append(match.group(2))
    fast = _gpx_fast(text, found)
    if fast is not None:
        return fast
    raw = found["trkpt"] or found["rtept"]
    if not raw:
        held = " (it holds only waypoints, <wpt>)" if found["wpt"] else ""
        raise TrackError(f"{name} has no track or route points{held}; give a <trk> or a <rte>")
    points = []
    for k, attributes in enumerate(raw):
        coords = {key: a or b for key, a, b in _GPX_COORD.findall(attributes)}
        lat, lon = coords.get("lat"), coords.get("lon")
        try:
            x, y = float(lon), float(lat)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise TrackError(
                f"{name} has a point without a usable lat and lon at point {k} "
                f"(lat={lat!r}, lon={lon!r}); give lat and lon attributes in degrees"
            ) from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise TrackError(f"{name} has a position that is not a number at point {k}")
        points.append(_in_range(x, y, name, f"point {k}", "lat and lon attributes"))
    return points


_GPX_SIMPLE = re.compile(
    r"""<(?:[\w.-]+:)?(?:trkpt|rtept)\s+lat\s*=\s*["']([^"']*)["']\s+lon\s*=\s*["']([^"']*)["']"""
)


def _gpx_fast(text: str, found: dict[str, list[str]]) -> Any:
    """For a long track whose every point is written ``<trkpt lat="…" lon="…"``, as GPS tools
    write them: the points as an (n, 2) array of (lon, lat), read in one pass; else None."""
    wanted = len(found["trkpt"]) or len(found["rtept"])
    if wanted <= NUMPY_ABOVE or found["trkpt"] and found["rtept"]:
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
    raise TrackError(
        f"{name} has a position out of range at {at} (lon {lon}, lat {lat}); "
        f"positions are {order}, with lon from -180 to 180 and lat from -90 to 90{hint}"
    )


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
