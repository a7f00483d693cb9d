"""The offline basemap: Natural Earth land, coasts and borders, GSHHG lakes and rivers, clipped
to a story's bounds; and GeoNames towns.

``python tests/test_basemap.py`` prints load and clip times and sizes for the flagship's bounds.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
import shapely
from shapely.geometry import Point, shape

from storymap.basemap import (
    DATA,
    DATA_10M,
    MAX_ZOOM,
    MIN_MARGIN,
    TOLERANCE_10M,
    TOWNS,
    WATER,
    basemap,
    scale_for,
    tolerance_for_zoom,
    towns,
)

# The flagship journey, Pyongyang to Moscow.
FLAGSHIP = [[39.0, 37.6], [55.8, 132.2]]
# The Friendship Bridge over the Tumen, between Tumangang (North Korea) and Khasan (Russia).
BRIDGE = (42.415167, 130.641056)
# A journey across the 180° meridian, from Japan's latitudes to Alaska, longitudes unwrapped.
ACROSS = [[30.0, 130.0], [62.0, 215.0]]
SIZE_LIMIT = 80_000
KINDS = ["land", "lake", "river", "coast", "border"]


def compact(data: dict) -> str:
    return json.dumps(data, separators=(",", ":"))


def by_kind(collection: dict) -> dict[str, dict]:
    kinds = [f["properties"]["kind"] for f in collection["features"]]
    assert len(kinds) == len(set(kinds)), kinds
    return {f["properties"]["kind"]: f for f in collection["features"]}


def geometry(feature: dict):
    return shape(feature["geometry"])


def window(bounds: list[list[float]], margin: float = 0.15) -> tuple[float, float, float, float]:
    (south, west), (north, east) = bounds
    pad_lat = max(margin * (north - south), MIN_MARGIN)
    pad_lon = max(margin * (east - west), MIN_MARGIN)
    return south - pad_lat, west - pad_lon, north + pad_lat, east + pad_lon


def km_from(geom, lat: float, lon: float) -> float:
    """Distance in km from (lat, lon) to ``geom``, on a local equirectangular projection."""
    kx = 111.32 * math.cos(math.radians(lat))
    local = shapely.transform(geom, lambda c: (c - (lon, lat)) * (kx, 110.57))
    return local.distance(Point(0, 0))


@pytest.fixture(scope="module")
def flagship() -> dict:
    return basemap(FLAGSHIP)


def test_flagship_has_land_water_coasts_and_borders(flagship):
    assert flagship["type"] == "FeatureCollection"
    features = by_kind(flagship)
    assert list(features) == KINDS
    for kind in ("land", "lake"):
        assert features[kind]["geometry"]["type"] == "MultiPolygon"
    for kind in ("river", "coast", "border"):
        assert features[kind]["geometry"]["type"] == "MultiLineString"
    for feature in features.values():
        assert feature["type"] == "Feature"
        assert not geometry(feature).is_empty
    # Moscow, Pyongyang and Vladivostok are on land; the Sea of Japan is not.
    land = geometry(features["land"])
    for lat, lon in [(55.75, 37.62), (39.02, 125.75), (43.12, 131.9)]:
        assert land.contains(Point(lon, lat)), (lat, lon)
    assert not land.contains(Point(133.0, 40.0))


def test_flagship_lies_within_the_expanded_bounds(flagship):
    south, west, north, east = window(FLAGSHIP)
    slack = 0.01  # rounding of the output coordinates
    for feature in flagship["features"]:
        points = shapely.get_coordinates(geometry(feature))
        assert points[:, 0].min() >= west - slack, feature["properties"]
        assert points[:, 0].max() <= east + slack, feature["properties"]
        assert points[:, 1].min() >= south - slack, feature["properties"]
        assert points[:, 1].max() <= north + slack, feature["properties"]
    # ... and fills it: the window reaches from the Baltic's longitudes to the Pacific.
    land = shapely.get_coordinates(geometry(by_kind(flagship)["land"]))
    assert land[:, 0].min() == pytest.approx(west, abs=slack)
    assert land[:, 0].max() == pytest.approx(east, abs=slack)


def test_flagship_basemap_is_small(flagship):
    size = len(compact(flagship).encode())
    print(f"flagship basemap: {size:,} bytes of GeoJSON")
    assert size < SIZE_LIMIT


def test_the_tumen_is_the_border_at_the_friendship_bridge(flagship):
    border = geometry(by_kind(flagship)["border"])
    assert km_from(border, *BRIDGE) < 3
    # The bridge is on the river, not on the coast: the coast is further off.
    coast = geometry(by_kind(flagship)["coast"])
    assert km_from(coast, *BRIDGE) > km_from(border, *BRIDGE)


def test_coasts_lie_on_the_land_outline(flagship):
    """Land, coasts and borders come from the same simplified arcs, so they stay in register."""
    features = by_kind(flagship)
    outline = geometry(features["land"]).boundary
    coast = shapely.points(shapely.get_coordinates(geometry(features["coast"])))
    assert shapely.distance(coast, outline).max() < 0.011
    border = shapely.get_coordinates(geometry(features["border"]))
    ends = shapely.points(border[[0, -1]])
    assert shapely.contains(shapely.buffer(geometry(features["land"]), 0.011), ends).all()


def test_outer_rings_run_anticlockwise_and_holes_clockwise(flagship):
    for polygon in by_kind(flagship)["land"]["geometry"]["coordinates"]:
        assert shapely.LinearRing(polygon[0]).is_ccw
        assert not any(shapely.LinearRing(hole).is_ccw for hole in polygon[1:])


def test_same_bounds_same_result():
    first = basemap(FLAGSHIP)
    second = basemap([[39.0, 37.6], [55.8, 132.2]])
    assert first == second
    assert compact(first) == compact(second)
    # Each call gets its own dict: changing one leaves the next untouched.
    first["features"].clear()
    assert basemap(FLAGSHIP) == second


def test_across_the_antimeridian_the_basemap_is_repeated():
    collection = basemap(ACROSS)
    features = by_kind(collection)
    assert {"land", "coast"} <= set(features)
    south, west, north, east = window(ACROSS)
    land = geometry(features["land"])
    points = shapely.get_coordinates(land)
    assert points[:, 0].max() > 200
    assert points[:, 0].min() >= west - 0.01 and points[:, 0].max() <= east + 0.01
    # Alaska at 150° W lies at 210° E here, and Chukotka east of 180° too; the Pacific is sea.
    assert land.contains(Point(210.0, 63.0))
    assert land.contains(Point(182.0, 65.5))
    assert not land.contains(Point(200.0, 50.0))
    assert not land.contains(Point(-150.0, 63.0))
    # Kamchatka on the near side of 180° is there once, not twice.
    assert land.contains(Point(159.0, 56.0))
    # Chukotka runs on across 180° in one piece: no outline along the meridian.
    assert not any(x == 180.0 for x, _ in points)


@pytest.mark.parametrize(
    "scale, west_point, east_point",
    [("50m", (179.9, -16.6), (180.1, -16.8)), ("10m", (179.967, -16.9), (180.05, -16.833))],
)
def test_islands_cut_at_180_degrees_have_no_coast_along_the_cut(scale, west_point, east_point):
    # Natural Earth cuts Fiji's Vanua Levu and Taveuni along the 180° meridian: the land fills
    # both sides, and the cut is no coast.
    features = by_kind(basemap([[-19.0, 176.0], [-15.0, 183.0]], scale=scale))
    land = geometry(features["land"])
    assert land.contains(Point(*west_point)) and land.contains(Point(*east_point))
    assert shapely.get_coordinates(land)[:, 0].max() > east_point[0]
    for line in features["coast"]["geometry"]["coordinates"]:
        for (x1, _), (x2, _) in zip(line, line[1:], strict=False):
            assert not (x1 == x2 == 180.0)


def test_a_short_trip_gets_the_least_margin():
    # About 2 km across the Friendship Bridge.
    lat, lon = BRIDGE
    bounds = [[lat - 0.009, lon - 0.012], [lat + 0.009, lon + 0.012]]
    collection = basemap(bounds)
    features = by_kind(collection)
    assert {"land", "river", "coast", "border"} <= set(features)
    south, west, north, east = window(bounds)
    assert north - south == pytest.approx(0.018 + 2 * MIN_MARGIN)
    for feature in collection["features"]:
        points = shapely.get_coordinates(geometry(feature))
        assert points[:, 0].min() >= west - 1e-4 and points[:, 0].max() <= east + 1e-4
        assert points[:, 1].min() >= south - 1e-4 and points[:, 1].max() <= north + 1e-4
    assert km_from(geometry(features["border"]), *BRIDGE) < 3
    # Finer than the flagship's: the coordinates keep more than two decimals.
    coast = shapely.get_coordinates(geometry(features["coast"]))
    assert (coast.round(2) != coast).any()
    assert (coast.round(4) == coast).all()


def test_a_single_point_is_fine():
    collection = basemap([[55.75, 37.62], [55.75, 37.62]])
    features = by_kind(collection)
    # Inland Moscow: no coast or border near, but the Moskva and the Volga's lakes.
    assert list(features) == ["land", "lake", "river"]
    assert geometry(features["land"]).contains(Point(37.62, 55.75))


def test_bounds_round_the_world_repeat_the_basemap():
    collection = basemap([[-50.0, -170.0], [70.0, 230.0]])  # 400° of longitude
    land = geometry(by_kind(collection)["land"])
    for lon in (-150.0, 210.0):  # Alaska twice, 360° apart
        assert land.contains(Point(lon, 63.0))


def test_numpy_numbers_are_numbers():
    import numpy as np

    bounds = [[np.float32(39.0), np.float64(37.6)], [np.int64(56), 132.2]]
    assert by_kind(basemap(bounds))


def test_open_sea_has_no_land():
    collection = basemap([[35.0, -40.0], [35.02, -39.98]])  # mid-Atlantic
    assert collection["features"] == []
    west, south, east, north = collection["bbox"]  # the window: all of it sea
    assert west < -40.0 < -39.98 < east and south < 35.0 < 35.02 < north


def test_tolerance_sets_the_detail():
    coarse = basemap(FLAGSHIP, tolerance=0.5)
    fine = basemap(FLAGSHIP, tolerance=0.05)
    assert len(compact(coarse)) < len(compact(flagship_default := basemap(FLAGSHIP)))
    assert len(compact(flagship_default)) < len(compact(fine))
    narrow = basemap(FLAGSHIP, margin=0)
    points = shapely.get_coordinates(geometry(by_kind(narrow)["land"]))
    assert points[:, 1].min() >= 39.0 - MIN_MARGIN - 0.01
    assert points[:, 1].max() <= 55.8 + MIN_MARGIN + 0.01


@pytest.mark.parametrize(
    "bounds",
    [
        [[56.0, 37.6], [39.0, 132.2]],  # south north of north
        [[39.0, 132.2], [55.8, 37.6]],  # west east of east
        [[-91.0, 0.0], [10.0, 10.0]],
        [[0.0, 0.0], [95.0, 10.0]],
        [[float("nan"), 0.0], [1.0, 1.0]],
        [[0.0, 0.0], [1.0, float("inf")]],
        [[0.0, 0.0]],
        [[0.0, 0.0], [1.0, "2"]],
        [[True, 0.0], [1.0, 2.0]],
        [[0.0, -400.0], [1.0, 400.0]],  # more than twice round the world
        None,
    ],
)
def test_bad_bounds_raise_value_error(bounds):
    with pytest.raises(ValueError, match="bounds"):
        basemap(bounds)


def test_bad_margin_or_tolerance_raise_value_error():
    with pytest.raises(ValueError, match="margin"):
        basemap(FLAGSHIP, margin=-0.1)
    with pytest.raises(ValueError, match="tolerance"):
        basemap(FLAGSHIP, tolerance=float("nan"))


def test_importing_the_module_loads_no_geometry_library():
    code = (
        "import sys, storymap.basemap; "
        "print(sorted(m for m in ('numpy', 'shapely') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_data_says_where_it_comes_from():
    import numpy as np

    with np.load(DATA, allow_pickle=False) as npz:
        meta = json.loads(npz["meta"].tobytes())
        kinds = set(np.unique(npz["arc_kind"]).tolist())
    assert meta["package"] == "world-atlas@2.0.2"
    assert "Natural Earth" in meta["source"]
    assert len(meta["sha256"]) == 64
    assert kinds == {0, 1, 2}


# --- scales, water and towns ---------------------------------------------------------------


def kinds_of(collection: dict) -> dict:
    return {kind: geometry(feature) for kind, feature in by_kind(collection).items()}


def test_tolerance_for_zoom_is_a_pixel():
    assert tolerance_for_zoom(0) == pytest.approx(360 / 256)
    assert tolerance_for_zoom(6) == pytest.approx(0.02197, abs=1e-5)
    assert tolerance_for_zoom(MAX_ZOOM) == pytest.approx(360 / (256 * 2**MAX_ZOOM))
    assert 9 <= MAX_ZOOM <= 11


def test_fine_tolerances_use_1_10m_middle_ones_1_50m_and_the_widest_1_110m():
    assert scale_for(tolerance_for_zoom(MAX_ZOOM)) == "10m"
    assert scale_for(0.001) == scale_for(TOLERANCE_10M / 2) == "10m"
    assert scale_for(TOLERANCE_10M) == scale_for(0.1) == "50m"
    assert scale_for(tolerance_for_zoom(3)) == scale_for(0.7) == "110m"
    world = [[-60.0, -170.0], [75.0, 170.0]]
    widest = basemap(world, tolerance=0.5)
    assert widest == basemap(world, tolerance=0.5, scale="110m")
    assert widest != basemap(world, tolerance=0.5, scale="50m")
    assert len(json.dumps(widest)) < len(json.dumps(basemap(world, tolerance=0.5, scale="50m")))
    bounds = [[42.0, 130.0], [43.0, 131.5]]
    fine = basemap(bounds, tolerance=0.005)
    assert fine == basemap(bounds, tolerance=0.005, scale="10m")
    assert fine != basemap(bounds, tolerance=0.005, scale="50m")
    coarse = basemap(bounds, tolerance=0.05)
    assert coarse == basemap(bounds, tolerance=0.05, scale="50m")
    assert coarse != basemap(bounds, tolerance=0.05, scale="10m")
    with pytest.raises(ValueError, match="scale"):
        basemap(bounds, scale="1:25")


def test_at_the_tumen_the_border_and_the_river_pass_the_friendship_bridge():
    lat, lon = BRIDGE
    features = kinds_of(
        basemap([[lat - 0.05, lon - 0.07], [lat + 0.05, lon + 0.07]], tolerance=0.001)
    )
    assert {"land", "river", "coast", "border"} <= set(features)
    assert km_from(features["border"], *BRIDGE) < 1.2
    assert km_from(features["river"], *BRIDGE) < 1.2
    assert km_from(features["coast"], *BRIDGE) > 5  # the river mouth is some 15 km downstream


def test_lakes_baikal_and_khanka():
    baikal = kinds_of(basemap([[51.0, 103.0], [56.0, 110.0]], tolerance=0.05, scale="50m"))
    assert baikal["lake"].contains(Point(108.0, 53.5))
    assert baikal["land"].contains(Point(108.0, 53.5))  # lakes are drawn over the land
    assert not baikal["lake"].contains(Point(105.0, 55.0))
    # Lake Khanka, on the border north of Vladivostok, with Vladivostok itself dry.
    khanka = kinds_of(basemap([[42.4, 130.6], [45.2, 133.0]]))
    assert khanka["lake"].contains(Point(132.4, 45.0))
    assert not khanka["lake"].contains(Point(131.9, 43.12))
    for polygon in by_kind(basemap([[42.4, 130.6], [45.2, 133.0]]))["lake"]["geometry"][
        "coordinates"
    ]:
        assert shapely.LinearRing(polygon[0]).is_ccw


def test_small_lakes_go_with_the_tolerance():
    bounds = [[60.0, 25.0], [63.0, 31.0]]  # the Finnish lakes
    south, west, north, east = window(bounds)
    inner = shapely.box(west + 0.01, south + 0.01, east - 0.01, north - 0.01)

    def lakes(tolerance: float) -> list:
        found = shapely.get_parts(kinds_of(basemap(bounds, tolerance=tolerance))["lake"])
        return [g for g in found if inner.contains(g)]  # whole lakes, not cut by the window

    fine, coarse = lakes(0.005), lakes(0.1)
    assert len(coarse) < len(fine)
    mercator = [shapely.transform(g, lambda c: c * (1, 2)) for g in coarse]  # 1/cos(60°) = 2
    assert min(g.area for g in mercator) > 0.1**2 / 2  # about the tolerance squared


def test_rivers_at_world_scale_are_few_and_major():
    tolerance = 0.45
    world = kinds_of(basemap([[-56.0, -180.0], [75.0, 180.0]], margin=0, tolerance=tolerance))
    rivers = list(shapely.get_parts(world["river"]))
    assert 10 <= len(rivers) <= 120
    # No crumbs: each piece is at least three tolerances long (in Mercator degrees).
    lengths = shapely.length([shapely.transform(r, mercator_coords) for r in rivers])
    assert lengths.min() >= 3 * tolerance - 0.01
    # The Amazon, the Mississippi, the Nile, the Yangtze, the Ob, the Danube.
    for lat, lon in [
        (-3.3, -60.0),
        (33.0, -91.1),
        (24.0, 32.9),
        (30.5, 114.3),
        (61.0, 69.0),
        (47.5, 19.05),
    ]:
        assert km_from(world["river"], lat, lon) < 120, (lat, lon)
    closer = kinds_of(basemap([[-56.0, -180.0], [75.0, 180.0]], margin=0, tolerance=0.05))
    assert len(shapely.get_parts(closer["river"])) > 3 * len(rivers)


def mercator_coords(coords):
    import numpy as np

    lat = np.radians(coords[:, 1])
    return np.column_stack([coords[:, 0], np.degrees(np.log(np.tan(np.pi / 4 + lat / 2)))])


def test_every_kind_across_the_antimeridian():
    collection = basemap(ACROSS)
    features = kinds_of(collection)
    assert list(features) == KINDS
    south, west, north, east = window(ACROSS)
    for kind, geom in features.items():
        points = shapely.get_coordinates(geom)
        assert points[:, 0].min() >= west - 0.01 and points[:, 0].max() <= east + 0.01, kind
        assert points[:, 0].max() > 190, kind  # Alaska's part, at longitudes past 180
    # The Yukon at 200° E (160° W), Iliamna Lake at 205° E.
    assert km_from(features["river"], 62.0, 200.0) < 30
    assert km_from(features["lake"], 59.6, 205.0) < 15
    names = {t[0]: t for t in towns(ACROSS, limit=10_000)}
    assert names["Anchorage"][2] == pytest.approx(210.1, abs=0.05)
    assert names["Petropavlovsk-Kamchatsky"][2] == pytest.approx(158.63, abs=0.05)


def test_towns_near_chongjin():
    found = towns([[41.5, 129.5], [42.2, 130.2]])
    assert found[0][0] == "Chongjin"
    name, lat, lon, population = found[0]
    assert (lat, lon) == pytest.approx((41.79556, 129.77583))
    assert population == 327_000
    assert [t[3] for t in found] == sorted((t[3] for t in found), reverse=True)
    for _, lat, lon, population in found:
        assert 41.5 <= lat <= 42.2 and 129.5 <= lon <= 130.2
        assert population >= 15_000
    assert towns([[41.5, 129.5], [42.2, 130.2]], limit=1) == found[:1]
    assert len(towns([[30.0, 120.0], [45.0, 145.0]])) == 200  # the default limit
    wider = towns([[41.5, 129.5], [42.2, 130.2]], margin=0.5)
    assert len(wider) > len(found)
    with pytest.raises(ValueError, match="limit"):
        towns([[41.5, 129.5], [42.2, 130.2]], limit=-1)


def test_ties_in_population_go_by_name():
    everything = towns([[-90.0, -180.0], [90.0, 180.0]], limit=1_000_000)
    assert len(everything) > 30_000
    keys = [(-t[3], t[0]) for t in everything]
    assert keys == sorted(keys)


def _raw_land(box: tuple[float, float, float, float]) -> list:
    """The 1:10m land within ``box`` (Mercator), from the data's arcs as they are stored."""
    import numpy as np

    with np.load(DATA_10M, allow_pickle=False) as npz:
        data = {name: npz[name] for name in npz.files}
    meta = json.loads(data["meta"].tobytes())
    (sx, sy), (tx, ty) = meta["scale"], meta["translate"]
    xy = np.cumsum(data["xy"].astype(np.int64), axis=0)
    lat = np.clip(xy[:, 1] * sy + ty, -85.0511287798066, 85.0511287798066)
    points = np.column_stack(
        [xy[:, 0] * sx + tx, np.degrees(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))]
    )
    arc_start, ring_ref, ring_start = data["arc_start"], data["ring_ref"], data["ring_start"]
    polygons = []
    for p in range(len(data["poly_start"]) - 1):
        rings = []
        for r in range(data["poly_start"][p], data["poly_start"][p + 1]):
            parts = []
            for k in range(ring_start[r], ring_start[r + 1]):
                i = int(ring_ref[k])
                arc = points[arc_start[i] : arc_start[i + 1]] + (
                    360 * int(data["ring_shift"][k]),
                    0,
                )
                parts.append(arc[1:] if parts else arc)
            rings.append(np.concatenate(parts))
        polygon = shapely.Polygon(rings[0], rings[1:])
        if shapely.intersects(polygon, shapely.box(*box)):
            polygons.append(polygon)
    return polygons


