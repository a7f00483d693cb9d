import json
import math
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from geographiclib.geodesic import Geodesic
from geopy.distance import geodesic

from storymap.model import MODES, Chapter, Place, Story
from storymap.routes import (
    build_legs,
    chapter_positions,
    drawn_line,
    geodesic_length_km,
    journey_bounds,
    to_latlon,
    to_lonlat,
    total_km,
)
from storymap.tracks import read_track

FIXTURES = Path(__file__).parent / "fixtures" / "routes"

TUMANGANG = (42.4134, 130.6279)
BRIDGE = (42.4235, 130.6388)
KHASAN = (42.4296, 130.6462)
VVO = (43.3990, 132.1480)
MOSCOW = (55.7558, 37.6173)
ANCHORAGE = (61.17, -149.99)
TOKYO = (35.55, 139.78)
NADI = (-17.7557, 177.4434)
HONOLULU = (21.3187, -157.9224)

PLACES = {
    "tumangang": TUMANGANG,
    "bridge": BRIDGE,
    "khasan": KHASAN,
    "vvo": VVO,
    "moscow": MOSCOW,
    "anchorage": ANCHORAGE,
    "tokyo": TOKYO,
    "nadi": NADI,
    "honolulu": HONOLULU,
}


def make_story(*stops, tmp_path=None):
    """A story visiting ``stops``: place ids, or (place id, {chapter fields}) for the legs."""
    places = {
        pid: Place(id=pid, name=pid.title(), lat=lat, lon=lon, line=2)
        for pid, (lat, lon) in PLACES.items()
    }
    chapters = []
    for i, stop in enumerate(stops):
        at, fields = (stop, {}) if isinstance(stop, str) else stop
        if "route" in fields:  # the track a loaded story carries
            fields = {**fields, "track": read_track(fields["route"], fields["route"].name)}
        chapters.append(
            Chapter(id=f"c{i}", at=at, title=f"Chapter {i}", line=10 * (i + 1), **fields)
        )
    path = (tmp_path or Path("/stories")) / "story.yaml"
    return Story(title="A journey", places=places, chapters=tuple(chapters), path=path)


def one_leg(*stops, tmp_path=None):
    (leg,) = build_legs(make_story(*stops, tmp_path=tmp_path))
    return leg


def geopy_km(latlons):
    return sum(geodesic(a, b).km for a, b in pairwise(latlons))


def inverse_km(a, b):
    return Geodesic.WGS84.Inverse(*a, *b)["s12"] / 1000


def latlons(line):
    return [to_latlon(x, y) for x, y in line.coords]


def max_lon_step(line):
    xs = [x for x, _ in line.coords]
    return max(abs(b - a) for a, b in pairwise(xs))


def write(tmp_path, name, text):
    path = tmp_path / "routes" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- coordinate order ------------------------------------------------------------------------


def test_coordinate_order_is_converted_in_one_place():
    assert to_lonlat(42.4134, 130.6279) == (130.6279, 42.4134)
    assert to_latlon(130.6279, 42.4134) == (42.4134, 130.6279)
    assert to_latlon(*to_lonlat(-17.5, 177.25)) == (-17.5, 177.25)


# --- ground legs -----------------------------------------------------------------------------


def test_trolley_leg_over_the_bridge():
    leg = one_leg("tumangang", ("khasan", {"by": "trolley", "via": (BRIDGE,)}))
    assert leg.mode is MODES["trolley"]
    assert (leg.index, leg.start, leg.end) == (1, "tumangang", "khasan")
    assert latlons(leg.line) == [TUMANGANG, BRIDGE, KHASAN]
    expected = geopy_km([TUMANGANG, BRIDGE, KHASAN])
    assert leg.length_km == pytest.approx(expected, rel=1e-3)
    assert 2.0 < leg.length_km < 2.6


def test_ground_leg_without_waypoints_is_a_straight_line():
    leg = one_leg("tumangang", ("khasan", {"by": "walk"}))
    assert latlons(leg.line) == [TUMANGANG, KHASAN]
    assert leg.length_km == pytest.approx(inverse_km(TUMANGANG, KHASAN), rel=1e-6)


