"""The picture of the whole journey as a PNG (``storymap image``, and the share card's
``og:image``): the scene of :mod:`storymap.picture` (the offline basemap, each leg in its
mode's colour and dash, the numbered stops) drawn with Pillow, below a band with the title.

Everything is drawn at twice the size and scaled down, for smooth edges; the fonts ship with
storymap (DejaVu Sans, cut to the scripts of :data:`FONT_RANGES`), so the picture is the same
on every machine, and the same story gives the same bytes. Imports Pillow and numpy: import
this module lazily.
"""

from __future__ import annotations

import io
import math
import re
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageDraw, ImageFont

from storymap.picture import (
    BORDER,
    COAST,
    INK,
    LAND,
    MUTED,
    OUTSIDE,
    RIVER,
    SEA,
    SHORE,
    STOP,
    Polygon,
    Scene,
    dash_array,
    numbers,
    scene,
)

if TYPE_CHECKING:
    from storymap.build import Journey

__all__ = ["DEFAULT_SIZE", "LAND", "SEA", "journey_image", "parse_size"]

DEFAULT_SIZE = (1200, 630)  # the size of a share card (Open Graph, Twitter's large image)
MIN_SIDE, MAX_SIDE = 200, 4000  # pixels
SUPERSAMPLE = 2
BAND = "#ffffff"

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

    title_font = _font(round(30 * k * s), "bold")
    subtitle_font = _font(round(18 * k * s))
    pad = round(18 * k * s)
    band = pad * 2 + _line_height(title_font)
    if story.subtitle:
        band += round(6 * k * s) + _line_height(subtitle_font)

    drawn = scene(story, route, (width * s, height * s), top=band, unit=k * s, pixel=s)
    _draw_basemap(draw, drawn)
    for leg in drawn.legs:
        _stroke(draw, leg.points, leg.colour, leg.weight, leg.dash)
    _draw_stops(draw, drawn)

    draw.rectangle([0, 0, width * s, band], fill=BAND)
    draw.line([(0, band), (width * s, band)], fill="#d9dee3", width=max(1, round(k * s)))
    y = pad
    # The title band begins where the story's language begins a line: the right in Arabic.
    from storymap.i18n import language

    rtl = language(story.lang).dir == "rtl"
    x, anchor = (width * s - pad, "ra") if rtl else (pad, "la")
    title = _fit(draw, _drawable(story.title), title_font, width * s - 2 * pad)
    draw.text((x, y), title, font=title_font, fill=INK, anchor=anchor)
    if story.subtitle:
        y += _line_height(title_font) + round(6 * k * s)
        subtitle = _fit(draw, _drawable(story.subtitle), subtitle_font, width * s - 2 * pad)
        draw.text((x, y), subtitle, font=subtitle_font, fill=MUTED, anchor=anchor)

    picture = canvas.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _draw_basemap(draw: ImageDraw.ImageDraw, drawn: Scene) -> None:
    if drawn.sea is None:
        return
    unit = drawn.unit
    draw.rectangle(list(drawn.sea), fill=SEA)
    _fill(draw, drawn.land, LAND, SEA)
    _fill(draw, drawn.lakes, SEA, LAND)
    for polygon in drawn.lakes:
        for ring in polygon:
            _stroke(draw, ring, SHORE[0], SHORE[1] * unit, None)
    for line in drawn.rivers:
        _stroke(draw, line, RIVER[0], RIVER[1] * unit, None)
    for line in drawn.coasts:
        _stroke(draw, line, COAST[0], COAST[1] * unit, None)
    dash = dash_array(BORDER[2], unit)
    for line in drawn.borders:
        _stroke(draw, line, BORDER[0], BORDER[1] * unit, dash)


def _fill(draw: ImageDraw.ImageDraw, polygons: list[Polygon], colour: str, hole: str) -> None:
    """Fill polygons (a shell, then holes), the largest first, so that an island inside
    another polygon's hole is drawn after that hole."""
    rings = sorted(polygons, key=lambda polygon: -_extent(polygon[0]))
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
    dash: tuple[float, ...] | None,
) -> None:
    """A line with round caps and joins, dashed by an SVG dash array in canvas pixels."""
    if len(points) < 2:
        return
    width = max(1, round(weight))
    if dash is None:
        draw.line(points, fill=colour, width=width, joint="curve")
        _cap(draw, points[0], colour, weight)
        _cap(draw, points[-1], colour, weight)
        return
    for piece in _dashes(points, list(dash)):
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


def _draw_stops(draw: ImageDraw.ImageDraw, drawn: Scene) -> None:
    """A dark disc with a white number per stop, as on the page; stops closer than a marker's
    width are one marker naming them all ("3–4")."""
    unit = drawn.unit
    size = STOP * unit
    font = _font(round(12 * unit), "bold")
    for stop in drawn.stops:
        (x, y), label = stop.at, numbers(stop.members, "–")
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


# The picture's fonts: DejaVu Sans cut to these scripts (tools/make_fonts.py), shipped in
# storymap/data/fonts/ so that every machine draws the same letters.
FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
FONT_RANGES = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x024F),  # Latin-1, Latin Extended-A and -B
    (0x0250, 0x036F),  # IPA, spacing modifiers (ʻ ʼ), combining diacritics
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x052F),  # Cyrillic and its supplement
    (0x0530, 0x058F),  # Armenian
    (0x0590, 0x05FF),  # Hebrew
    (0x0600, 0x06FF),  # Arabic
    (0x10A0, 0x10FF),  # Georgian
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese)
    (0x2000, 0x206F),  # General Punctuation (– — ‘ ’ “ ” …)
    (0x20A0, 0x20CF),  # currency signs
    (0x2100, 0x215F),  # letterlike symbols, number forms
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators (− × ≈)
    (0xFB1D, 0xFB4F),  # Hebrew presentation forms
    (0xFB50, 0xFDFF),  # Arabic presentation forms A
    (0xFE70, 0xFEFF),  # Arabic presentation forms B
)


def _font(size: int, weight: str = "regular") -> Any:
    from importlib import resources

    path = resources.files("storymap").joinpath("data", "fonts", FONT_FILES[weight])
    with resources.as_file(path) as file:
        return ImageFont.truetype(str(file), size=max(size, 6))


def _drawable(text: str) -> str:
    """``text`` without the letters the fonts lack (which would be drawn as empty boxes)."""
    lacking = missing_letters(text)
    return "".join(ch for ch in text if ch not in lacking) if lacking else text


def missing_letters(text: str) -> str:
    """The letters of ``text`` the picture's fonts do not have, each once, in order."""
    seen = dict.fromkeys(
        ch
        for ch in text
        if not ch.isspace() and not any(lo <= ord(ch) <= hi for lo, hi in FONT_RANGES)
    )
    return "".join(seen)


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