def test_fine_land_agrees_with_the_unsimplified_1_10m_land():
    import numpy as np

    from storymap.basemap import _mercator

    bounds = [[33.0, 124.0], [43.0, 132.0]]  # Korea: coasts, islands, a peninsula
    tolerance = 0.004
    land = geometry(by_kind(basemap(bounds, margin=0, tolerance=tolerance))["land"])
    south, west, north, east = window(bounds, margin=0)
    box = (west, _mercator(south), east, _mercator(north))
    raw = _raw_land(box)
    coast = shapely.union_all(shapely.boundary(raw))
    lons, lats = np.meshgrid(np.arange(124.0, 132.01, 0.2), np.arange(33.0, 43.01, 0.2))
    lons, lats = lons.ravel(), lats.ravel()
    ys = mercator_coords(np.column_stack([lons, lats]))[:, 1]
    on_raw = np.zeros(len(lons), dtype=bool)
    for polygon in raw:
        on_raw |= shapely.contains_xy(polygon, lons, ys)
    on_page = shapely.contains_xy(land, lons, lats)
    far = shapely.distance(coast, shapely.points(lons, ys)) > 3 * tolerance
    assert far.sum() > 1500 and 0.2 < on_raw[far].mean() < 0.8  # land and sea both checked
    wrong = np.flatnonzero(far & (on_raw != on_page))
    assert not len(wrong), list(zip(lats[wrong], lons[wrong], strict=True))


