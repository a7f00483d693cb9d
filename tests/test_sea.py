"""Ship and ferry legs along sea lanes (searoute's maritime network), checked against the
Natural Earth land that storymap ships."""

from __future__ import annotations

import functools
import math
import subprocess
import sys
from itertools import pairwise

import pytest

from storymap.basemap import basemap
from storymap.model import Chapter, Place, Story
from storymap.routes import build_legs, geodesic_length_km, sea_lane, to_lonlat

# (lat, lon) of the quays
PORTS = {
    "colombo": ("Colombo", 6.9355, 79.8487),
    "penang": ("Penang", 5.4141, 100.3288),
    "singapore": ("Singapore", 1.2644, 103.8222),
    "hongkong": ("Hong Kong", 22.2855, 114.1577),
    "yokohama": ("Yokohama", 35.4437, 139.6380),
    "sanfrancisco": ("San Francisco", 37.7955, -122.3937),
    # on the shores of Lake Victoria, which no sea lane reaches
    "kisumu": ("Kisumu", -0.1022, 34.7617),
    "entebbe": ("Entebbe", 0.0630, 32.4637),
}
VOYAGE = ["colombo", "penang", "singapore", "hongkong", "yokohama", "sanfrancisco"]
#: The ports themselves are on land: the lane's first and last this many km are not checked.
PORT_KM = 30.0


def story(*stops) -> Story:
    """A story visiting ``stops``: place ids, or (place id, {chapter fields}) for the legs."""
    places = {
        pid: Place(id=pid, name=name, lat=lat, lon=lon) for pid, (name, lat, lon) in PORTS.items()
    }
    chapters = []
    for i, stop in enumerate(stops):
        at, fields = (stop, {}) if isinstance(stop, str) else stop
        chapters.append(Chapter(id=f"c{i}", at=at, title=at, **fields))
    return Story(title="A voyage", places=places, chapters=tuple(chapters))


def lonlat(pid: str) -> tuple[float, float]:
    _, lat, lon = PORTS[pid]
    return to_lonlat(lat, lon)


@functools.cache
def voyage_legs(mode: str = "ship"):
    return build_legs(story(VOYAGE[0], *((pid, {"by": mode}) for pid in VOYAGE[1:])))


def points_on_land(coords, step_km: float = 2.0) -> list[tuple[float, float]]:
    """The points every ``step_km`` along ``coords`` (lon, lat) that lie on Natural Earth's
    1:10m land, leaving out the first and last :data:`PORT_KM`."""
    from shapely import Point, prepare
    from shapely.geometry import shape

    xs = [x for x, _ in coords]
    ys = [y for _, y in coords]
    window = basemap(
        [[min(ys), min(xs)], [max(ys), max(xs)]], margin=0.05, tolerance=0, scale="10m"
    )
    land = [f for f in window["features"] if f["properties"]["kind"] == "land"]
    assert land, "the window holds land: the ports are on it"
    polygons = shape(land[0]["geometry"])
    prepare(polygons)
    first, last = coords[0], coords[-1]
    hits = []
    for a, b in pairwise(coords):
        n = max(1, math.ceil(geodesic_length_km([a, b]) / step_km))
        for k in range(n + 1):
            p = (a[0] + (b[0] - a[0]) * k / n, a[1] + (b[1] - a[1]) * k / n)
            if min(geodesic_length_km([first, p]), geodesic_length_km([p, last])) < PORT_KM:
                continue
            if polygons.contains(Point(p)):
                hits.append(p)
    return hits


@pytest.mark.parametrize("k", range(len(VOYAGE) - 1), ids=lambda k: f"{VOYAGE[k]}-{VOYAGE[k + 1]}")
def test_each_lane_keeps_off_land_where_the_straight_line_does_not(k: int) -> None:
    leg = voyage_legs()[k]
    lane = list(leg.line.coords)
    assert len(lane) > 2 and leg.notes == ()
    assert points_on_land(lane) == []
    # The check sees land: the straight line between the same ports crosses it.
    assert points_on_land([lane[0], lane[-1]])


