"""Render a located story and its legs as one self-contained HTML page.

The page is a :class:`folium.Map` whose Leaflet, stylesheet and script are inlined
(Leaflet from XStatic-Leaflet, the story's own ``static/story.js`` and
``static/story.css``), plus one :class:`StoryLayer` element that hands the whole
story to the script as a single JSON blob. Everything shown is computed here; the
script only draws it, inserting text with ``textContent`` and Markdown as HTML that
:mod:`storymap.text` has already sanitized.

Ids are sequential while a page renders, so the same input gives the same bytes.
"""

from __future__ import annotations

import base64
import itertools
import mimetypes
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from storymap.model import MODES, Leg, Story
from storymap.text import date_label, hours_label, km_label, markdown_html

COORD_DIGITS = 5  # about a metre


def _read_package_text(*parts: str) -> str:
    return resources.files("storymap").joinpath(*parts).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def leaflet_assets() -> tuple[str, str]:
    """Leaflet's script and stylesheet, the images the stylesheet names inlined."""
    import xstatic.pkg.leaflet as leaflet

    base = Path(leaflet.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        data = (base / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode()})"

    css = re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)
    return js, css


@cache
def icon_svg(name: str) -> str:
    return _read_package_text("static", "icons", name).strip()


@contextmanager
def sequential_ids() -> Iterator[None]:
    """Give every branca element created inside the block an id from a counter."""
    from branca.element import Element

    counter = itertools.count(1)
    original = Element.__dict__["_generate_id"]
    Element._generate_id = classmethod(lambda cls: f"{next(counter):04d}")
    try:
        yield
    finally:
        Element._generate_id = original


def _round(value: float) -> float:
    return round(value, COORD_DIGITS)


def media_item(media: Any, base_dir: Path) -> dict[str, Any]:
    """A local image as a data URI; a remote one as a link, so the page loads nothing."""
    item = {"alt": media.alt, "caption": media.caption, "credit": media.credit}
    if re.match(r"^\s*https?:", media.src, re.IGNORECASE):
        return {**item, "kind": "link", "href": media.src.strip()}
    path = (base_dir / media.src).resolve()
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    data = base64.b64encode(path.read_bytes()).decode()
    return {**item, "kind": "image", "src": f"data:{mime};base64,{data}"}


def story_data(story: Story, legs: tuple[Leg, ...], bounds: list[list[float]]) -> dict[str, Any]:
    """Everything the page shows, as plain JSON-able values."""
    from storymap.routes import chapter_positions

    base_dir = story.path.parent if story.path else Path.cwd()
    legs_by_chapter = {leg.index: leg for leg in legs}
    positions = chapter_positions(story, legs)  # longitudes continuous with the lines
    chapters = []
    for n, chapter in enumerate(story.chapters):
        place = story.place_of(chapter)
        lat, lon = positions[n]
        leg = legs_by_chapter.get(n)
        chapters.append(
            {
                "id": chapter.id,
                "n": n + 1,
                "title": chapter.title,
                "date": date_label(chapter.date),
                "html": markdown_html(chapter.text),
                "place": {
                    "id": place.id,
                    "name": place.name,
                    "lat": _round(lat),
                    "lon": _round(lon),
                },
                "media": [media_item(m, base_dir) for m in chapter.media],
                "leg": _leg_data(story, leg) if leg else None,
            }
        )
    used = list(dict.fromkeys(leg.mode.name for leg in legs))  # in story order
    total_km = sum(leg.length_km for leg in legs)
    return {
        "title": story.title,
        "subtitle": story.subtitle,
        "byline": story.byline,
        "date": date_label(story.date),
        "intro": markdown_html(story.intro),
        "sources": [{"title": s.title, "url": s.url} for s in story.sources],
        "bounds": [[_round(a), _round(b)] for a, b in bounds],
        "total": km_label(total_km) if legs else None,
        "modes": [
            {
                "name": name,
                "label": MODES[name].label,
                "color": MODES[name].color,
                "dash": MODES[name].dash,
                "icon": icon_svg(MODES[name].icon),
            }
            for name in used
        ],
        "chapters": chapters,
    }


def _leg_data(story: Story, leg: Leg) -> dict[str, Any]:
    from storymap.routes import to_latlon

    speed = leg.speed_kmh
    return {
        "mode": leg.mode.name,
        "from": story.places[leg.start].name,
        "km": round(leg.length_km, 3),
        "distance": km_label(leg.length_km),
        "duration": hours_label(leg.duration_h),
        "speed": f"{speed:,.0f} km/h"
        if speed and speed >= 10
        else (f"{speed:.1f} km/h" if speed else None),
        "path": [[_round(c) for c in to_latlon(x, y)] for x, y in leg.line.coords],
    }


def build_map(story: Story, legs: tuple[Leg, ...], *, tiles: str | None = None) -> Any:
    """The folium map of the story: tiles, and the story layer that draws everything else."""
    from storymap.elements import StoryFigure, StoryLayer, StoryMap, StoryTiles
    from storymap.routes import journey_bounds
    from storymap.tiles import provider

    bounds = journey_bounds(story, legs)
    figure = StoryFigure(title=story.title)
    fmap = StoryMap(
        location=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
        zoom_start=4,
        tiles=None,
        control_scale=True,
        zoom_control="topright",
    )
    figure.add_child(fmap)
    if tiles is not None:
        StoryTiles(provider(tiles), name=tiles, control=False).add_to(fmap)
    js, css = leaflet_assets()
    fmap.add_child(
        StoryLayer(
            story_data(story, legs, bounds),
            scripts=(js, _read_package_text("static", "story.js")),
            styles=(css, _read_package_text("static", "story.css")),
        )
    )
    return fmap


def render(story: Story, legs: tuple[Leg, ...], *, tiles: str | None = None) -> str:
    """The page as a string. ``tiles`` is an xyzservices name, or None for no tiles."""
    with sequential_ids():
        fmap = build_map(story, legs, tiles=tiles)
        return fmap.get_root().render()