def test_via_takes_place_ids_and_raw_coordinates():
    leg = one_leg(
        "tumangang",
        ("vvo", {"by": "bus", "via": ("khasan", (43.1, 131.9))}),
    )
    assert latlons(leg.line) == [TUMANGANG, KHASAN, (43.1, 131.9), VVO]
    assert leg.length_km == pytest.approx(geopy_km(latlons(leg.line)), rel=1e-3)


def test_duration_and_average_speed():
    timed, untimed = build_legs(
        make_story(
            "tumangang",
            ("khasan", {"by": "trolley", "via": (BRIDGE,), "duration_h": 0.5}),
            ("vvo", {"by": "bus"}),
        )
    )
    assert timed.duration_h == 0.5
    assert timed.speed_kmh == pytest.approx(timed.length_km / 0.5)
    assert untimed.duration_h is None
    assert untimed.speed_kmh is None


def test_total_km_sums_the_legs():
    legs = build_legs(
        make_story(
            "tumangang",
            ("khasan", {"by": "trolley", "via": (BRIDGE,)}),
            ("vvo", {"by": "bus"}),
            ("moscow", {"by": "flight"}),
        )
    )
    assert [leg.index for leg in legs] == [1, 2, 3]
    assert total_km(legs) == pytest.approx(sum(leg.length_km for leg in legs))
    assert total_km(()) == 0


# --- flights ---------------------------------------------------------------------------------


def test_flight_vladivostok_to_moscow():
    leg = one_leg("vvo", ("moscow", {"by": "flight", "duration_h": 9.0}))
    assert leg.length_km == pytest.approx(6400, abs=100)
    assert leg.length_km == pytest.approx(inverse_km(VVO, MOSCOW), rel=1e-6)
    points = latlons(leg.line)
    assert points[0] == VVO
    assert points[-1] == MOSCOW
    assert 16 <= len(points) <= 512
    steps = [inverse_km(a, b) for a, b in pairwise(points)]
    assert max(steps) <= 50
    assert leg.speed_kmh == pytest.approx(leg.length_km / 9.0)


def test_flight_is_a_great_circle_not_a_straight_line():
    from shapely import Point

    leg = one_leg("vvo", ("moscow", {"by": "flight"}))
    line = Geodesic.WGS84.InverseLine(*VVO, *MOSCOW)
    halfway = line.Position(line.s13 / 2)
    # The great circle bows far north of the straight line in lon/lat, and the leg follows it.
    assert halfway["lat2"] > (VVO[0] + MOSCOW[0]) / 2 + 5
    assert leg.line.distance(Point(*to_lonlat(halfway["lat2"], halfway["lon2"]))) < 0.01


def test_short_flight_still_has_sixteen_points():
    leg = one_leg("tumangang", ("khasan", {"by": "flight"}))
    assert len(leg.line.coords) == 16
    assert leg.length_km == pytest.approx(inverse_km(TUMANGANG, KHASAN), rel=1e-6)


@pytest.mark.parametrize(
    ("start", "end", "direction"),
    [("anchorage", "tokyo", -1), ("nadi", "honolulu", +1), ("tokyo", "anchorage", +1)],
)
def test_flight_across_the_antimeridian_is_continuous(start, end, direction):
    leg = one_leg(start, (end, {"by": "flight"}))
    (_, lon1), (lat2, lon2) = PLACES[start], PLACES[end]
    xs = [x for x, _ in leg.line.coords]
    assert max_lon_step(leg.line) < 10
    assert xs[0] == lon1
    # It crosses ±180 without jumping: the end longitude is unwrapped by a full turn.
    assert xs[-1] == pytest.approx(lon2 + direction * 360)
    assert leg.line.coords[-1][1] == lat2
    assert (max(xs) > 180) if direction > 0 else (min(xs) < -180)
    assert leg.length_km == pytest.approx(inverse_km(PLACES[start], PLACES[end]), rel=5e-3)


