"""The picture of the whole journey as a scene: what to draw and where, in a canvas's pixels,
for a back end to draw: the PNG of :mod:`storymap.image` (``storymap image``, the share card)
and the SVG of :mod:`storymap.svg` (the page's picture in print).

The map is drawn as the page draws it: Web Mercator, the same basemap data
(:func:`storymap.basemap.collection`) and colours, the journey framed with a margin. Longitudes
are those of the journey's frame, unwrapped along the way (:mod:`storymap.routes`), so a
journey across the 180° meridian is drawn in one piece. Needs numpy, not Pillow.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from storymap.basemap import MAX_LAT, MAX_SPAN, MAX_ZOOM, _latitude, _mercator
from storymap.model import Route, Story

# The page's colours (storymap/static/js/30-basemap.js, 40-layers.js and story.css).
OUTSIDE = "#eef1f4"  # beyond the basemap's window: neither land nor sea
SEA = "#d4e4ef"
LAND = "#f1eee4"
RIVER = ("#7fb0d3", 1.6)
SHORE = ("#7fa7c4", 0.8)
COAST = ("#6f93ad", 1.0)
BORDER = ("#7d6b8f", 1.3, "5 3")
LEG_WEIGHT = 4
INK = "#1f2933"
MUTED = "#52606d"
STOP = 28  # a stop marker's diameter, in the page's pixels

Point = tuple[float, float]
Line = list[Point]
Polygon = list[Line]  # a shell, then its holes


@dataclass(frozen=True)
class Stroke:
    """A leg: its points, colour, width and dash array (SVG's, in canvas pixels), or None."""

    points: Line
    colour: str
    weight: float
    dash: tuple[float, ...] | None


@dataclass(frozen=True)
class Stop:
    """A stop's marker: where, and the stop numbers it stands for (more than one for stops
    closer than a marker's width)."""

    at: Point
    members: tuple[int, ...]


@dataclass(frozen=True)
class Scene:
    """Everything a back end draws, in the canvas's pixels, in drawing order: the window of
    the basemap (``sea``, a box; None without one) on the ``OUTSIDE`` colour, land, lakes,
    rivers, coasts, borders, the legs and the stops. ``unit`` is the size of a page's pixel on
    the canvas (a stop is ``STOP * unit`` wide); ``top`` is where the map begins, below a band
    the back end fills."""

    size: tuple[int, int]
    top: int
    unit: float
    sea: tuple[float, float, float, float] | None
    land: list[Polygon]
    lakes: list[Polygon]
    rivers: list[Line]
    coasts: list[Line]
    borders: list[Line]
    legs: list[Stroke]
    stops: list[Stop]


def scene(
    story: Story,
    route: Route,
    size: tuple[int, int],
    *,
    top: int = 0,
    unit: float = 1.0,
    pixel: float = 1.0,
    basemap: bool = True,
    coasts: bool = True,
    overscan: float = 0.0,
    smallest: dict[str, float] | None = None,
) -> Scene:
    """The journey drawn on a canvas of ``size`` (width, height) below ``top``.

    ``unit`` is a page's pixel and ``pixel`` a pixel of the finished picture, in canvas pixels
    (a back end that draws larger and scales down has ``pixel`` > 1): outlines are simplified
    to a ``pixel``. With ``coasts`` the coasts are lines of their own, clipped to the canvas;
    without, the back end draws them along the land's outline, and the basemap is clipped
    ``overscan`` canvas pixels past each side of the canvas so that the outline along the
    clip's edges lies outside it. Without ``basemap`` only the journey is drawn. ``smallest``
    leaves out lakes and pieces of river whose larger side is below its ``"lake"`` or
    ``"river"``, in canvas pixels.
    """
    width, height = size
    frame = Frame(route.bounds, (width, height - top), top, unit)
    found: dict[str, list] = {}
    sea = None
    if basemap:
        sea, found = _basemap(frame, pixel / frame.scale, coasts, overscan / frame.scale)
    legs = [
        Stroke(
            [frame.point(lat, lon) for lat, lon in path],
            leg.mode.color,
            LEG_WEIGHT * unit,
            dash_array(leg.mode.dash, unit),
        )
        for leg, path in zip(route.legs, route.paths, strict=True)
    ]

    def lines(kind: str) -> list[Line]:
        return [frame.ring(line) for line in found.get(kind, [])]

    def polygons(kind: str) -> list[Polygon]:
        return [[frame.ring(ring) for ring in polygon] for polygon in found.get(kind, [])]

    lakes, rivers = polygons("lake"), lines("river")
    if smallest:
        lakes = [p for p in lakes if _side(p[0]) >= smallest.get("lake", 0)]
        rivers = [r for r in rivers if _side(r) >= smallest.get("river", 0)]
    return Scene(
        size=(width, height),
        top=top,
        unit=unit,
        sea=sea,
        land=polygons("land"),
        lakes=lakes,
        rivers=rivers,
        coasts=lines("coast"),
        borders=lines("border"),
        legs=legs,
        stops=_stops(frame, route.positions, STOP * unit),
    )


class Frame:
    """Web Mercator onto the canvas: the journey's bounds framed in an area of ``size`` below
    ``top``, with a margin, no closer than the page ever frames (zoom 10)."""

    def __init__(self, bounds: list[list[float]], size: tuple[int, int], top: int, unit: float):
        (south, west), (north, east) = bounds
        width, height = size
        self.top = top
        margin = max(0.1 * min(width, height), 1.5 * STOP * unit)
        x0, x1 = west, east
        y0, y1 = _mercator(south), _mercator(north)
        fit_w = max(width - 2 * margin, 1) / max(x1 - x0, 1e-9)
        fit_h = max(height - 2 * margin, 1) / max(y1 - y0, 1e-9)
        closest = 256 * 2**MAX_ZOOM / 360 * unit  # canvas pixels per degree at zoom 10
        self.scale = min(fit_w, fit_h, closest)
        self.cx, self.cy = (x0 + x1) / 2, (y0 + y1) / 2
        self.size = size
        half_w, half_h = width / 2 / self.scale, height / 2 / self.scale
        self.west, self.east = self.cx - half_w, self.cx + half_w
        self.south = _latitude(self.cy - half_h)
        self.north = _latitude(self.cy + half_h)

    def xy(self, lon: float, y: float) -> Point:
        """A point given by longitude and Mercator ordinate."""
        width, height = self.size
        return (
            width / 2 + (lon - self.cx) * self.scale,
            self.top + height / 2 - (y - self.cy) * self.scale,
        )

    def point(self, lat: float, lon: float) -> Point:
        return self.xy(lon, _mercator(lat))

    def ring(self, coords: Sequence[Sequence[float]]) -> Line:
        """(lon, lat) points as canvas points."""
        import numpy as np

        array = np.asarray(coords, dtype=np.float64)
        lat = np.clip(array[:, 1], -MAX_LAT, MAX_LAT)
        y = np.degrees(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))
        width, height = self.size
        px = width / 2 + (array[:, 0] - self.cx) * self.scale
        py = self.top + height / 2 - (y - self.cy) * self.scale
        return list(zip(px.tolist(), py.tolist(), strict=True))