def test_lanes_end_exactly_at_the_places_and_are_measured_as_drawn() -> None:
    legs = voyage_legs()
    positions = [lonlat(pid) for pid in VOYAGE]
    for leg, (start, end) in zip(legs, pairwise(positions), strict=True):
        first, last = leg.line.coords[0], leg.line.coords[-1]
        assert first[1] == start[1] and last[1] == end[1]
        assert math.isclose(first[0] % 360, start[0] % 360, abs_tol=1e-9)
        assert math.isclose(last[0] % 360, end[0] % 360, abs_tol=1e-9)
        assert leg.length_km == geodesic_length_km(list(leg.line.coords))
        straight = geodesic_length_km([start, end])
        assert straight < leg.length_km < 2 * straight
    # Colombo to Penang round Sri Lanka's south and across the Bay of Bengal: about 2,400 km.
    assert 2300 < legs[0].length_km < 2500


def test_a_lane_across_the_pacific_is_unwrapped_not_streaked() -> None:
    leg = voyage_legs()[-1]  # Yokohama to San Francisco
    xs = [x for x, _ in leg.line.coords]
    assert max(abs(b - a) for a, b in pairwise(xs)) < 20
    assert xs[-1] == pytest.approx(-122.3937 + 360)  # east of Yokohama, past 180°
    assert all(139 < x < 238 for x in xs)
    assert 8000 < leg.length_km < 9000  # the great circle is 8,300 km; not 30,000 westwards


def test_ferries_take_lanes_and_boats_stay_straight() -> None:
    ferry = voyage_legs("ferry")[0]
    assert ferry.line.coords[:] == voyage_legs()[0].line.coords[:]
    (boat,) = build_legs(story("colombo", ("penang", {"by": "boat"})))
    assert boat.line.coords[:] == [lonlat("colombo"), lonlat("penang")]
    assert boat.notes == ()


def test_a_leg_with_waypoints_keeps_them() -> None:
    via = (3.0, 90.0)  # (lat, lon) in the Indian Ocean
    (leg,) = build_legs(story("colombo", ("penang", {"by": "ship", "via": (via,)})))
    assert leg.line.coords[:] == [lonlat("colombo"), to_lonlat(*via), lonlat("penang")]
    assert leg.notes == ()


def test_no_lane_on_a_lake_leaves_a_straight_line_and_a_note() -> None:
    (leg,) = build_legs(story("kisumu", ("entebbe", {"by": "ferry"})))
    assert leg.line.coords[:] == [lonlat("kisumu"), lonlat("entebbe")]
    assert leg.length_km == geodesic_length_km([lonlat("kisumu"), lonlat("entebbe")])
    assert leg.notes == (
        "no sea lane was found from Kisumu to Entebbe; the leg is drawn as a straight line",
    )
    assert sea_lane(lonlat("kisumu"), lonlat("entebbe")) is None


def test_a_place_searoute_cannot_take_leaves_a_straight_line() -> None:
    # searoute raises on a latitude past 90°: whatever it raises, there is no lane.
    assert sea_lane((79.8487, 6.9355), (100.3288, 95.0)) is None


def test_lanes_are_remembered_within_a_process() -> None:
    from storymap.routes import _sea_lane

    voyage_legs()
    before = _sea_lane.cache_info()
    build_legs(story(VOYAGE[0], *((pid, {"by": "ship"}) for pid in VOYAGE[1:])))
    after = _sea_lane.cache_info()
    assert after.misses == before.misses
    assert after.hits == before.hits + len(VOYAGE) - 1


SEAROUTE_LOADED = """
import sys
from pathlib import Path
import storymap
from storymap.build import build
assert "searoute" not in sys.modules, "importing storymap"
out = Path(sys.argv[1])
build(sys.argv[2], out / "land.html", tiles=None, basemap=False)
assert "searoute" not in sys.modules, "a story without sea legs"
build(sys.argv[3], out / "sea.html", tiles=None, basemap=False)
assert "searoute" in sys.modules, "a story with a ship leg"
print("ok")
"""


def test_searoute_is_imported_only_for_a_sea_leg(tmp_path) -> None:
    land = tmp_path / "land.yaml"
    sea = tmp_path / "sea.yaml"
    head = (
        "title: T\nplaces:\n  a: {name: Colombo, lat: 6.9355, lon: 79.8487}\n"
        "  b: {name: Penang, lat: 5.4141, lon: 100.3288}\n"
        "journey:\n  - {at: a, title: Start}\n"
    )
    land.write_text(head + "  - {at: b, title: End, by: flight}\n", encoding="utf-8")
    sea.write_text(head + "  - {at: b, title: End, by: ship}\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", SEAROUTE_LOADED, str(tmp_path), str(land), str(sea)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
