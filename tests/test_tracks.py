"""Route files are read and checked while the story loads (storymap.tracks)."""

import json
from pathlib import Path

import pytest

from storymap.errors import StoryError
from storymap.story import loads
from storymap.tracks import TrackError, read_track

FIXTURES = Path(__file__).parent / "fixtures" / "routes"


def write(tmp_path, name, text):
    path = tmp_path / "routes" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


HINT = "give a GeoJSON LineString or a GPX track"

ROUTE_ERRORS = [
    (
        "missing.geojson",
        None,
        "route file 'routes/missing.geojson' does not exist; "
        "give a path relative to the story file",
    ),
    (
        "bad.geojson",
        "",
        "route file 'routes/bad.geojson' is not valid GeoJSON "
        f"(Expecting value: line 1 column 1); {HINT}",
    ),
    (
        "bad.json",
        '{"type": "LineString",\n "coordinates": [[1, 2],]}',
        "route file 'routes/bad.json' is not valid GeoJSON "
        f"(Expecting value: line 2 column 25); {HINT}",
    ),
    (
        "list.geojson",
        "[[130.6, 42.4], [130.7, 42.5]]",
        f"route file 'routes/list.geojson' is not a GeoJSON object with a type; {HINT}",
    ),
    (
        "point.geojson",
        '{"type": "Point", "coordinates": [130.6, 42.4]}',
        "route file 'routes/point.geojson' holds a Point, not a line; "
        "give a GeoJSON LineString or MultiLineString",
    ),
    (
        "polygon.geojson",
        '{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": []}}',
        "route file 'routes/polygon.geojson' holds a Polygon, not a line; "
        "give a GeoJSON LineString or MultiLineString",
    ),
    (
        "two.geojson",
        json.dumps({"type": "FeatureCollection", "features": [{}, {}]}),
        "route file 'routes/two.geojson' holds 2 features; "
        "give a FeatureCollection with exactly one LineString feature",
    ),
    (
        "nogeometry.geojson",
        '{"type": "Feature", "properties": {}, "geometry": null}',
        f"route file 'routes/nogeometry.geojson' holds a Feature without a geometry; {HINT}",
    ),
    (
        "empty.geojson",
        '{"type": "LineString", "coordinates": []}',
        f"route file 'routes/empty.geojson' has no points; {HINT}",
    ),
    (
        "one.geojson",
        '{"type": "LineString", "coordinates": [[130.6, 42.4], [130.6, 42.4]]}',
        "route file 'routes/one.geojson' has only one distinct point; a route needs at least two",
    ),
    (
        "malformed.geojson",
        '{"type": "LineString", "coordinates": [[130.6, 42.4], [130.7, "north"]]}',
        "route file 'routes/malformed.geojson' has a malformed position at coordinates[1] "
        "([130.7, 'north']); give [lon, lat]",
    ),
    (
        "swapped.geojson",
        '{"type": "LineString", "coordinates": [[42.4134, 130.6279], [42.4296, 130.6462]]}',
        "route file 'routes/swapped.geojson' has a position out of range at coordinates[0] "
        "(lon 42.4134, lat 130.6279); positions are [lon, lat], longitude first, "
        "with lon from -180 to 180 and lat from -90 to 90; are latitude and longitude swapped?",
    ),
    (
        "nan.geojson",
        '{"type": "LineString", "coordinates": [[130.6, 42.4], [NaN, 42.5]]}',
        "route file 'routes/nan.geojson' has a malformed position at coordinates[1] "
        "([nan, 42.5]); give [lon, lat]",
    ),
    (
        "broken.gpx",
        "<gpx><trk>",
        "route file 'routes/broken.gpx' is not valid GPX "
        f"(no element found: line 1, column 10); {HINT}",
    ),
    (
        "waypoints.gpx",
        '<gpx version="1.1" creator="t"><wpt lat="42.4" lon="130.6"/></gpx>',
        "route file 'routes/waypoints.gpx' has no track or route points "
        "(it holds only waypoints, <wpt>); give a <trk> or a <rte>",
    ),
    (
        "empty.gpx",
        '<gpx version="1.1" creator="t"><trk><trkseg></trkseg></trk></gpx>',
        "route file 'routes/empty.gpx' has no track or route points; give a <trk> or a <rte>",
    ),
    (
        "far.gpx",
        '<gpx version="1.1" creator="t"><trk><trkseg><trkpt lat="95" lon="130"/>'
        '<trkpt lat="42" lon="130"/></trkseg></trk></gpx>',
        "route file 'routes/far.gpx' has a position out of range at point 0, line 1 "
        "(lon 130.0, lat 95.0); "
        "positions are lat and lon attributes, with lon from -180 to 180 and lat from -90 to 90",
    ),
    (
        "route.kml",
        "<kml/>",
        "route file 'routes/route.kml' is not a .geojson, .json or .gpx file; "
        "convert it to a GeoJSON LineString or a GPX track",
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "message"), ROUTE_ERRORS, ids=[e[0] for e in ROUTE_ERRORS]
)
def test_route_file_errors(tmp_path, name, text, message):
    route = tmp_path / "routes" / name
    if text is not None:
        write(tmp_path, name, text)
    with pytest.raises(TrackError) as caught:
        read_track(route, f"routes/{name}")
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_unreadable_route_file(tmp_path):
    route = tmp_path / "routes" / "dir.geojson"
    route.mkdir(parents=True)
    with pytest.raises(TrackError) as caught:
        read_track(route, "routes/dir.geojson")
    assert str(caught.value) == f"route file 'routes/dir.geojson' is a directory; {HINT}"


