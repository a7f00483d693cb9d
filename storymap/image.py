"""A picture of the whole journey, drawn without a browser: the offline basemap, each leg in its
mode's colour and dash, the numbered stops and the title, as a PNG (``storymap image``, and the
share card's ``og:image``).

The map is drawn as the page draws it: Web Mercator, the same basemap data
(:func:`storymap.basemap.basemap`) and colours, the journey framed with a margin. Longitudes are
those of the journey's frame, unwrapped along the way (:mod:`storymap.routes`), so a journey
across the 180° meridian is drawn in one piece. Everything is drawn at twice the size and scaled
down, for smooth edges; the font is the one that ships with Pillow, so the picture is the same
on every machine, and the same story gives the same bytes. Imports Pillow and numpy: import this
module lazily.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageDraw, ImageFont

from storymap.basemap import MAX_LAT, MAX_SPAN, MAX_ZOOM, _latitude, _mercator, basemap

if TYPE_CHECKING:
    from storymap.build import Journey

DEFAULT_SIZE = (1200, 630)  # the size of a share card (Open Graph, Twitter's large image)
MIN_SIDE, MAX_SIDE = 200, 4000  # pixels
SUPERSAMPLE = 2

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
BAND = "#ffffff"
STOP = 28  # a stop marker's diameter, in the page's pixels

_SIZE = re.compile(r"^\s*(\d{1,5})\s*[xX×]\s*(\d{1,5})\s*$")


def parse_size(text: str) -> tuple[int, int]:
    """``"1200x630"`` as (1200, 630); raises ValueError saying what is wrong."""
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a size; write WIDTHxHEIGHT in pixels, such as 1200x630")
    width, height = int(match.group(1)), int(match.group(2))
    for side in (width, height):
        if not MIN_SIDE <= side <= MAX_SIDE:
            raise ValueError(
                f"'{text}': each side must be from {MIN_SIDE} to {MAX_SIDE} pixels, not {side}"
            )
    return width, height


def journey_image(journey: Journey, size: tuple[int, int] = DEFAULT_SIZE) -> bytes:
    """The journey as a PNG of ``size`` (width, height) pixels: the same journey and size give
    the same bytes."""
    width, height = size
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ValueError(f"each side must be from {MIN_SIDE} to {MAX_SIDE} pixels, not {size}")
    story, route = journey.story, journey.route
    # How much larger than the page's pixels everything is drawn: 1 on a share card.
    k = max(0.6, min(width / DEFAULT_SIZE[0], height / DEFAULT_SIZE[1], 3.0))
    s = SUPERSAMPLE
    canvas = Image.new("RGB", (width * s, height * s), OUTSIDE)
    draw = ImageDraw.Draw(canvas)

    title_font = _font(round(30 * k * s))
    subtitle_font = _font(round(18 * k * s))
    pad = round(18 * k * s)
    band = pad * 2 + _line_height(title_font)
    if story.subtitle:
        band += round(6 * k * s) + _line_height(subtitle_font)

    frame = _Frame(route.bounds, (width * s, height * s - band), band, k * s)
    _draw_basemap(draw, frame, k * s)
    for leg, path in zip(route.legs, route.paths, strict=True):
        points = [frame.point(lat, lon) for lat, lon in path]
        _stroke(draw, points, leg.mode.color, LEG_WEIGHT * k * s, leg.mode.dash, k * s)
    _draw_stops(draw, frame, route.positions, k * s)

    draw.rectangle([0, 0, width * s, band], fill=BAND)
    draw.line([(0, band), (width * s, band)], fill="#d9dee3", width=max(1, round(k * s)))
    y = pad
    title = _fit(draw, story.title, title_font, width * s - 2 * pad)
    draw.text((pad, y), title, font=title_font, fill=INK)
    if story.subtitle:
        y += _line_height(title_font) + round(6 * k * s)
        subtitle = _fit(draw, story.subtitle, subtitle_font, width * s - 2 * pad)
        draw.text((pad, y), subtitle, font=subtitle_font, fill=MUTED)

    picture = canvas.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


class _Frame:
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

    def xy(self, lon: float, y: float) -> tuple[float, float]:
        """A point given by longitude and Mercator ordinate."""
        width, height = self.size
        return (
            width / 2 + (lon - self.cx) * self.scale,
            self.top + height / 2 - (y - self.cy) * self.scale,
        )

    def point(self, lat: float, lon: float) -> tuple[float, float]:
        return self.xy(lon, _mercator(lat))

    def ring(self, coords: Sequence[Sequence[float]]) -> list[tuple[float, float]]:
        """(lon, lat) points as canvas points."""
        import numpy as np

        array = np.asarray(coords, dtype=np.float64)
        lat = np.clip(array[:, 1], -MAX_LAT, MAX_LAT)
        y = np.degrees(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))
        width, height = self.size
        px = width / 2 + (array[:, 0] - self.cx) * self.scale
        py = self.top + height / 2 - (y - self.cy) * self.scale
        return list(zip(px.tolist(), py.tolist(), strict=True))


def _draw_basemap(draw: ImageDraw.ImageDraw, frame: _Frame, unit: float) -> None:
    west, east = frame.west, frame.east
    if east - west > MAX_SPAN - 2:  # wider than the basemap draws: its widest, in the middle
        west, east = frame.cx - MAX_SPAN / 2 + 1, frame.cx + MAX_SPAN / 2 - 1
    south, north = max(frame.south, -MAX_LAT + 0.01), min(frame.north, MAX_LAT - 0.01)
    tolerance = SUPERSAMPLE / frame.scale  # a pixel of the picture, as the page simplifies
    data = basemap([[south, west], [north, east]], margin=0.0, tolerance=tolerance)
    w, s, e, n = data["bbox"]
    x0, y0 = frame.xy(w, _mercator(n))
    x1, y1 = frame.xy(e, _mercator(s))
    draw.rectangle([x0, y0, x1, y1], fill=SEA)
    features = {f["properties"]["kind"]: f["geometry"]["coordinates"] for f in data["features"]}
    _fill(draw, frame, features.get("land", []), LAND, SEA)
    _fill(draw, frame, features.get("lake", []), SEA, LAND)
    for polygon in features.get("lake", []):
        for ring in polygon:
            _stroke(draw, frame.ring(ring), SHORE[0], SHORE[1] * unit, None, unit)
    for line in features.get("river", []):
        _stroke(draw, frame.ring(line), RIVER[0], RIVER[1] * unit, None, unit)
    for line in features.get("coast", []):
        _stroke(draw, frame.ring(line), COAST[0], COAST[1] * unit, None, unit)
    for line in features.get("border", []):
        _stroke(draw, frame.ring(line), BORDER[0], BORDER[1] * unit, BORDER[2], unit)


def _fill(draw: ImageDraw.ImageDraw, frame: _Frame, polygons: list, colour: str, hole: str) -> None:
    """Fill polygons (a shell, then holes), the largest first, so that an island inside
    another polygon's hole is drawn after that hole."""
    rings = [[frame.ring(ring) for ring in polygon] for polygon in polygons]
    rings.sort(key=lambda polygon: -_extent(polygon[0]))
    for shell, *holes in rings:
        if len(shell) >= 3:
            draw.polygon(shell, fill=colour)
        for ring in holes:
            if len(ring) >= 3:
                draw.polygon(ring, fill=hole)


