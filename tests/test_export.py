"""storymap.export: the journey as RFC 7946 GeoJSON and as GPX 1.1, cut at the 180° meridian."""

from __future__ import annotations

import json

import gpxpy
import pytest

import storymap
from storymap.export import split_at_antimeridian, to_geojson, to_gpx

WORLD = "tests/fixtures/world/story.yaml"


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest) -> storymap.Journey:
    return storymap.load(request.config.rootpath / WORLD)


def test_a_line_inside_the_world_stays_whole() -> None:
    assert split_at_antimeridian([(10.0, 1.0), (20.0, 2.0)]) == [[[10.0, 1.0], [20.0, 2.0]]]


def test_a_line_past_180_is_cut_where_it_crosses() -> None:
    parts = split_at_antimeridian([(170.0, 10.0), (190.0, 20.0), (200.0, 20.0)])
    assert parts == [
        [[170.0, 10.0], [180.0, 15.0]],
        [[-180.0, 15.0], [-170.0, 20.0], [-160.0, 20.0]],
    ]


def test_a_line_going_west_past_minus_180() -> None:
    parts = split_at_antimeridian([(-170.0, 0.0), (-190.0, 10.0)])
    assert parts == [[[-170.0, 0.0], [-180.0, 5.0]], [[180.0, 5.0], [170.0, 10.0]]]


def test_geojson_has_a_point_per_chapter_and_a_line_per_leg(mini_journey) -> None:
    data = to_geojson(mini_journey.story, mini_journey.legs)
    assert data["type"] == "FeatureCollection"
    kinds = [f["geometry"]["type"] for f in data["features"]]
    assert kinds == ["Point"] * 4 + ["LineString"] * 3
    first = data["features"][0]
    place = mini_journey.story.place_of(mini_journey.story.chapters[0])
    assert first["geometry"]["coordinates"] == [place.lon, place.lat]  # (lon, lat)
    assert first["properties"]["chapter"] == 1
    assert json.loads(json.dumps(data)) == data


def test_a_leg_across_the_antimeridian_is_a_multilinestring(world) -> None:
    data = to_geojson(world.story, world.legs)
    lines = [f for f in data["features"] if f["geometry"]["type"] != "Point"]
    assert len(lines) == len(world.legs)
    (pacific,) = [f for f in lines if f["geometry"]["type"] == "MultiLineString"]
    assert pacific["properties"]["from"] == "yokohama"
    assert pacific["properties"]["to"] == "san_francisco"
    west, east = pacific["geometry"]["coordinates"]
    assert west[-1][0] == 180.0 and east[0][0] == -180.0 and west[-1][1] == east[0][1]
    for line in lines:
        for part in (
            line["geometry"]["coordinates"]
            if line["geometry"]["type"] == "MultiLineString"
            else [line["geometry"]["coordinates"]]
        ):
            assert all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in part)


def test_gpx_has_a_waypoint_per_chapter_and_a_track_per_leg(world) -> None:
    gpx = gpxpy.parse(to_gpx(world.story, world.legs))
    assert gpx.creator == "storymap" and gpx.name == world.story.title
    assert len(gpx.waypoints) == len(world.story.chapters)
    assert gpx.waypoints[0].name == f"1. {world.story.chapters[0].title}"
    assert gpx.waypoints[0].comment == world.story.chapters[0].id
    assert [t.type for t in gpx.tracks] == [leg.mode.name for leg in world.legs]
    crossing = next(t for t in gpx.tracks if len(t.segments) == 2)
    assert crossing.name.startswith("11. ")
    assert all(-180 <= p.longitude <= 180 for t in gpx.tracks for s in t.segments for p in s.points)
    assert all(-180 <= w.longitude <= 180 for w in gpx.waypoints)