STORY = """\
title: A journey
places:
  tumangang: {{name: Tumangang, lat: 42.4134, lon: 130.6279}}
  khasan: {{name: Khasan, lat: 42.4296, lon: 130.6462}}
journey:
  - at: tumangang
    title: Start
  - at: khasan
    title: Over the bridge
    by: trolley
    route: {route}
{more}"""


def story_text(route, more=""):
    return STORY.format(route=route, more=more)


def test_the_loaded_story_carries_the_track(tmp_path):
    coords = [[130.6279, 42.4134], [130.6388, 42.4235], [130.6462, 42.4296]]
    write(tmp_path, "bridge.geojson", json.dumps({"type": "LineString", "coordinates": coords}))
    story = loads(
        story_text("routes/bridge.geojson"), file=str(tmp_path / "story.yaml"), base_dir=tmp_path
    )
    chapter = story.chapters[1]
    assert chapter.route == (tmp_path / "routes" / "bridge.geojson").resolve()
    assert [list(p) for p in chapter.track] == coords


def test_route_file_problems_come_with_the_story_s_other_problems(tmp_path):
    write(tmp_path, "bad.geojson", "")
    file = str(tmp_path / "story.yaml")
    more = "  - at: nowhere\n    title: Lost\n    by: bus\n"
    with pytest.raises(StoryError) as caught:
        loads(story_text("routes/bad.geojson", more), file=file, base_dir=tmp_path)
    assert str(caught.value).splitlines() == [
        f"{file}:11: journey.1.route: route file 'routes/bad.geojson' is not valid GeoJSON "
        f"(Expecting value: line 1 column 1); {HINT}",
        f"{file}:12: journey.2.at: unknown place 'nowhere'; define it under places: or use "
        "one of: khasan, tumangang",
    ]


def test_a_route_file_outside_the_story_folder_is_named_in_full(tmp_path):
    route = write(tmp_path, "x.gpx", "<gpx><trk>")
    folder = tmp_path / "story"
    folder.mkdir()
    with pytest.raises(StoryError) as caught:
        loads(
            story_text(str(route)),
            file=str(folder / "story.yaml"),
            base_dir=folder,
            allow_outside=True,
        )
    (problem,) = caught.value.problems
    assert problem.message.startswith(f"route file '{route}' is not valid GPX")


def test_via_and_route_together_is_an_error(tmp_path):
    write(tmp_path, "x.gpx", (FIXTURES / "bridge.gpx").read_text(encoding="utf-8"))
    text = story_text("routes/x.gpx").replace(
        "    by: trolley", "    by: trolley\n    via: [[42.42, 130.64]]"
    )
    with pytest.raises(StoryError) as caught:
        loads(text, file=str(tmp_path / "story.yaml"), base_dir=tmp_path)
    assert [p.message for p in caught.value.problems] == [
        "give either 'via:' waypoints or a 'route:' file, not both"
    ]
