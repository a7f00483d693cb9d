"""GPX route files are read by their structure (storymap.tracks)."""

import math
from pathlib import Path

import numpy as np
import pytest

from storymap import tracks
from storymap.tracks import TrackError, read_track

GPX11 = "http://www.topografix.com/GPX/1/1"
GPX10 = "http://www.topografix.com/GPX/1/0"
HINT = "give a GeoJSON LineString or a GPX track"

# A 2.3 km push over the bridge, as three points (lon, lat).
BRIDGE = [(130.6279, 42.4134), (130.6388, 42.4235), (130.6462, 42.4296)]
FAR = '<trkpt lat="-42.4" lon="-49.4"/>'  # the other side of the world


def trkpts(points=BRIDGE) -> str:
    return "".join(f'<trkpt lat="{lat}" lon="{lon}"><ele>1</ele></trkpt>' for lon, lat in points)


def gpx(body: str, ns: str = GPX11, head: str = '<?xml version="1.0" encoding="UTF-8"?>\n') -> str:
    xmlns = f' xmlns="{ns}"' if ns else ""
    return f'{head}<gpx version="1.1" creator="t"{xmlns}>\n{body}\n</gpx>\n'


def read(tmp_path: Path, text: str, name: str = "track.gpx"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_track(path, name)


def problem(tmp_path: Path, text: str) -> str:
    with pytest.raises(TrackError) as caught:
        read(tmp_path, text)
    return str(caught.value)


def km(points) -> float:
    total = 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        a = (
            math.sin(math.radians(y2 - y1) / 2) ** 2
            + math.cos(math.radians(y1))
            * math.cos(math.radians(y2))
            * math.sin(math.radians(x2 - x1) / 2) ** 2
        )
        total += 2 * 6371 * math.asin(math.sqrt(a))
    return total


@pytest.mark.parametrize(
    "hidden",
    [
        pytest.param(f"<!-- an old point: {FAR} -->", id="comment"),
        pytest.param(f"<desc><![CDATA[{FAR}]]></desc>", id="cdata"),
        pytest.param(
            '<extensions><x:trkpt xmlns:x="https://example.com/x" lat="-42.4" lon="-49.4"/>'
            "</extensions>",
            id="foreign-extensions",
        ),
        pytest.param(
            f'<extensions><other xmlns="https://example.com/y">{FAR}</other></extensions>',
            id="foreign-default-namespace",
        ),
        pytest.param(f"<extensions>{FAR}</extensions>", id="gpx-extensions"),
    ],
)
def test_points_outside_the_track_structure_are_not_points(tmp_path, hidden):
    first, rest = trkpts(BRIDGE[:1]), trkpts(BRIDGE[1:])
    text = gpx(f"<trk><trkseg>{first}{hidden}{rest}</trkseg></trk>")
    points = read(tmp_path, text)
    assert points == BRIDGE
    assert 1.5 < km(points) < 2.5  # not 20,000 km by way of the South Atlantic


def test_points_in_the_wrong_place_are_not_points(tmp_path):
    body = (
        f"<trk>{FAR}<trkseg>{trkpts()}</trkseg></trk>"  # a trkpt outside a segment
        f"<extensions><trk><trkseg>{FAR}</trkseg></trk></extensions>"  # a track in extensions
        f"<metadata><rte>{FAR.replace('trkpt', 'rtept')}</rte></metadata>"
    )
    assert read(tmp_path, gpx(body)) == BRIDGE


def test_the_extensions_of_a_point_are_skipped(tmp_path):
    point = (
        '<trkpt lat="42.4134" lon="130.6279"><ele>1</ele><time>2021-02-25T10:00:00Z</time>'
        '<extensions><g:TrackPointExtension xmlns:g="https://example.com/g"><g:hr>90</g:hr>'
        '<g:trkpt lat="-42.4" lon="-49.4"/></g:TrackPointExtension></extensions></trkpt>'
    )
    assert read(tmp_path, gpx(f"<trk><trkseg>{point}{trkpts(BRIDGE[1:])}</trkseg></trk>")) == (
        BRIDGE
    )


def test_a_point_inside_a_point_is_refused(tmp_path):
    inner = f'<trkpt lat="42.4134" lon="130.6279">\n{FAR}\n</trkpt>'
    assert problem(tmp_path, gpx(f"<trk><trkseg>{inner}{trkpts()}</trkseg></trk>")) == (
        "route file 'track.gpx' has a point inside a point (line 5); GPX points hold no other "
        f"point; {HINT}"
    )


@pytest.mark.parametrize(
    ("ns", "prefix"),
    [(GPX11, ""), (GPX10, ""), ("", ""), (GPX11, "g:")],
    ids=["gpx-1.1", "gpx-1.0", "no-namespace", "prefixed"],
)
def test_gpx_1_0_and_1_1(tmp_path, ns, prefix):
    body = trkpts().replace("<trkpt", f"<{prefix}trkpt").replace("</trkpt", f"</{prefix}trkpt")
    body = body.replace("<ele", f"<{prefix}ele").replace("</ele", f"</{prefix}ele")
    text = (
        f'<{prefix}gpx version="1.0" creator="t" xmlns{":g" if prefix else ""}="{ns}">'
        f"<{prefix}trk><{prefix}trkseg>{body}</{prefix}trkseg></{prefix}trk></{prefix}gpx>"
    )
    if not ns:
        text = text.replace(' xmlns=""', "")
    assert read(tmp_path, text) == BRIDGE


def test_tracks_of_another_namespace_than_the_root_s_are_not_points(tmp_path):
    body = f'<trk xmlns="{GPX10}"><trkseg>{FAR}{FAR}</trkseg></trk><trk><trkseg>{trkpts()}'
    assert read(tmp_path, gpx(body + "</trkseg></trk>")) == BRIDGE


def test_all_tracks_and_segments_in_order(tmp_path):
    body = (
        f"<trk><trkseg>{trkpts(BRIDGE[:1])}</trkseg><trkseg>{trkpts(BRIDGE[1:2])}</trkseg></trk>"
        f"<trk><name>b</name><trkseg>{trkpts(BRIDGE[2:])}</trkseg></trk>"
    )
    assert read(tmp_path, gpx(body)) == BRIDGE


def test_route_points_when_there_is_no_track(tmp_path):
    rtepts = trkpts().replace("trkpt", "rtept")
    assert read(tmp_path, gpx(f'<wpt lat="1" lon="2"/><rte>{rtepts}</rte>')) == BRIDGE
    backwards = trkpts(BRIDGE[::-1]).replace("trkpt", "rtept")
    both = gpx(f"<rte>{backwards}</rte><trk><trkseg>{trkpts()}</trkseg></trk>")
    assert read(tmp_path, both) == BRIDGE  # the track wins


def test_a_plain_document_type_is_read(tmp_path):
    text = gpx(f"<trk><trkseg>{trkpts()}</trkseg></trk>", head="<!DOCTYPE gpx>\n")
    assert read(tmp_path, text) == BRIDGE


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE gpx [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{k} "{("&lol" + (str(k - 1) if k > 1 else "") + ";") * 10}">\n'
        for k in range(1, 10)
    )
    + f']>\n<gpx xmlns="{GPX11}"><trk><name>&lol9;</name><trkseg>{trkpts()}</trkseg></trk></gpx>\n'
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            BILLION_LAUGHS,
            "declares an entity ('lol', line 3); entities are refused, never expanded",
            id="billion-laughs",
        ),
        pytest.param(
            '<!DOCTYPE gpx [<!ENTITY here SYSTEM "file:///etc/passwd">]>\n'
            + gpx("<trk><name>&here;</name></trk>", head=""),
            "declares an entity ('here', line 1); entities are refused, never expanded",
            id="external-entity",
        ),
        pytest.param(
            '<!DOCTYPE gpx [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>\n'
            + gpx("", head=""),
            "declares an entity ('p', line 1); entities are refused, never expanded",
            id="parameter-entity",
        ),
        pytest.param(
            '<!DOCTYPE gpx SYSTEM "http://127.0.0.1:9/gpx.dtd">\n' + gpx("", head=""),
            "names an external document type ('http://127.0.0.1:9/gpx.dtd'), never read",
            id="external-dtd",
        ),
        pytest.param(
            gpx("<trk><name>&undefined;</name></trk>"),
            "is not valid GPX (undefined entity: line 3, column 11)",
            id="undefined-entity",
        ),
    ],
)
def test_entities_and_external_references_are_refused(tmp_path, text, message):
    assert problem(tmp_path, text) == f"route file 'track.gpx' {message}; {HINT}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            gpx(f"<trk><trkseg>{trkpts()}</trkseg>\n</trk"),
            f"is not valid GPX (not well-formed (invalid token): line 5, column 0); {HINT}",
            id="malformed",
        ),
        pytest.param(
            gpx(f"<trk><trkseg>{trkpts()}</trkseg>"),
            f"is not valid GPX (mismatched tag: line 4, column 2); {HINT}",
            id="cut-short",
        ),
        pytest.param(
            f'<kml xmlns="http://www.opengis.net/kml/2.2">{trkpts()}</kml>',
            "is not GPX (its root is <{http://www.opengis.net/kml/2.2}kml>); " + HINT,
            id="not-gpx",
        ),
        pytest.param(
            gpx(f'<trk><trkseg>{trkpts()}\n<trkpt lat="north" lon="130"/></trkseg></trk>'),
            "has a point without a usable lat and lon at point 3, line 4 "
            "(lat='north', lon='130'); give lat and lon attributes in degrees",
            id="bad-coordinate",
        ),
        pytest.param(
            gpx(f'<trk><trkseg>\n\n<trkpt lon="130"/>{trkpts()}</trkseg></trk>'),
            "has a point without a usable lat and lon at point 0, line 5 "
            "(lat=None, lon='130'); give lat and lon attributes in degrees",
            id="no-lat",
        ),
        pytest.param(
            gpx(f'<rte>{trkpts().replace("trkpt", "rtept")}\n<rtept lat="nan" lon="1"/></rte>'),
            "has a position that is not a number at point 3, line 4",
            id="nan",
        ),
        pytest.param(
            gpx('<trk><trkseg><trkpt lat="130.6" lon="42.4"/></trkseg></trk>'),
            "has a position out of range at point 0, line 3 (lon 42.4, lat 130.6); positions "
            "are lat and lon attributes, with lon from -180 to 180 and lat from -90 to 90; "
            "are latitude and longitude swapped?",
            id="swapped",
        ),
        pytest.param(
            gpx(f"<!-- {FAR}{FAR} --><trk><trkseg></trkseg></trk>"),
            "has no track or route points; give a <trk> or a <rte>",
            id="only-in-a-comment",
        ),
    ],
)
def test_problems_name_the_file_and_line(tmp_path, text, message):
    assert problem(tmp_path, text) == f"route file 'track.gpx' {message}"