def _basemap(
    frame: Frame, tolerance: float, coasts: bool, overscan: float
) -> tuple[tuple[float, float, float, float], dict[str, list]]:
    """The basemap's window as a canvas box, and its features' coordinates by kind."""
    from storymap.basemap import _bounds, collection

    west, east = frame.west - overscan, frame.east + overscan
    if east - west > MAX_SPAN - 2:  # wider than the basemap draws: its widest, in the middle
        west, east = frame.cx - MAX_SPAN / 2 + 1, frame.cx + MAX_SPAN / 2 - 1
    south, north = frame.south, frame.north
    if overscan:
        south = _latitude(_mercator(max(south, -MAX_LAT)) - overscan)
        north = _latitude(_mercator(min(north, MAX_LAT)) + overscan)
    south, north = max(south, -MAX_LAT + 0.01), min(north, MAX_LAT - 0.01)
    s, w, n, e = _bounds([[south, west], [north, east]])
    data = collection(s, w, n, e, 0.0, float(tolerance), None, coasts)
    bw, bs, be, bn = data["bbox"]
    x0, y0 = frame.xy(bw, _mercator(bn))
    x1, y1 = frame.xy(be, _mercator(bs))
    features = {f["properties"]["kind"]: f["geometry"]["coordinates"] for f in data["features"]}
    return (x0, y0, x1, y1), features


def dash_array(dash: str | None, unit: float) -> tuple[float, ...] | None:
    """An SVG dash array in the page's pixels (``"5 3"``) in canvas pixels."""
    return None if dash is None else tuple(float(v) * unit for v in dash.split())


def _side(points: Line) -> float:
    """The larger side of the box around ``points``."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return max(max(xs) - min(xs), max(ys) - min(ys)) if points else 0.0


def _stops(frame: Frame, positions: Sequence[tuple[float, float]], size: float) -> list[Stop]:
    """A marker per stop, in story order; stops closer than a marker's width are one marker
    naming them all, where the first of them is."""
    groups: list[tuple[Point, list[int]]] = []
    for n, (lat, lon) in enumerate(positions, start=1):
        at = frame.point(lat, lon)
        for head, members in groups:
            if math.hypot(at[0] - head[0], at[1] - head[1]) < size:
                members.append(n)
                break
        else:
            groups.append((at, [n]))
    return [Stop(at, tuple(members)) for at, members in groups]


def numbers(members: Sequence[int], dash: str = "-") -> str:
    """Stop numbers as the page writes a group: runs as "3-4" (with ``dash``), others after
    commas."""
    runs: list[list[int]] = []
    for n in sorted(members):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}{dash}{r[-1]}" for r in runs)


def description(story: Story) -> str:
    """What the picture shows, in words, in the story's language: "Map of the journey:
    Pyongyang to Moscow, 6 stops"."""
    from storymap.i18n import language

    lang = language(story.lang, story.units)
    names = [story.place_of(chapter).name for chapter in story.chapters]
    count = len(names)
    where = names[0]
    if count > 1:
        first, last = names[0], names[-1]
        where = (
            lang.t("picture_round", first=first)
            if first == last
            else lang.t("picture_where", first=first, last=last)
        )
    stops = lang.t("picture_stops", count=count)
    return lang.t("picture_label", map=lang.t("map_label"), where=where, stops=stops)