if __name__ == "__main__":
    import statistics
    import time

    import storymap.basemap as module

    def fresh(code: str) -> float:
        """Milliseconds that ``code`` takes in a new interpreter with numpy and shapely loaded."""
        script = (
            "import time, numpy, shapely\n"
            "t = time.perf_counter()\n"
            f"{code}\n"
            "print((time.perf_counter() - t) * 1000)"
        )
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        return float(run.stdout)

    rounds = 9
    load = [fresh("import storymap.basemap as b; b._topology()") for _ in range(rounds)]
    load_10m = [fresh("import storymap.basemap as b; b._topology('10m')") for _ in range(rounds)]
    load_water = [fresh("import storymap.basemap as b; b._water()") for _ in range(rounds)]
    load_towns = [fresh("import storymap.basemap as b; b._towns()") for _ in range(rounds)]
    tumen = [
        fresh(f"import storymap.basemap as b; b.basemap({[[42.3, 130.5], [42.5, 130.8]]!r})")
        for _ in range(rounds)
    ]
    cold = [fresh(f"import storymap.basemap as b; b.basemap({FLAGSHIP!r})") for _ in range(rounds)]
    warm, cached = [], []
    module.basemap(FLAGSHIP)
    for _ in range(rounds * 3):
        module.collection.cache_clear()
        t = time.perf_counter()
        module.basemap(FLAGSHIP)
        warm.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        module.basemap(FLAGSHIP)
        cached.append((time.perf_counter() - t) * 1000)

    def show(name: str, values: list[float]) -> None:
        print(f"{name:<46} median {statistics.median(values):6.1f} ms  min {min(values):6.1f} ms")

    show("load the data (new process)", load)
    show("load the 1:10m data (new process)", load_10m)
    show("load the water (new process)", load_water)
    show("load the towns (new process)", load_towns)
    show("load + clip the Tumen at 1:10m (new process)", tumen)
    show("load + clip the flagship (new process)", cold)
    show("clip the flagship, data loaded", warm)
    show("the flagship again (same arguments)", cached)
    import gzip

    text = compact(module.basemap(FLAGSHIP)).encode()
    print(f"flagship GeoJSON: {len(text):,} bytes, {len(gzip.compress(text, 9)):,} gzip -9")
    for kind, feature in by_kind(module.basemap(FLAGSHIP)).items():
        print(f"  {kind}: {len(compact(feature)):,} bytes")
    for path in (DATA, DATA_10M, WATER, TOWNS):
        print(f"data file {path.name}: {path.stat().st_size:,} bytes")
