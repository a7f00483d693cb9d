"""The picture of the journey as a compact inline SVG: the page's picture in print, where the
live map cannot go (:func:`print_map`).

The scene of :mod:`storymap.picture`, drawn at the size of a printed page's column, without the
title band (the page's own heading is just above it): coordinates in whole pixels, outlines
simplified to a pixel, each path's points after its first as relative moves; coasts are the
land's outline, stroked, rather than lines of their own. The same story gives the same text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from storymap.model import Route, Story
from storymap.picture import (
    BORDER,
    COAST,
    INK,
    LAND,
    OUTSIDE,
    RIVER,
    SEA,
    SHORE,
    STOP,
    Line,
    Scene,
    dash_array,
    description,
    numbers,
    scene,
)

SIZE = (720, 400)  # about a printed column's width, in CSS pixels
UNIT = 0.8  # a page's pixel in the picture: markers and lines a little smaller than on screen
PIXEL = 1.5  # outlines are simplified to this, in the picture's pixels (0.4 mm on paper)
OVERSCAN = 4  # the basemap runs this far past the picture's edges, in its pixels
# The least extent of water drawn, in pixels: lakes the page shows, and only long rivers, which
# would otherwise weigh more than everything else drawn.
SMALLEST = {"lake": 12, "river": 180}


@dataclass(frozen=True)
class PrintMap:
    """The picture's description (the figure's accessible name), its ``<svg>`` element, and
    the key of what the ``<svg>`` was drawn from (:func:`picture_key`)."""

    label: str
    svg: str
    key: str = ""


def print_map(
    story: Story, route: Route, *, basemap: bool = True, earlier: tuple[str, str] | None = None
) -> PrintMap:
    """The journey as an ``<svg>`` of :data:`SIZE`, with the offline basemap unless
    ``basemap`` is False, and what it shows in words.

    ``earlier`` is the key and ``<svg>`` of the picture in the page being replaced: when its
    key is this picture's, its ``<svg>`` is this one, and the basemap is not clipped again
    (which is most of a rebuild's work when only the text changed)."""
    key = picture_key(route, basemap)
    if earlier is not None and earlier[0] == key:
        return PrintMap(description(story), earlier[1], key)
    drawn = scene(
        story,
        route,
        SIZE,
        unit=UNIT,
        pixel=PIXEL,
        basemap=basemap,
        coasts=False,
        overscan=OVERSCAN,
        smallest=SMALLEST,
    )
    return PrintMap(description(story), svg(drawn), key)


def picture_key(route: Route, basemap: bool) -> str:
    """A digest of everything the picture's ``<svg>`` is drawn from: the route's bounds, paths
    and stops, the legs' colours and dashes, whether the basemap is drawn, the basemap's data
    and the code that draws it."""
    import hashlib
    import json

    looks = [[leg.mode.color, leg.mode.dash] for leg in route.legs]
    text = json.dumps(
        [route.bounds, route.paths, route.positions, looks, basemap, _code_digest()],
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@cache  # the files do not change while storymap runs; `watch` rebuilds many times
def _code_digest() -> str:
    """The digest of the offline map's data and code (as for the page's offline map), and of
    the code that makes the scene and writes it as SVG."""
    import hashlib

    from storymap import picture
    from storymap.render import _sources_digest

    digest = hashlib.sha1(_sources_digest().encode(), usedforsecurity=False)
    for path in (Path(picture.__file__), Path(__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def svg(drawn: Scene) -> str:
    """The scene as an ``<svg>`` element, hidden from assistive technology (the element that
    holds it carries its description)."""
    width, height = drawn.size
    unit = drawn.unit
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        'aria-hidden="true" focusable="false">',
        f'<rect width="{width}" height="{height}" fill="{OUTSIDE}"/>',
    ]
    if drawn.sea is not None:
        x0, y0, x1, y1 = (round(v) for v in drawn.sea)
        parts.append(f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="{SEA}"/>')
    land = _path([ring for polygon in drawn.land for ring in polygon], closed=True)
    if land:
        parts.append(
            f'<path fill="{LAND}" fill-rule="evenodd" stroke="{COAST[0]}" '
            f'stroke-width="{_n(COAST[1] * unit)}" d="{land}"/>'
        )
    lakes = _path([ring for polygon in drawn.lakes for ring in polygon], closed=True)
    if lakes:
        parts.append(
            f'<path fill="{SEA}" fill-rule="evenodd" stroke="{SHORE[0]}" '
            f'stroke-width="{_n(SHORE[1] * unit)}" d="{lakes}"/>'
        )
    lines = '<g fill="none" stroke-linecap="round" stroke-linejoin="round">'
    parts.append(lines)
    rivers = _path(drawn.rivers)
    if rivers:
        parts.append(_stroke(rivers, RIVER[0], RIVER[1] * unit, None))
    borders = _path(drawn.borders)
    if borders:
        parts.append(_stroke(borders, BORDER[0], BORDER[1] * unit, dash_array(BORDER[2], unit)))
    # One path per mode, a subpath per leg, the modes in the order the story first takes them.
    by_mode: dict[tuple, list[Line]] = {}
    for leg in drawn.legs:
        style = (leg.colour, leg.weight, leg.dash)
        by_mode.setdefault(style, []).append(_simplified(leg.points, PIXEL / 2))
    for (colour, weight, dash), lines in by_mode.items():
        d = _path(lines, dots=True)
        if d:
            parts.append(_stroke(d, colour, weight, dash))
    parts.append("</g>")
    parts.append(_stops(drawn))
    parts.append("</svg>")
    return "".join(parts)


def _stroke(d: str, colour: str, weight: float, dash: tuple[float, ...] | None) -> str:
    dashes = "" if dash is None else f' stroke-dasharray="{" ".join(_n(v) for v in dash)}"'
    return f'<path stroke="{colour}" stroke-width="{_n(weight)}"{dashes} d="{d}"/>'


def _stops(drawn: Scene) -> str:
    """A white-ringed dark pill with the stop's numbers, over a soft shadow, as on the page
    (the ring is the pill's stroke)."""
    unit = drawn.unit
    half_h = STOP * unit / 2
    ring = 2 * unit
    out = [
        f'<g font-family="system-ui,sans-serif" font-size="{_n(13 * unit)}" '
        f'font-weight="600" text-anchor="middle" fill="#fff" stroke-width="{_n(ring)}">'
    ]
    for stop in drawn.stops:
        x, y = stop.at
        label = numbers(stop.members, "–")
        half_w = max(STOP * unit, len(label) * 7.5 * unit + 12 * unit) / 2
        out.append(
            _pill(x, y + unit, half_w, half_h, 'fill="#9aa5b1"')
            + _pill(x, y, half_w - ring / 2, half_h - ring / 2, f'fill="{INK}" stroke="#fff"')
            + f'<text x="{_n(x)}" y="{_n(y + 4.5 * unit)}">{label}</text>'
        )
    out.append("</g>")
    return "".join(out)


def _pill(x: float, y: float, half_w: float, half_h: float, paint: str) -> str:
    return (
        f'<rect x="{_n(x - half_w)}" y="{_n(y - half_h)}" width="{_n(2 * half_w)}" '
        f'height="{_n(2 * half_h)}" rx="{_n(half_h)}" {paint}/>'
    )


def _n(value: float) -> str:
    """A number with one decimal at most, without a trailing ``.0``."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _path(parts: list[Line], *, closed: bool = False, dots: bool = False) -> str:
    """Path data for lines (or closed rings) in whole pixels: each part an absolute move, then
    relative lines, repeated points dropped; a ring reduced below three points, or a line below
    two, is left out, unless ``dots``: then a line within a pixel is a dot (a leg shorter than a
    pixel is still drawn, under its stops' marker)."""
    out: list[str] = []
    for part in parts:
        points: list[tuple[int, int]] = []
        for x, y in part:
            p = (round(x), round(y))
            if not points or p != points[-1]:
                points.append(p)
        if closed and len(points) > 1 and points[0] == points[-1]:
            points.pop()
        if dots and len(points) == 1:
            points.append(points[0])
        if len(points) < (3 if closed else 2):
            continue
        (x0, y0), rest = points[0], points[1:]
        moves = []
        px, py = x0, y0
        for x, y in rest:
            moves.append(_pair(x - px, y - py))
            px, py = x, y
        out.append(f"M{x0} {y0}l" + "".join(moves).lstrip(" ") + ("z" if closed else ""))
    return "".join(out)


def _simplified(points: Line, tolerance: float) -> Line:
    """A leg's points within ``tolerance`` pixels of it, as few as that allows (a long track
    has many more points than a picture shows)."""
    if len(points) < 3:
        return points
    import shapely

    return list(shapely.simplify(shapely.LineString(points), tolerance).coords)


def _pair(dx: int, dy: int) -> str:
    """A relative move, with a space before each number that needs one (not before a minus)."""
    return ("" if dx < 0 else " ") + str(dx) + ("" if dy < 0 else " ") + str(dy)