def test_flight_with_a_stopover_joins_two_arcs():
    leg = one_leg("tokyo", ("moscow", {"by": "flight", "via": ("anchorage",)}))
    xs = [x for x, _ in leg.line.coords]
    assert to_latlon(*leg.line.coords[0]) == TOKYO
    assert (ANCHORAGE[1] + 360, ANCHORAGE[0]) in list(leg.line.coords)
    # 50 km spans many degrees of longitude on the way over the Arctic, but never half a turn.
    assert max_lon_step(leg.line) < 30
    # From Anchorage (210° in this frame) the way to Moscow goes west, over the Arctic.
    assert xs[-1] == MOSCOW[1]
    expected = inverse_km(TOKYO, ANCHORAGE) + inverse_km(ANCHORAGE, MOSCOW)
    assert leg.length_km == pytest.approx(expected, rel=1e-6)


def test_legs_after_the_antimeridian_stay_in_its_frame():
    story = make_story(
        "anchorage",
        ("tokyo", {"by": "flight"}),
        ("vvo", {"by": "flight"}),
        ("moscow", {"by": "flight"}),
    )
    legs = build_legs(story)
    for before, after in pairwise(legs):
        assert after.line.coords[0] == before.line.coords[-1]
    assert all(max_lon_step(leg.line) < 10 for leg in legs)
    positions = chapter_positions(story, legs)
    assert positions == (
        ANCHORAGE,
        (TOKYO[0], pytest.approx(TOKYO[1] - 360)),
        (VVO[0], pytest.approx(VVO[1] - 360)),
        (MOSCOW[0], pytest.approx(MOSCOW[1] - 360)),
    )
    for leg in legs:
        assert to_latlon(*leg.line.coords[-1]) == positions[leg.index]


# --- route files -----------------------------------------------------------------------------


def test_geojson_route_file():
    leg = one_leg("tumangang", ("khasan", {"by": "trolley", "route": FIXTURES / "bridge.geojson"}))
    data = json.loads((FIXTURES / "bridge.geojson").read_text())
    assert list(leg.line.coords) == [tuple(p) for p in data["geometry"]["coordinates"]]
    assert leg.length_km == pytest.approx(geopy_km(latlons(leg.line)), rel=1e-3)


def test_gpx_route_file_joins_its_track_segments():
    gpx = one_leg("tumangang", ("khasan", {"by": "trolley", "route": FIXTURES / "bridge.gpx"}))
    geojson = one_leg(
        "tumangang", ("khasan", {"by": "trolley", "route": FIXTURES / "bridge.geojson"})
    )
    assert list(gpx.line.coords) == list(geojson.line.coords)
    assert gpx.length_km == pytest.approx(geojson.length_km, rel=1e-12)


def test_gpx_route_points_are_used_when_there_is_no_track(tmp_path):
    route = write(
        tmp_path,
        "rte.gpx",
        '<gpx version="1.1" creator="t"><wpt lat="0" lon="0"/><rte>'
        '<rtept lat="42.4134" lon="130.6279"/><rtept lat="42.4296" lon="130.6462"/>'
        "</rte></gpx>",
    )
    leg = one_leg("tumangang", ("khasan", {"by": "car", "route": route}), tmp_path=tmp_path)
    assert latlons(leg.line) == [TUMANGANG, KHASAN]


def test_multilinestring_parts_are_joined_in_order(tmp_path):
    route = write(
        tmp_path,
        "multi.geojson",
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": {
                            "type": "MultiLineString",
                            "coordinates": [
                                [[130.6279, 42.4134], [130.6388, 42.4235]],
                                [[130.6388, 42.4235], [130.6462, 42.4296, 12.0]],
                            ],
                        },
                    }
                ],
            }
        ),
    )
    leg = one_leg("tumangang", ("khasan", {"by": "trolley", "route": route}), tmp_path=tmp_path)
    assert latlons(leg.line) == [TUMANGANG, BRIDGE, KHASAN]


