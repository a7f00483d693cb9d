"""Render a located story and its legs as one self-contained HTML page.

The page is a :class:`folium.Map` whose Leaflet, stylesheet and script are inlined
(Leaflet from XStatic-Leaflet, the story's own script, ``static/js/*.js`` in order,
and ``static/story.css``), plus one :class:`StoryLayer` element that puts the story's
text in the page as HTML (:func:`story_html`, readable without the script) and hands
the script what the map needs as one JSON blob (:func:`story_data`). Everything shown
is computed here; the script shows the HTML in its panel and draws the map, inserting
any text of its own with ``textContent``.

Ids are sequential while a page renders, so the same input gives the same bytes.
"""

from __future__ import annotations

import base64
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from storymap.basemap import _latitude, _mercator
from storymap.i18n import Language, language
from storymap.model import LAYOUTS, MODES, Leg, Route, Story
from storymap.text import markdown_html

COORD_DIGITS = 5  # about a metre


def _read_package_text(*parts: str) -> str:
    return resources.files("storymap").joinpath(*parts).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def leaflet_assets() -> tuple[str, str]:
    """Leaflet's script and stylesheet, the images the stylesheet names inlined, the
    stylesheet without its comments and spaces."""
    import xstatic.pkg.leaflet as leaflet

    base = Path(leaflet.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        data = (base / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode()})"

    # The layer control's icons are inlined; the default marker's are left out, as
    # storymap draws its own markers.
    css = re.sub(r"url\((images/layers[\w.-]*\.png)\)", inline, css)
    css = re.sub(r"\s*background-image: url\(images/marker-icon\.png\);", "", css)
    import rcssmin

    return js, rcssmin.cssmin(css)  # its script comes minified; its stylesheet, not


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


def media_item(media: Any, files: dict[Path, str] | None = None) -> dict[str, Any]:
    """What the page shows for a media item. A local picture as a data URI (its bytes read
    at load); a remote one as a link, so the page loads nothing. A video or sound file as a
    player: embedded as a data URI when small, else at its address relative to the page in
    ``files`` (where it was copied; a ``file:`` address when the page is not written), or at
    its own address, loaded only on play, when remote. A YouTube or Vimeo video as a link to
    it that the page's script makes a click-to-load player."""
    item = {
        "kind": media.kind,
        "alt": media.alt,
        "caption": media.caption,
        "credit": media.credit,
        "label": media.label,
    }
    if media.kind in ("youtube", "vimeo"):
        video = media.video
        return {**item, "player": video.player, "href": video.page, "site": video.label}
    if media.kind in ("video", "audio"):
        if media.data is not None:
            data = base64.b64encode(media.data).decode()
            return {**item, "src": f"data:{media.mime};base64,{data}", "preload": "metadata"}
        if media.file is not None:
            href = (files or {}).get(media.file) or media.file.as_uri()
            return {**item, "src": href, "href": href, "preload": "metadata"}
        return {**item, "src": media.src.strip(), "href": media.src.strip(), "preload": "none"}
    if re.match(r"^\s*https?:", media.src, re.IGNORECASE):
        return {**item, "kind": "link", "href": media.src.strip()}
    data = base64.b64encode(media.data).decode()
    return {**item, "kind": "image", "src": f"data:{media.mime};base64,{data}"}


Position = tuple[float, float]


def story_data(story: Story, route: Route) -> dict[str, Any]:
    """What the map needs, as plain JSON-able values: each chapter's id, number, stop and leg,
    the bounds and the modes. The words are in the page's HTML (:func:`story_html`), not here."""
    legs = route.legs
    positions = route.positions
    lang = page_language(story)
    legs_by_chapter = {leg.index: k for k, leg in enumerate(legs)}
    chapters = []
    for n, chapter in enumerate(story.chapters):
        place = story.place_of(chapter)
        lat, lon = positions[n]
        k = legs_by_chapter.get(n)
        chapters.append(
            {
                "id": chapter.id,
                "n": n + 1,
                "place": {
                    "id": place.id,
                    "name": place.name,
                    "lat": _round(lat),
                    "lon": _round(lon),
                },
                "leg": None if k is None else _leg_data(legs[k], route.paths[k], lang),
            }
        )
    used = list(dict.fromkeys(leg.mode.name for leg in legs))  # in story order
    return {
        "layout": story.layout,
        "lang": story.lang,
        "theme": story.theme,
        "units": story.units,
        "i18n": {
            "lang": story.lang,
            "code": lang.code,
            "dir": lang.dir,
            "units": lang.units,
            "strings": lang.page_strings(),
        },
        "bounds": [[_round(a), _round(b)] for a, b in route.bounds],
        "modes": [
            {
                "name": name,
                "label": lang.mode(name),
                "color": MODES[name].color,
                "dark": dark_colour(MODES[name].color),
                "dash": MODES[name].dash,
                "icon": icon_svg(MODES[name].icon),
            }
            for name in used
        ],
        "chapters": chapters,
    }