def _extent(points: list[tuple[float, float]]) -> float:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (max(xs) - min(xs)) * (max(ys) - min(ys)) if points else 0.0


def _stroke(
    draw: ImageDraw.ImageDraw,
    points: list[tuple[float, float]],
    colour: str,
    weight: float,
    dash: str | None,
    unit: float,
) -> None:
    """A line with round caps and joins, dashed by an SVG dash array in the page's pixels."""
    if len(points) < 2:
        return
    width = max(1, round(weight))
    if dash is None:
        draw.line(points, fill=colour, width=width, joint="curve")
        _cap(draw, points[0], colour, weight)
        _cap(draw, points[-1], colour, weight)
        return
    for piece in _dashes(points, [float(v) * unit for v in dash.split()]):
        if len(piece) >= 2 and piece[0] != piece[-1]:
            draw.line(piece, fill=colour, width=width, joint="curve")
        _cap(draw, piece[0], colour, weight)
        _cap(draw, piece[-1], colour, weight)


def _cap(draw: ImageDraw.ImageDraw, at: tuple[float, float], colour: str, weight: float) -> None:
    if weight >= 3:
        r = weight / 2
        draw.ellipse([at[0] - r, at[1] - r, at[0] + r, at[1] + r], fill=colour)


def _dashes(points: list[tuple[float, float]], pattern: list[float]) -> list[list]:
    """The drawn pieces of a line under a dash pattern (on, off, on, off…), as SVG draws it."""
    if len(pattern) % 2:
        pattern = pattern * 2
    if sum(pattern) <= 0:
        return [points]
    pieces: list[list] = []
    k, left = 0, pattern[0]
    current: list | None = [points[0]]
    for (x0, y0), (x1, y1) in zip(points[:-1], points[1:], strict=True):
        length = math.hypot(x1 - x0, y1 - y0)
        done = 0.0
        while length - done > left:
            done += left
            t = done / length
            at = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
            if current is not None:  # a dash ends here
                current.append(at)
                pieces.append(current)
                current = None
            else:  # a gap ends here
                current = [at]
            k = (k + 1) % len(pattern)
            left = pattern[k]
        left -= length - done
        if current is not None:
            current.append((x1, y1))
    if current is not None and len(current) >= 2:
        pieces.append(current)
    return pieces