def test_route_split_at_the_antimeridian_is_unwrapped(tmp_path):
    route = write(
        tmp_path,
        "ferry.geojson",
        json.dumps(
            {
                "type": "MultiLineString",
                "coordinates": [
                    [[178.0, -17.0], [180.0, -16.0]],
                    [[-180.0, -16.0], [-175.0, -15.0]],
                ],
            }
        ),
    )
    leg = one_leg("nadi", ("honolulu", {"by": "ferry", "route": route}), tmp_path=tmp_path)
    assert list(leg.line.coords) == [(178.0, -17.0), (180.0, -16.0), (185.0, -15.0)]
    assert leg.length_km == pytest.approx(
        inverse_km((-17, 178), (-16, 180)) + inverse_km((-16, 180), (-15, -175)), rel=1e-6
    )


def test_route_file_far_from_the_places_is_used_as_it_is(tmp_path):
    route = write(
        tmp_path, "elsewhere.geojson", '{"type": "LineString", "coordinates": [[1, 2], [3, 4]]}'
    )
    leg = one_leg("tumangang", ("khasan", {"by": "car", "route": route}), tmp_path=tmp_path)
    assert list(leg.line.coords) == [(1.0, 2.0), (3.0, 4.0)]


# --- what routing trusts ----------------------------------------------------------------------


def test_an_unlocated_place_is_a_programming_error_not_a_story_problem():
    story = make_story("tumangang", ("khasan", {"by": "bus"}))
    story.places["khasan"] = Place(id="khasan", name="Khasan", query="Khasan, Russia")
    with pytest.raises(ValueError, match="place 'khasan' has no coordinates; locate the story"):
        build_legs(story)


def test_every_mode_and_waypoint_kind_that_loads_routes(tmp_path):
    from storymap.geocode import locate
    from storymap.story import loads

    legs = "\n".join(
        f"  - at: {'b' if k % 2 else 'a'}\n    title: Leg {k}\n    by: {mode}\n"
        "    via: [c, [42.5, 130.7]]"
        for k, mode in enumerate(MODES, start=1)
    )
    text = (
        "title: T\nplaces:\n  a: {name: A, lat: 42.3, lon: 130.5}\n"
        "  b: {name: B, lat: 42.6, lon: 130.9}\n  c: {name: C, lat: 42.4, lon: 130.6}\n"
        f"journey:\n  - at: a\n    title: Start\n{legs}\n"
    )
    routed_legs = build_legs(locate(loads(text, base_dir=tmp_path)))
    assert [leg.mode.name for leg in routed_legs] == list(MODES)
    assert all(leg.length_km > 0 for leg in routed_legs)


# --- long tracks -----------------------------------------------------------------------------


def wiggly_track(n=100_000):
    """A smooth, winding track of ``n`` points, about 90 m apart, across ~1,000 km."""
    return [
        (130.0 + 12.0 * t, 42.0 + 0.3 * math.sin(40 * math.pi * t))
        for t in (k / (n - 1) for k in range(n))
    ]


def test_long_track_is_simplified_for_drawing_but_measured_in_full(tmp_path):
    track = wiggly_track()
    route = write(
        tmp_path, "long.geojson", json.dumps({"type": "LineString", "coordinates": track})
    )
    leg = one_leg("tumangang", ("khasan", {"by": "train", "route": route}), tmp_path=tmp_path)
    full = geodesic_length_km(track)
    assert leg.length_km == full
    drawn = list(leg.line.coords)
    assert len(drawn) < len(track) / 10
    assert drawn[0] == track[0]
    assert drawn[-1] == track[-1]
    assert geodesic_length_km(drawn) == pytest.approx(full, rel=1e-4)


def test_short_lines_are_not_simplified():
    coords = wiggly_track(2000)
    assert list(drawn_line(coords).coords) == coords