# The dark theme's ground (story.css, "Dark theme"): a leg is drawn in its mode's hue, made
# light enough to stand out from both by WCAG's 3:1 for graphics.
DARK_LAND = "#2a2d33"
DARK_SEA = "#141c25"
DARK_CONTRAST = 3.0


def _luminance(colour: str) -> float:
    """WCAG's relative luminance of ``#rrggbb``."""
    channels = [int(colour[k : k + 2], 16) / 255 for k in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG's contrast ratio of two ``#rrggbb`` colours, from 1 to 21."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@cache
def dark_colour(colour: str) -> str:
    """``colour`` (``#rrggbb``) in the dark theme: the same hue and saturation, and the least
    lightness at which it stands out from the dark land and sea (:data:`DARK_CONTRAST`), so that
    it still reads on light raster tiles too."""
    import colorsys

    channels = [int(colour[k : k + 2], 16) / 255 for k in (1, 3, 5)]
    hue, lightness, saturation = colorsys.rgb_to_hls(*channels)
    out = colour
    while lightness < 1:
        out = "#" + "".join(
            f"{round(c * 255):02x}" for c in colorsys.hls_to_rgb(hue, lightness, saturation)
        )
        if min(contrast(out, DARK_LAND), contrast(out, DARK_SEA)) >= DARK_CONTRAST:
            break
        lightness = min(1.0, lightness + 0.01)
    return out


def _leg_data(leg: Leg, path: tuple[Position, ...], lang: Language) -> dict[str, Any]:
    return {
        "mode": leg.mode.name,
        "km": round(leg.length_km, 3),
        "distance": lang.distance(leg.length_km),
        "path": [[_round(lat), _round(lon)] for lat, lon in path],
    }


def page_language(story: Story) -> Language:
    """The language the page is written in: the story's ``lang:`` and ``units:``."""
    return language(story.lang, story.units)


def leg_summary(story: Story, leg: Leg, *, html: bool = False) -> str:
    """'Train from Tumangang · 1,234 km · 32 h · about 38 km/h', in the story's language;
    with ``html``, as escaped HTML whose place name is isolated (``<bdi>``) from the text
    around it, for a name in another script or direction."""
    from markupsafe import Markup

    lang = page_language(story)
    name = story.places[leg.start].name
    start = lang.t("leg_from", mode=lang.mode(leg.mode.name), place=PLACE)
    parts = [_with_name(start, name, lang) if html else start.replace(PLACE, name)]
    parts.append(lang.distance(leg.length_km))
    duration = lang.duration(leg.duration_h)
    if duration:
        parts.append(duration)
    if leg.speed_kmh:
        parts.append(lang.t("speed_about", speed=lang.speed(leg.speed_kmh)))
    if not html:
        return " · ".join(parts)
    text = Markup(" · ").join(parts)
    # A name isolated in <bdi> sits in a <span>, which keeps the summary one line of text
    # beside the mode's icon.
    return Markup("<span>%s</span>") % text if "<bdi>" in text else text


PLACE = "\x00"  # where a name from the story goes in a translation, until it is inserted


def _with_name(text: str, name: str, lang: Language) -> Any:
    """``text`` (a translation holding :data:`PLACE` where a name from the story goes) as
    HTML; the name in a ``<bdi>`` where its direction may differ from the text's: on a page
    written right to left, or for a name written right to left."""
    import unicodedata

    from markupsafe import Markup, escape

    before, after = text.split(PLACE, 1)
    rtl = any(unicodedata.bidirectional(c) in ("R", "AL") for c in name)
    place = Markup("<bdi>%s</bdi>") % name if rtl or lang.dir == "rtl" else escape(name)
    return escape(before) + place + escape(after)


def story_html(
    story: Story, route: Route, files: dict[Path, str] | None = None, *, picture: Any = None
) -> str:
    """The story as HTML, in story order: a ``<main>`` holding an ``<article>`` whose
    ``<header class="sm-card">`` is the title card (title, subtitle, byline and date, the
    journey's length, introduction, sources) and one ``<section class="sm-chapter"
    id="CHAPTER-ID">`` per chapter (where, heading, date, the leg's summary, text, media).

    Readable as it is, without the script; the script shows it in the panel, one part at a
    time. Everything is escaped but the Markdown, which :func:`storymap.text.markdown_html`
    has already sanitized. ``picture`` (a :class:`storymap.svg.PrintMap`) ends the header
    as a ``<figure class="sm-print-map" role="img">``: the picture of the journey, which
    stands in for the live map in print.
    ``files`` names the video and sound files copied beside the page (see :func:`media_item`).
    """
    from markupsafe import Markup

    lang = page_language(story)
    legs_by_chapter = {leg.index: leg for leg in route.legs}
    count = len(story.chapters)
    chapters = []
    for n, chapter in enumerate(story.chapters):
        leg = legs_by_chapter.get(n)
        chapters.append(
            {
                "id": chapter.id,
                "kicker": _with_name(
                    lang.t(
                        "stop_kicker",
                        n=lang.number(n + 1),
                        count=lang.number(count),
                        place=PLACE,
                    ),
                    story.place_of(chapter).name,
                    lang,
                ),
                "title": chapter.title,
                "date": lang.date(chapter.date),
                "leg": None
                if leg is None
                else {"mode": leg.mode.name, "summary": leg_summary(story, leg, html=True)},
                "html": Markup(markdown_html(chapter.text)),
                "media": [media_item(m, files) for m in chapter.media],
            }
        )
    card = {
        "title": story.title,
        "subtitle": story.subtitle,
        "meta": " · ".join(t for t in (story.byline, lang.date(story.date)) if t),
        "total": lang.t("total", count=count, distance=lang.distance(route.total_km))
        if route.legs
        else None,
        "intro": Markup(markdown_html(story.intro)),
        "sources": [{"title": s.title, "url": s.url} for s in story.sources],
    }
    print_map = None
    if picture is not None:
        print_map = {"label": picture.label, "svg": Markup(picture.svg), "key": picture.key}
    words = {
        "sources": lang.t("sources", n=len(story.sources)),
        "image": lang.t("image_link"),
        "video": lang.t("video_title"),
        "sound": lang.t("sound_title"),
        "video_on": lang.t("video_on"),
    }
    return _article(card, chapters, print_map, words)


# The article is written here rather than by a Jinja template: compiling one took longer than
# the rest of writing the page. Every value is escaped (:func:`_e`) but Markup, which is HTML
# already: the sanitized Markdown, the kicker and the leg's summary, the picture.


def _e(value: Any) -> str:
    """``value`` as HTML text: escaped, unless it is Markup."""
    from markupsafe import escape

    return str(escape(value))


def _article(
    card: dict[str, Any],
    chapters: list[dict[str, Any]],
    print_map: dict[str, Any] | None,
    words: dict[str, str],
) -> str:
    """The ``<main>`` of :func:`story_html`: the title card, then a section per chapter."""
    out = [
        '<main class="sm-panel" id="sm-panel">\n<article class="sm-story">\n'
        f'<header class="sm-card">\n<h1>{_e(card["title"])}</h1>'
    ]
    for key, name in (("subtitle", "sm-subtitle"), ("meta", "sm-byline"), ("total", "sm-total")):
        if card[key]:
            out.append(f'\n<p class="{name}">{_e(card[key])}</p>')
    if print_map:
        out.append(
            f'\n<figure class="sm-print-map" role="img" aria-label="{_e(print_map["label"])}" '
            f'data-key="{_e(print_map["key"])}">{_e(print_map["svg"])}</figure>'
        )
    if card["intro"]:
        out.append(f'\n<div class="sm-text">{_e(card["intro"])}</div>')
    if card["sources"]:
        out.append(f'\n<details class="sm-sources"><summary>{_e(words["sources"])}</summary><ul>')
        for source in card["sources"]:
            title = _e(source["title"])
            if source["url"]:
                out.append(
                    f'\n<li><a href="{_e(source["url"])}" target="_blank" '
                    f'rel="noopener noreferrer">{title}</a></li>'
                )
            else:
                out.append(f"\n<li><span>{title}</span></li>")
        out.append("\n</ul></details>")
    out.append("\n</header>")
    for chapter in chapters:
        out.append(
            f'\n<section class="sm-chapter" id="{_e(chapter["id"])}">\n'
            f'<p class="sm-kicker">{_e(chapter["kicker"])}</p>\n'
            f'<h2 class="sm-title">{_e(chapter["title"])}</h2>'
        )
        if chapter["date"]:
            out.append(f'\n<p class="sm-date">{_e(chapter["date"])}</p>')
        leg = chapter["leg"]
        if leg:
            out.append(
                f'\n<p class="sm-leg" data-mode="{_e(leg["mode"])}">{_e(leg["summary"])}</p>'
            )
        if chapter["html"]:
            out.append(f'\n<div class="sm-text">{_e(chapter["html"])}</div>')
        for item in chapter["media"]:
            out.append(f'\n<figure class="sm-media">{_media(item, words)}')
            caption, credit = item.get("caption"), item.get("credit")
            if caption or credit:
                out.append("\n<figcaption>")
                if caption:
                    out.append(f'<span class="sm-caption">{_e(caption)}</span>')
                if credit:
                    out.append(f'<span class="sm-credit">{_e(credit)}</span>')
                out.append("</figcaption>")
            out.append("\n</figure>")
        out.append("\n</section>")
    out.append("\n</article>\n</main>")
    return "".join(out)


def _media(item: dict[str, Any], words: dict[str, str]) -> str:
    """A media item of :func:`media_item` as HTML: a picture, a player, or a link."""
    kind = item["kind"]
    label = item.get("label")
    if kind == "image":
        return f'<img src="{_e(item["src"])}" alt="{_e(item["alt"] or "")}" loading="lazy">'
    if kind in ("video", "audio"):
        words_key = "video" if kind == "video" else "sound"
        link = ""
        if item.get("href"):
            text = _e(words[words_key].replace("{title}", str(label)))
            link = f'<a href="{_e(item["href"])}">{text}</a>'
        extra = " playsinline" if kind == "video" else ""
        return (
            f'<{kind} controls{extra} preload="{_e(item["preload"])}" src="{_e(item["src"])}" '
            f'aria-label="{_e(label)}">{link}</{kind}>'
        )
    if kind in ("youtube", "vimeo"):
        text = words["video_on"].replace("{site}", str(item["site"])).replace("{title}", str(label))
        return (
            f'<div class="sm-embed" data-site="{_e(kind)}" data-player="{_e(item["player"])}" '
            f'data-title="{_e(label)}"><a class="sm-embed-link" href="{_e(item["href"])}" '
            f'target="_blank" rel="noopener noreferrer">{_e(text)}</a></div>'
        )
    text = words["image"].replace("{alt}", str(item["alt"] or item["href"]))
    return f'<a href="{_e(item["href"])}" target="_blank" rel="noopener noreferrer">{_e(text)}</a>'


@dataclass(frozen=True)
class PageOptions:
    """How a page is made, beyond the story itself."""

    tiles: str | None = None  # an xyzservices provider name; None: no tiles
    tiles_key: str | None = None  # the API key of a provider that needs one
    basemap: bool = True  # embed the offline vector basemap
    resources: str = "inline"  # "inline", or "cdn" to load Leaflet from a CDN
    earlier: dict[str, Any] | None = None  # the offline map of the page being replaced
    earlier_picture: tuple[str, str] | None = None  # the key and <svg> of its print picture
    url: str | None = None  # the page's public address: share-card tags and a canonical link
    image: str | None = None  # the absolute address of the journey's picture, for og:image
    layout: str | None = None  # "panel" or "scroll"; None: the story's layout:
    # video and sound files copied beside the page: each source file's address from the page
    media_files: dict[Path, str] | None = None

    def __post_init__(self) -> None:
        if self.resources not in RESOURCES:
            raise ValueError(f"resources must be one of {', '.join(RESOURCES)}")
        if self.layout is not None and self.layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")


RESOURCES = ("inline", "cdn")
MAX_DETAIL_CHAPTERS = 100  # closer offline detail around chapters, for stories up to this long
LEAFLET_CDN = "https://unpkg.com/leaflet@1.9.3/dist/"


def tiles_data(name: str, key: str | None) -> dict[str, Any]:
    """The tile layer's URL template, attribution and options, for the page's script."""
    from storymap.tiles import provider

    tiles = provider(name, key)
    options: dict[str, Any] = {"attribution": tiles.html_attribution}
    for field in ("min_zoom", "max_zoom", "subdomains", "bounds"):
        if field in tiles:
            camel = "".join(w.title() if i else w for i, w in enumerate(field.split("_")))
            options[camel] = tiles[field]
    options.setdefault("maxZoom", 19)
    url = tiles.build_url(fill_subdomain=False, scale_factor="{r}")
    return {"name": tiles.name, "url": url, "options": options}


# The map areas a chapter is framed in, in CSS pixels: a typical desktop map beside the panel,
# for the zoom a chapter is framed at; and the largest, which a level's window must cover.
FIT_PX = (820, 740)
COVER_PX = (1100, 900)
JOURNEY_MARGIN = 0.3  # the journey's level reaches this far past its bounds, on each side
MERGE_AREA = 1.6  # chapters share a level when their windows together are at most this larger,
# and no larger than the two apart
TOWNS_PER_WINDOW = 40  # the most populous towns around each window; the page thins them out


def fit_zoom(bounds: list[list[float]], pixels: tuple[int, int] = FIT_PX) -> int:
    """The zoom at which Leaflet's ``fitBounds`` frames ``bounds`` in ``pixels`` (whole zooms)."""
    import math

    (south, west), (north, east) = bounds
    dx = max(east - west, 1e-9)
    dy = max(_mercator(north) - _mercator(south), 1e-9)
    zoom = min(math.log2(pixels[0] * 360 / (256 * dx)), math.log2(pixels[1] * 360 / (256 * dy)))
    return max(0, math.floor(zoom))


def _window(bounds: list[list[float]], zoom: int, pixels: tuple[int, int] = COVER_PX) -> list:
    """``bounds`` grown to a map of ``pixels`` centred on them at ``zoom``."""
    (south, west), (north, east) = bounds
    half_x = pixels[0] / 2 * 360 / (256 * 2**zoom)
    half_y = pixels[1] / 2 * 360 / (256 * 2**zoom)
    x = (west + east) / 2
    y = (_mercator(south) + _mercator(north)) / 2
    return [
        [max(-85.0, min(south, _latitude(y - half_y))), min(west, x - half_x)],
        [min(85.0, max(north, _latitude(y + half_y))), max(east, x + half_x)],
    ]


def _union(a: list[list[float]], b: list[list[float]]) -> list[list[float]]:
    return [
        [min(a[0][0], b[0][0]), min(a[0][1], b[0][1])],
        [max(a[1][0], b[1][0]), max(a[1][1], b[1][1])],
    ]


def _area(window: list[list[float]]) -> float:
    """In square degrees of Web Mercator."""
    (south, west), (north, east) = window
    return (east - west) * (_mercator(north) - _mercator(south))


def basemap_data(
    legs: tuple[Leg, ...],
    bounds: list[list[float]],
    positions: tuple[Position, ...],
    *,
    earlier: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The offline basemap, as levels of detail that each agree with themselves.

    Each level is one :func:`storymap.basemap.basemap` collection (land, water, coasts and
    borders from one simplification, :func:`packed`) made for one zoom, and is drawn whole over
    the coarser ones, its window first filled with sea: wherever a reader looks, fill and lines
    come from the same level. Two levels are always drawn: the world around the journey, two
    zooms coarser (left out for a journey round the world, whose own level covers the world),
    and the journey itself with a margin. Around each chapter framed closer than the journey, a
    finer level, made for a zoom out from the chapter's own (where phones frame it) and fine
    enough for its own (where desktops do), is drawn from its ``minZoom`` while that chapter is
    the current one; chapters whose windows overlap at one zoom share a level. ``maxZoom`` is
    the closest zoom the data supports: the page never frames a chapter closer while the
    offline map is shown. ``towns`` are the most populous towns around every level, as
    ``[name, lat, lon]``, most populous first; the page labels those that fit.

    ``key`` names what the result was made from (the levels' windows and tolerances, the data
    files, the code): when ``earlier`` (the basemap of the page being replaced) has the same
    key, it is the result, and nothing is clipped again.
    """
    from storymap.basemap import MAX_ZOOM, towns

    plan = _plan(legs, bounds, positions)
    key = _key(plan)
    if earlier is not None and earlier.get("key") == key:
        return earlier
    levels = [
        {
            "zoom": zoom,
            "minZoom": min_zoom,
            "chapters": chapters,
            "map": _clipped(window, margin, tolerance),
        }
        for zoom, min_zoom, chapters, window, margin, tolerance in plan
    ]
    named: dict[tuple, list] = {}
    for level in levels:
        west, south, east, north = level["map"]["bbox"]
        for town in towns([[south, west], [north, east]], limit=TOWNS_PER_WINDOW):
            named.setdefault((town[0], town[1], town[2]), town)
    ranked = sorted(named.values(), key=lambda t: (-t[3], t[0], t[1], t[2]))
    for level, (*_, tolerance) in zip(levels, plan, strict=True):
        level["map"] = packed(level["map"], tolerance)
    towns_shown = [[name, lat, lon] for name, lat, lon, _ in ranked]  # in order of population
    return {"key": key, "maxZoom": MAX_ZOOM, "levels": levels, "towns": towns_shown}


Plan = list[tuple[int, int, "list[int] | None", list[list[float]], float, float]]


def _plan(
    legs: tuple[Leg, ...], bounds: list[list[float]], positions: tuple[Position, ...]
) -> Plan:
    """The levels of :func:`basemap_data`, before any clipping: for each, its zoom, the zoom
    it is drawn from, its chapters (None: always drawn), window, margin and tolerance."""
    from storymap.basemap import MAX_SPAN, MAX_ZOOM, tolerance_for_zoom

    journey_zoom = min(fit_zoom(bounds), MAX_ZOOM)
    (south, west), (north, east) = bounds
    plan: Plan = []
    tolerance = tolerance_for_zoom(journey_zoom)
    if east - west < 180:
        # Around the journey's level, the world two zooms coarser, for the wide views.
        world_zoom = max(journey_zoom - 2, 0)
        world = [[-85.0, west - 90], [85.0, east + 90]]
        plan.append((world_zoom, 0, None, world, 0.0, tolerance_for_zoom(world_zoom)))
        plan.append((journey_zoom, 0, None, bounds, JOURNEY_MARGIN, tolerance))
    elif east - west <= MAX_SPAN:  # round the world: every latitude, the world to each side
        side = max(0.0, (MAX_SPAN - (east - west)) / 2 - 2)  # within the least margin
        world = [[-85.0, west - side], [85.0, east + side]]
        plan.append((journey_zoom, 0, None, world, 0.0, tolerance))
    else:  # more than twice round: the widest window drawn, about the journey's middle
        plan.append(
            (journey_zoom, 0, None, _narrowed([[-85.0, west], [85.0, east]]), 0.0, tolerance)
        )
    legs_by_chapter = {leg.index: leg for leg in legs}
    if len(positions) > MAX_DETAIL_CHAPTERS:
        positions = ()  # a long expedition: the journey's own level, and a page that stays small
    windows: list[tuple[int, list[list[float]], list[int]]] = []  # zoom, window, chapters
    for i, (lat, lon) in enumerate(positions):
        lats, lons = [lat], [lon]
        leg = legs_by_chapter.get(i)
        if leg is not None:
            lons += [x for x, _ in leg.line.coords]
            lats += [y for _, y in leg.line.coords]
        framed = [[min(lats), min(lons)], [max(lats), max(lons)]]
        zoom = min(fit_zoom(framed), MAX_ZOOM) - 1
        if zoom <= journey_zoom:
            continue
        window = _window(framed, zoom, COVER_PX)
        for k, (z, w, shared) in enumerate(windows):
            union = _union(w, window)
            a, b = _area(w), _area(window)
            if z == zoom and _area(union) <= min(MERGE_AREA * max(a, b), a + b):
                windows[k] = (z, union, [*shared, i])
                break
        else:
            windows.append((zoom, window, [i]))
    for zoom, window, chapters in windows:
        plan.append(
            (zoom, zoom - 2, chapters, _narrowed(window), 0.0, tolerance_for_zoom(zoom + 1))
        )
    return plan


def _narrowed(window: list[list[float]]) -> list[list[float]]:
    """``window``, or for one wider than the basemap draws (a journey more than twice round
    the world), the widest window it draws about the same middle."""
    from storymap.basemap import MAX_SPAN

    (south, west), (north, east) = window
    if east - west <= MAX_SPAN - 4:
        return window
    middle = (west + east) / 2
    return [[south, middle - MAX_SPAN / 2 + 2], [north, middle + MAX_SPAN / 2 - 2]]


def _key(plan: Plan) -> str:
    """A digest of a plan and of what else the offline map is made from: the shipped data and
    the code that clips, packs and picks the towns."""
    import hashlib
    import json

    text = json.dumps([plan, _sources_digest(), TOWNS_PER_WINDOW], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@cache
def _sources_digest() -> str:
    import hashlib

    from storymap import basemap

    digest = hashlib.sha1(usedforsecurity=False)
    data = Path(basemap.__file__).parent / "data"
    for path in [*sorted(data.glob("*.npz")), Path(basemap.__file__), Path(__file__)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


MAX_EARLIER_PAGE = 50_000_000  # bytes: a larger file at the output is not read for reuse


def page_data(path: Path) -> dict[str, Any] | None:
    """The data a storymap page at ``path`` was drawn from (its chapters, its offline map…);
    None when ``path`` is not a storymap page, or cannot be read as one. Only a regular file
    of reasonable size is read."""
    import json
    import stat

    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_EARLIER_PAGE:
            return None
        text = path.read_text(encoding="utf-8")
        # The call the page ends with, alone on its line: the last such line, as the story's
        # own text, in the HTML before the script, may hold any line.
        calls = list(re.finditer(r"^storymap\.init\(map_\w+, (?=\{)", text, re.MULTILINE))
        if not calls:
            return None
        call = calls[-1]
        data, _ = json.JSONDecoder().raw_decode(text, call.end())
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def earlier_basemap(path: Path) -> dict[str, Any] | None:
    """The offline map of the storymap page at ``path``, to reuse when nothing it was made from
    has changed (see :func:`basemap_data`); None when there is no such page, or it cannot be
    read as one."""
    data = page_data(path)
    found = data.get("basemap") if data is not None else None
    return found if isinstance(found, dict) else None


# The print picture as story_html writes it: the first figure of its kind in the page, in the
# title card, after text that is all escaped (the story's own HTML comes after it).
_PRINT_FIGURE = re.compile(
    r'<figure class="sm-print-map" role="img" aria-label="[^"]*" data-key="([0-9a-f]+)">'
    r"(<svg [^>]*>.*?</svg>)</figure>",
    re.DOTALL,
)


def earlier_picture(path: Path) -> tuple[str, str] | None:
    """The key and ``<svg>`` of the print picture in the storymap page at ``path``, to reuse
    when nothing it was drawn from has changed (see :func:`storymap.svg.print_map`); None when
    there is no such page, or it holds no picture."""
    import stat

    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_EARLIER_PAGE:
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None
    found = _PRINT_FIGURE.search(text)
    return (found.group(1), found.group(2)) if found else None


def _clipped(window: list[list[float]], margin: float, tolerance: float) -> dict[str, Any]:
    """:func:`storymap.basemap.basemap`'s collection, shared and read only."""
    from storymap.basemap import _bounds, collection

    south, west, north, east = _bounds(window)
    return collection(south, west, north, east, float(margin), float(tolerance), None, False)


PACKED_KINDS = ("land", "lake", "river", "border")
SMALLEST = {"lake": 4, "river": 12}  # the least extent of water drawn, in pixels at its level


def _extent(coords: list) -> float:
    """The larger side of the box around (lon, lat) points, in degrees of Web Mercator."""
    import math

    lons = [c[0] for c in coords]
    lats = [c[1] for c in coords]
    mid = math.radians((min(lats) + max(lats)) / 2)
    return max(max(lons) - min(lons), (max(lats) - min(lats)) / max(math.cos(mid), 0.05))


def packed(collection: dict[str, Any], tolerance: float) -> dict[str, Any]:
    """A basemap collection in few bytes: coordinates as whole steps of half the tolerance,
    each point after a part's first as the difference from the one before, and each part as
    a string in the encoded polyline format (a varint of 5-bit groups per number, as
    characters 63 to 126, which need no escaping in JSON or HTML but the backslash).

    ``{"bbox": [...], "step": degrees, "land": [polygon: [ring, ...]], "lake": [...],
    "river": [line, ...], "border": [...]}``, each ring or line one string of x, y pairs
    (longitude, latitude). Coasts and lake shores are not sent: the page draws them along the
    land's and the lakes' own rings, so the lines and the fill cannot disagree.
    """
    step = tolerance / 2
    out: dict[str, Any] = {"bbox": collection["bbox"], "step": step}
    for feature in collection["features"]:
        kind = feature["properties"]["kind"]
        if kind not in PACKED_KINDS:
            continue
        coords = feature["geometry"]["coordinates"]
        if kind in SMALLEST:  # water too small to read at this zoom is left out
            least = SMALLEST[kind] * tolerance
            coords = [c for c in coords if _extent(c[0] if kind == "lake" else c) >= least]
        if feature["geometry"]["type"] == "MultiPolygon":
            rings = _encoded([ring for polygon in coords for ring in polygon], step)
            out[kind] = []
            for polygon in coords:
                out[kind].append(rings[: len(polygon)])
                rings = rings[len(polygon) :]
        else:
            out[kind] = _encoded(coords, step)
    return out


def _encoded(parts: list[list], step: float) -> list[str]:
    """Each part (a list of (lon, lat)) in the encoded polyline format of :func:`packed`, in
    one pass over all their points."""
    import numpy as np

    sizes = np.array([len(p) for p in parts], dtype=np.int64)
    if not len(sizes):
        return []
    points = np.rint(np.array([xy for p in parts for xy in p], dtype=np.float64) / step)
    points = points.astype(np.int64)
    deltas = np.empty_like(points)
    deltas[1:] = points[1:] - points[:-1]
    firsts = np.cumsum(sizes) - sizes
    deltas[firsts] = points[firsts]
    values = deltas.ravel()
    values = np.where(values < 0, ~(values << 1), values << 1)
    groups = np.ones(len(values), dtype=np.int64)  # 5-bit groups per value
    rest = values >> 5
    while rest.any():
        groups += rest > 0
        rest >>= 5
    ends = np.cumsum(groups)
    chars = np.empty(int(ends[-1]), dtype=np.uint8)
    for k in range(int(groups.max())):
        has = groups > k
        more = np.where(groups > k + 1, 0x20, 0)
        chars[(ends - groups)[has] + k] = (((values >> (5 * k)) & 0x1F) | more)[has] + 63
    text = chars.tobytes().decode("ascii")
    cuts = np.concatenate([[0], ends[2 * np.cumsum(sizes) - 1]]).tolist()
    return [text[a:b] for a, b in zip(cuts[:-1], cuts[1:], strict=True)]


DESCRIPTION_CHARS = 200


def description(story: Story) -> str:
    """What the page is about, in one plain line of at most :data:`DESCRIPTION_CHARS`
    characters: the subtitle, else the introduction's first sentence, else where the journey
    goes."""
    import html

    text = story.subtitle or ""
    if not text.strip() and story.intro:
        plain = html.unescape(re.sub(r"<[^>]*>", " ", markdown_html(story.intro)))
        plain = " ".join(plain.split())
        first = re.match(r"(.+?[.!?])(?=\s|$)", plain)
        text = first.group(1) if first else plain
    if not text.strip():
        lang = page_language(story)
        names = [story.place_of(c).name for c in story.chapters]
        text = lang.t("about_journey", title=story.title, count=len(names))
        if len(names) > 1:
            text = lang.t("about_route", about=text, first=names[0], last=names[-1])
    text = " ".join(text.split())
    if len(text) > DESCRIPTION_CHARS:
        cut = text[: DESCRIPTION_CHARS - 1]
        cut = cut.rsplit(" ", 1)[0] if " " in cut[DESCRIPTION_CHARS // 2 :] else cut
        text = cut.rstrip(" ,;:") + "…"
    return text


def share_tags(story: Story, url: str | None = None, image: str | None = None) -> str:
    """The page's description, and with its public address ``url`` its share cards (Open
    Graph and Twitter) and canonical link; ``image`` is the picture's absolute address."""
    from html import escape

    about = description(story)
    tags = [("name", "description", about)]
    if url:
        tags += [
            ("property", "og:type", "article"),
            ("property", "og:title", story.title),
            ("property", "og:description", about),
            ("property", "og:url", url),
        ]
        if image:
            tags.append(("property", "og:image", image))
        tags += [
            ("name", "twitter:card", "summary_large_image" if image else "summary"),
            ("name", "twitter:title", story.title),
            ("name", "twitter:description", about),
        ]
        if image:
            tags.append(("name", "twitter:image", image))
    lines = [f'<meta {key}="{name}" content="{escape(value)}">' for key, name, value in tags]
    if url:
        lines.append(f'<link rel="canonical" href="{escape(url)}">')
    return "\n".join(lines) + "\n"


def theme_script(theme: str) -> str:
    """For a story whose ``theme`` is ``light`` or ``dark``, a script that marks ``<html>`` with
    it (``data-theme``) before the body is drawn; ``auto`` needs none, the stylesheet follows the
    reader's setting."""
    if theme == "auto":
        return ""
    return f'<script>document.documentElement.setAttribute("data-theme", "{theme}");</script>\n'


def image_address(url: str, name: str) -> str:
    """The absolute address of the file ``name`` beside the page at ``url``."""
    from urllib.parse import quote, urljoin

    return urljoin(url, quote(name))


def build_map(story: Story, route: Route, options: PageOptions) -> Any:
    """The folium map of the story, and the story layer that draws everything on it."""
    from storymap.elements import Raw, StoryFigure, StoryLayer, StoryMap

    bounds = route.bounds
    lang = page_language(story)
    figure = StoryFigure(title=story.title, lang=story.lang, dir=lang.dir)
    figure.header.add_child(Raw(share_tags(story, options.url, options.image)), name="share")
    figure.header.add_child(Raw(theme_script(story.theme)), name="theme")
    fmap = StoryMap(
        location=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
        zoom_start=4,
        tiles=None,
        control_scale=False,  # the script adds it, in the story's units and language
        zoom_control="topright",
    )
    figure.add_child(fmap)
    data = story_data(story, route)
    if options.layout is not None:
        data["layout"] = options.layout
    data["tiles"] = tiles_data(options.tiles, options.tiles_key) if options.tiles else None
    data["basemap"] = (
        basemap_data(route.legs, bounds, route.positions, earlier=options.earlier)
        if options.basemap
        else None
    )
    from storymap.svg import print_map

    picture = print_map(story, route, basemap=options.basemap, earlier=options.earlier_picture)
    article = story_html(story, route, options.media_files, picture=picture)
    story_js, story_css = page_script(), page_styles()
    if options.resources == "cdn":
        links = leaflet_links()
        layer = StoryLayer(
            data, html=article, scripts=(story_js,), styles=(story_css,), links=links
        )
    else:
        js, css = leaflet_assets()
        layer = StoryLayer(data, html=article, scripts=(js, story_js), styles=(css, story_css))
    fmap.add_child(layer)
    return fmap


def story_script() -> str:
    """The page's script: the parts in ``static/js/``, joined in the order of their names."""
    parts = resources.files("storymap").joinpath("static", "js")
    names = sorted(p.name for p in parts.iterdir() if p.name.endswith(".js"))
    return "\n".join(parts.joinpath(name).read_text(encoding="utf-8") for name in names)


@lru_cache(maxsize=1)
def page_script() -> str:
    """The page's script as the page carries it: :func:`story_script` without its comments and
    spaces (rjsmin), a third of its size gzipped; the readable parts ship beside it."""
    import rjsmin

    return rjsmin.jsmin(story_script())


@lru_cache(maxsize=1)
def page_styles() -> str:
    """``static/story.css`` as the page carries it, without comments and spaces (rcssmin)."""
    import rcssmin

    return rcssmin.cssmin(_read_package_text("static", "story.css"))


@lru_cache(maxsize=1)
def leaflet_links() -> str:
    """Leaflet from a CDN, pinned by Subresource Integrity hashes of XStatic-Leaflet's files."""
    import hashlib

    import xstatic.pkg.leaflet as leaflet

    base = Path(leaflet.BASE_DIR)

    def sri(name: str) -> str:
        digest = hashlib.sha384((base / name).read_bytes()).digest()
        return "sha384-" + base64.b64encode(digest).decode()

    return (
        f'<link rel="stylesheet" href="{LEAFLET_CDN}leaflet.css" '
        f'integrity="{sri("leaflet.css")}" crossorigin="anonymous">\n'
        f'<script src="{LEAFLET_CDN}leaflet.js" '
        f'integrity="{sri("leaflet.js")}" crossorigin="anonymous"></script>'
    )


def render(story: Story, route: Route | tuple[Leg, ...], options: PageOptions | None = None) -> str:
    """The page as a string. ``route`` may also be the story's legs alone."""
    if not isinstance(route, Route):
        from storymap.routes import routed

        route = routed(story, route)
    with sequential_ids():
        fmap = build_map(story, route, options or PageOptions())
        return fmap.get_root().render()