def long_track(n: int) -> tuple[str, np.ndarray]:
    lat = 42 + np.arange(n) * 1e-5
    lon = 130 + np.arange(n) * 2e-5
    lines = "".join(
        f'<trkpt lon="{x:.5f}" lat="{y:.5f}"><ele>3</ele><time>t</time></trkpt>\n'
        if k % 3 == 0
        else f'<trkpt lat="{y:.5f}" lon="{x:.5f}"/>\n'
        for k, (x, y) in enumerate(zip(lon, lat, strict=True))
    )
    return gpx(f"<trk><trkseg>\n{lines}</trkseg></trk>"), np.column_stack((lon, lat))


def test_a_long_track_across_many_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(tracks, "_GPX_CHUNK", 1000)  # parts of a point end up in two chunks
    text, expected = long_track(5000)
    points = read(tmp_path, text)
    assert isinstance(points, np.ndarray) and points.shape == (5000, 2)
    assert np.allclose(points, expected, atol=1e-9)
    bad = text.replace('lat="42.04000"', 'lat="4x"')
    assert problem(tmp_path, bad).startswith(
        "route file 'track.gpx' has a point without a usable lat and lon at point 4000, "
        "line 4004 (lat='4x'"
    )


def test_too_many_points_stop_the_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(tracks, "_GPX_CHUNK", 1000)
    monkeypatch.setattr(tracks, "MAX_ROUTE_POINTS", 100)
    text, _ = long_track(5000)
    message = problem(tmp_path, text)
    assert message.startswith("route file 'track.gpx' has more than 100 points by line ")
    assert message.endswith("; a route may have at most 100: thin the track with a GPS tool first")
    line = int(message.split("by line ")[1].split(";")[0])
    assert 100 < line < 200  # stopped soon after the limit, not at the end of the file