def test_geodesic_length_matches_geographiclib_segment_by_segment():
    lines = [
        wiggly_track(1000),
        [(0.0, 89.99), (0.02, 89.995), (90.0, 89.99), (-179.99, 89.98)],
        [(-0.001, -0.001), (0.001, 0.001), (0.0, 0.04), (30.0, 0.04)],
    ]
    for coords in lines:
        expected = math.fsum(inverse_km(to_latlon(*a), to_latlon(*b)) for a, b in pairwise(coords))
        assert geodesic_length_km(coords) == pytest.approx(expected, rel=1e-7)
    assert geodesic_length_km([(1.0, 2.0)]) == 0


# --- bounds ----------------------------------------------------------------------------------


def test_journey_bounds_cover_places_and_lines():
    story = make_story("tumangang", ("vvo", {"by": "bus"}), ("moscow", {"by": "flight"}))
    legs = build_legs(story)
    (south, west), (north, east) = journey_bounds(story, legs)
    assert (south, west) == (TUMANGANG[0], MOSCOW[1])
    assert east == VVO[1]
    # The great circle bows north of Moscow.
    assert north > MOSCOW[0]
    assert north == max(y for leg in legs for _, y in leg.line.coords)


def test_journey_bounds_across_the_antimeridian_stay_narrow():
    story = make_story("anchorage", ("tokyo", {"by": "flight"}))
    legs = build_legs(story)
    (south, west), (north, east) = journey_bounds(story, legs)
    assert (south, north) == (TOKYO[0], max(ANCHORAGE[0], *(y for _, y in legs[0].line.coords)))
    assert west == pytest.approx(TOKYO[1] - 360)
    assert east == ANCHORAGE[1]
    assert east - west < 80


def test_bounds_of_a_story_with_one_chapter():
    story = make_story("khasan")
    assert build_legs(story) == ()
    assert journey_bounds(story, ()) == [list(KHASAN), list(KHASAN)]


# --- import cost -----------------------------------------------------------------------------


def test_import_does_not_load_heavy_libraries():
    code = (
        "import sys, storymap.routes; "
        "print(sorted(m for m in ('shapely', 'numpy', 'geographiclib', 'gpxpy') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_long_gpx_tracks_read_fast_and_slow_agree(tmp_path: Path) -> None:
    """A long track written as GPS tools write it (lat first) and the same track with its
    attributes in another order and other quotes give the same leg."""
    import random

    rng = random.Random(7)
    lat, lon = 42.0, 179.9  # it crosses the 180° meridian on the way
    rows = []
    for _ in range(6000):
        lat += rng.uniform(-1e-4, 1.2e-4)
        lon += rng.uniform(-5e-5, 1.5e-4)
        rows.append((round(lat, 6), round((lon + 180) % 360 - 180, 6)))
    simple = "".join(f'<trkpt lat="{a}" lon="{b}"><ele>1</ele></trkpt>' for a, b in rows)
    other = "".join(f"<trkpt lon='{b}' lat='{a}'/>" for a, b in rows)
    legs = []
    for name, body in (("simple.gpx", simple), ("other.gpx", other)):
        (tmp_path / name).write_text(
            f'<?xml version="1.0"?><gpx version="1.1" creator="t" '
            f'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{body}</trkseg></trk></gpx>',
            encoding="utf-8",
        )
        start = Place("a", "A", lat=rows[0][0], lon=rows[0][1])
        end = Place("b", "B", lat=rows[-1][0], lon=rows[-1][1])
        story = Story(
            title="t",
            places={"a": start, "b": end},
            chapters=(
                Chapter(id="a", at="a", title="A"),
                Chapter(
                    id="b",
                    at="b",
                    title="B",
                    by="car",
                    route=tmp_path / name,
                    track=read_track(tmp_path / name, name),
                ),
            ),
            path=tmp_path / "story.yaml",
        )
        legs.append(build_legs(story)[0])
    fast, slow = legs
    assert fast.length_km == pytest.approx(slow.length_km, rel=1e-12)
    assert list(fast.line.coords) == list(slow.line.coords)
    xs = [x for x, _ in fast.line.coords]
    assert max(xs) > 180 and all(abs(b - a) < 1 for a, b in zip(xs, xs[1:], strict=False))
