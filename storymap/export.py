"""The story as GeoJSON: a Point per chapter and a line per leg, in RFC 7946 (lon, lat)."""

from __future__ import annotations

from typing import Any

from storymap.model import Leg, Story


def _wrap(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0 if not -180.0 <= lon <= 180.0 else lon


def split_at_antimeridian(coords: list[tuple[float, float]]) -> list[list[list[float]]]:
    """Cut a line whose longitudes run past ±180° into parts inside [-180, 180] (RFC 7946 3.1.9)."""
    parts: list[list[list[float]]] = [[]]
    prev: tuple[float, float] | None = None
    for lon, lat in coords:
        if prev is not None:
            shift_prev = (prev[0] + 180.0) // 360.0
            shift_now = (lon + 180.0) // 360.0
            if shift_now != shift_prev:
                edge = 180.0 + 360.0 * min(shift_prev, shift_now)
                t = (edge - prev[0]) / (lon - prev[0])
                lat_edge = prev[1] + t * (lat - prev[1])
                east = 180.0 if lon > prev[0] else -180.0
                parts[-1].append([east, round(lat_edge, 6)])
                parts.append([[-east, round(lat_edge, 6)]])
        parts[-1].append([round(_wrap(lon), 6), round(lat, 6)])
        prev = (lon, lat)
    return parts


def to_geojson(story: Story, legs: tuple[Leg, ...]) -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    for n, chapter in enumerate(story.chapters, start=1):
        place = story.place_of(chapter)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
                "properties": {
                    "chapter": n,
                    "id": chapter.id,
                    "place": place.id,
                    "name": place.name,
                    "title": chapter.title,
                },
            }
        )
    for leg in legs:
        parts = split_at_antimeridian(list(leg.line.coords))
        geometry = (
            {"type": "LineString", "coordinates": parts[0]}
            if len(parts) == 1
            else {"type": "MultiLineString", "coordinates": parts}
        )
        properties: dict[str, Any] = {
            "chapter": leg.index + 1,
            "mode": leg.mode.name,
            "from": leg.start,
            "to": leg.end,
            "length_km": round(leg.length_km, 3),
        }
        if leg.duration_h is not None:
            properties["duration_h"] = round(leg.duration_h, 4)
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def to_gpx(story: Story, legs: tuple[Leg, ...]) -> str:
    """GPX 1.1: a waypoint per chapter and a track per leg, for GPS tools.

    Longitudes are wrapped into [-180, 180]; a leg that crosses the 180° meridian becomes a
    track of two segments.
    """
    import gpxpy.gpx

    gpx = gpxpy.gpx.GPX()
    gpx.creator = "storymap"
    gpx.name = story.title
    for n, chapter in enumerate(story.chapters, start=1):
        place = story.place_of(chapter)
        point = gpxpy.gpx.GPXWaypoint(place.lat, _wrap(place.lon), name=f"{n}. {chapter.title}")
        point.description = place.name
        point.comment = chapter.id
        gpx.waypoints.append(point)
    for leg in legs:
        start, end = story.places[leg.start].name, story.places[leg.end].name
        track = gpxpy.gpx.GPXTrack(name=f"{leg.index + 1}. {leg.mode.label}: {start} to {end}")
        track.type = leg.mode.name
        for part in split_at_antimeridian(list(leg.line.coords)):
            segment = gpxpy.gpx.GPXTrackSegment()
            segment.points.extend(gpxpy.gpx.GPXTrackPoint(lat, lon) for lon, lat in part)
            track.segments.append(segment)
        gpx.tracks.append(track)
    return gpx.to_xml(version="1.1")