def _draw_stops(
    draw: ImageDraw.ImageDraw, frame: _Frame, positions: Sequence[tuple[float, float]], unit: float
) -> None:
    """A dark disc with a white number per stop, as on the page; stops closer than a marker's
    width are one marker naming them all ("3-4")."""
    size = STOP * unit
    groups: list[tuple[tuple[float, float], list[int]]] = []
    for n, (lat, lon) in enumerate(positions, start=1):
        at = frame.point(lat, lon)
        for head, members in groups:
            if math.hypot(at[0] - head[0], at[1] - head[1]) < size:
                members.append(n)
                break
        else:
            groups.append((at, [n]))
    font = _font(round(13 * unit))
    for (x, y), members in groups:
        label = _numbers(members)
        text_width = draw.textlength(label, font=font)
        half_w = max(size, text_width + 12 * unit) / 2
        half_h = size / 2
        shadow = 1 * unit
        draw.rounded_rectangle(
            [x - half_w, y - half_h + shadow, x + half_w, y + half_h + shadow],
            radius=half_h,
            fill="#9aa5b1",
        )
        draw.rounded_rectangle(
            [x - half_w, y - half_h, x + half_w, y + half_h], radius=half_h, fill="#ffffff"
        )
        ring = 2 * unit
        draw.rounded_rectangle(
            [x - half_w + ring, y - half_h + ring, x + half_w - ring, y + half_h - ring],
            radius=half_h - ring,
            fill=INK,
        )
        draw.text((x, y), label, font=font, fill="#ffffff", anchor="mm")


def _numbers(members: list[int]) -> str:
    """Stop numbers as the page writes a group: runs as "3-4" (the font has no en dash), others
    after commas."""
    members = sorted(members)
    runs: list[list[int]] = []
    for n in members:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def _font(size: int) -> Any:
    return ImageFont.load_default(size=max(size, 6))


def _line_height(font: Any) -> int:
    ascent, descent = font.getmetrics()
    return ascent + descent


def _fit(draw: ImageDraw.ImageDraw, text: str, font: Any, width: float) -> str:
    """``text`` on one line, cut with an ellipsis where it would be wider than ``width``."""
    text = " ".join(text.split())
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"
