"""Import a StoryMapJS story (Knight Lab's JSON format) as a storymap story (format v1).

A StoryMapJS file is ``{"storymap": {"slides": [...], "map_type": ..., ...}}``. Each slide
has a ``location`` (lat, lon, name, zoom, icon, line), a ``text`` (headline and HTML
text), a ``media`` (url, credit, caption), a free-text ``date`` and a ``background``;
the first slide is usually an ``overview`` (the title slide).

- :func:`load_file` reads the JSON and checks that it is a StoryMapJS story.
- :func:`convert` turns it into storymap story data and a list of notes: everything
  that has no counterpart in storymap is named there, never dropped silently.
- :func:`to_yaml` writes the story as YAML, with the notes as comments at the top.

What the import decides:

- The overview slide becomes the title card: its headline the title (a ``<small>``
  part the subtitle), its text the introduction.
- Every other slide with coordinates becomes a chapter, in order; slides at the same
  coordinates share a place. A slide without coordinates has no place to happen at in
  storymap: it is skipped, with a note naming it. A later slide of type ``overview``
  that has coordinates (StoryMapJS shows the whole map for it, but draws its point in
  the line) becomes a chapter at them.
- StoryMapJS has no means of travel; every leg is set to :data:`MODE` (``car``: a
  straight line between the stops, as StoryMapJS draws them), marked as a placeholder
  in the YAML and in the notes.
- A date becomes the chapter's date when it is a whole day written unambiguously
  (``2005-08-28``, ``August 28, 2005``, ``28 Aug 2005``); anything else (``1835``,
  ``Aug 23``) stays as text at the start of the chapter text.
- Slide text is HTML; it becomes the Markdown storymap renders (paragraphs, emphasis,
  http(s) and mailto links, lists, quotes, code). Raw HTML never passes through.
- An image URL becomes a picture, with alt text taken from the caption (StoryMapJS has
  no alt text); any other media (YouTube, Vimeo, tweets, Wikipedia, SoundCloud, Flickr
  pages...) becomes a link at the end of the chapter text.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from storymap.errors import StoryError
from storymap.files import comment, dump_yaml
from storymap.importers.html_markdown import (
    collapse,
    escape,
    escape_line_start,
    find,
    html_to_markdown,
    html_to_text,
    link_destination,
    one_line,
    parse,
    show,
    url_scheme,
    wrap,
)
from storymap.inputs import (
    InputError,
    NotRegularFileError,
    TooLargeError,
    parse_json,
    read_capped,
)
from storymap.model import MODES
from storymap.story import IMAGE_SUFFIXES, slugify, usable_id

MODE = "car"  # the means of travel set on every leg: StoryMapJS has none
DEFAULT_TILES = "OpenStreetMap.Mapnik"
MAX_IMPORT_BYTES = 50_000_000  # a StoryMapJS file larger than this is refused
STORYMAPJS_DEFAULT_MAP = "stamen:toner-lite"  # what StoryMapJS shows without map_type

# StoryMapJS's Stamen styles, now served by Stadia Maps (who ask for an account).
_STAMEN = {
    "toner": "Stadia.StamenToner",
    "toner-lite": "Stadia.StamenTonerLite",
    "toner-lines": "Stadia.StamenTonerLines",
    "toner-labels": "Stadia.StamenTonerLabels",
    "toner-background": "Stadia.StamenTonerBackground",
    "watercolor": "Stadia.StamenWatercolor",
    "terrain": "Stadia.StamenTerrain",
    "terrain-background": "Stadia.StamenTerrainBackground",
    "terrain-labels": "Stadia.StamenTerrainLabels",
    "terrain-lines": "Stadia.StamenTerrainLines",
}

# Non-image media: (hosts, label of the link, what it is in a note).
_MEDIA_KINDS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("youtube.com", "youtu.be", "youtube-nocookie.com"), "Video on YouTube", "a YouTube video"),
    (("vimeo.com",), "Video on Vimeo", "a Vimeo video"),
    (("dailymotion.com", "dai.ly"), "Video on Dailymotion", "a Dailymotion video"),
    (("vine.co",), "Video on Vine", "a Vine video"),
    (("twitter.com", "x.com"), "Post on Twitter", "a tweet"),
    (("instagram.com", "instagr.am"), "Post on Instagram", "an Instagram post"),
    (("facebook.com", "fb.watch"), "Post on Facebook", "a Facebook post"),
    (("flickr.com", "flic.kr"), "Photo on Flickr", "a Flickr photo page"),
    (("soundcloud.com",), "Audio on SoundCloud", "a SoundCloud track"),
    (("spotify.com",), "Audio on Spotify", "a Spotify track"),
    (("wikipedia.org",), "Article on Wikipedia", "a Wikipedia article"),
    (("docs.google.com", "drive.google.com"), "Google document", "a Google document"),
    (("maps.google.com", "goo.gl"), "Map on Google Maps", "a Google map"),
    (("storify.com",), "Story on Storify", "a Storify story"),
)
_AUDIO_SUFFIXES = (".mp3", ".wav", ".ogg", ".oga", ".m4a", ".aac", ".flac")
_VIDEO_SUFFIXES = (".mp4", ".webm", ".ogv", ".mov", ".m4v")
_IMAGE_HOSTS = ("i.imgur.com", "pbs.twimg.com", "images.unsplash.com")

_KNOWN_TOP = {"slides", "map_type", "map_as_image", "zoomify", "language"}
_KNOWN_SLIDE = {"type", "date", "location", "text", "media", "background", "uniqueid"}
_KNOWN_LOCATION = {"lat", "lon", "name", "zoom", "icon", "line", "use_custom_marker"}
_KNOWN_MEDIA = {"url", "credit", "caption"}
_KNOWN_TEXT = {"headline", "text"}


@dataclass(frozen=True)
class Conversion:
    """A storymap story as plain data (format v1 key order), and what did not carry over."""

    story: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    source_name: str = "story.json"  # the StoryMapJS file it came from


# --- Reading the file ----------------------------------------------------------------------------


def load_file(path: str | Path) -> dict[str, Any]:
    """The JSON of the StoryMapJS story at ``path``; StoryError when it is not one."""
    path = Path(path)
    try:
        raw = read_capped(path, MAX_IMPORT_BYTES)
    except FileNotFoundError:
        raise StoryError.at(
            path, None, "", "no such file; check the path to the StoryMapJS .json file"
        ) from None
    except IsADirectoryError:
        raise StoryError.at(
            path, None, "", "is a folder; give the path to a StoryMapJS .json file"
        ) from None
    except OSError as exc:
        raise StoryError.at(path, None, "", f"cannot be read ({exc.strerror})") from None
    except NotRegularFileError as exc:
        raise StoryError.at(path, None, "", f"{exc}; give a StoryMapJS .json file") from None
    except TooLargeError as exc:
        raise StoryError.at(
            path, None, "", f"{exc}; a StoryMapJS story is far smaller: is this the right file?"
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise StoryError.at(path, line, "", "is not UTF-8 text; save the file as UTF-8") from None
    try:
        data = parse_json(text)
    except InputError as exc:
        raise StoryError.at(
            path, None, "", f"{exc}; export the story from StoryMapJS again"
        ) from None
    except json.JSONDecodeError as exc:
        raise StoryError.at(
            path,
            exc.lineno,
            "",
            f"not valid JSON: {exc.msg} (column {exc.colno}); "
            "check commas, quotes and brackets, or export the story from StoryMapJS again",
        ) from None
    _check_shape(data, str(path), text)
    return data


def _check_shape(data: Any, file: str, text: str | None = None) -> None:
    shape = 'a StoryMapJS file looks like {"storymap": {"slides": [...]}}'
    if not isinstance(data, dict):
        raise StoryError.at(
            file, None, "", f"not a StoryMapJS story: the JSON is {_kind(data)}; {shape}"
        )
    root = data.get("storymap")
    if not isinstance(root, dict):
        hint = ""
        if "events" in data:
            hint = " (it looks like a TimelineJS timeline)"
        what = "no 'storymap' object" if root is None else f"'storymap' is {_kind(root)}"
        raise StoryError.at(
            file, None, "storymap", f"not a StoryMapJS story{hint}: {what}; {shape}"
        )
    slides = root.get("slides")
    if not isinstance(slides, list) or not slides:
        line = None
        if text is not None and '"storymap"' in text:
            line = text[: text.index('"storymap"')].count("\n") + 1
        what = "missing" if slides is None else f"{_kind(slides)}, not a list of slides"
        if isinstance(slides, list):
            what = "an empty list"
        raise StoryError.at(
            file, line, "storymap.slides", f"not a StoryMapJS story: the slides are {what}; {shape}"
        )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# --- Notes -------------------------------------------------------------------------------------


class _Notes:
    """Notes in the order they arose; a note repeated on several slides is given once."""

    def __init__(self) -> None:
        self._slides: dict[tuple[str, str], list[int]] = {}
        self._order: list[tuple[str, str] | str] = []

    def add(self, text: str) -> None:
        self._order.append(text)

    def slide(self, index: int, field_path: str, message: str) -> None:
        key = (field_path, message)
        if key not in self._slides:
            self._slides[key] = []
            self._order.append(key)
        if index not in self._slides[key]:
            self._slides[key].append(index)

    def render(self) -> list[str]:
        out = []
        for item in self._order:
            if isinstance(item, str):
                out.append(item)
                continue
            field_path, message = item
            indexes = self._slides[item]
            if len(indexes) == 1:
                where = f"slides.{indexes[0]}" + (f".{field_path}" if field_path else "")
            else:
                where = (f"{field_path} on " if field_path else "") + f"slides {_ranges(indexes)}"
            out.append(one_line(f"{where}: {message}"))
        return out


def _ranges(indexes: list[int]) -> str:
    runs: list[list[int]] = []
    for i in sorted(indexes):
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs)


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
_ORD = r"(?:st|nd|rd|th)?"


def parse_date(text: Any) -> dt.date | None:
    """The day a StoryMapJS date names, when it names one day unambiguously."""
    if not isinstance(text, str):
        return None
    value = collapse(text).strip().lower()
    found: tuple[int, int, int] | None = None
    iso = r"(\d{4})-(\d{2})-(\d{2})(?:[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?"
    month_first = _WEEKDAY + rf"([a-z]+)\.?\s+(\d{{1,2}}){_ORD},?\s+(\d{{4}})"
    day_first = _WEEKDAY + rf"(\d{{1,2}}){_ORD}\s+([a-z]+)\.?,?\s+(\d{{4}})"
    slashed = r"(\d{4})/(\d{1,2})/(\d{1,2})"
    if (m := re.fullmatch(iso, value)) or (m := re.fullmatch(slashed, value)):
        found = (int(m[1]), int(m[2]), int(m[3]))
    elif (m := re.fullmatch(month_first, value)) and m[1] in _MONTHS:
        found = (int(m[3]), _MONTHS[m[1]], int(m[2]))
    elif (m := re.fullmatch(day_first, value)) and m[2] in _MONTHS:
        found = (int(m[3]), _MONTHS[m[2]], int(m[1]))
    if found is None:
        return None
    try:
        return dt.date(*found)
    except ValueError:
        return None


# --- Media ---------------------------------------------------------------------------------------


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _on(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def is_image_url(url: str) -> bool:
    """Whether ``url`` points at an image file (by its extension or its host)."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return False
    return PurePosixPath(path).suffix.lower() in IMAGE_SUFFIXES or _on(_host(url), _IMAGE_HOSTS)


def media_kind(url: str) -> tuple[str, str]:
    """(label for a link, what it is in a note) for a media URL that is not an image."""
    host = _host(url)
    if _on(host, ("google.com",)) and "/maps" in url:
        return "Map on Google Maps", "a Google map"
    for domains, label, what in _MEDIA_KINDS:
        if _on(host, domains):
            return label, what
    try:
        suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    except ValueError:
        suffix = ""
    if suffix in _AUDIO_SUFFIXES:
        return "Audio file", "an audio file"
    if suffix in _VIDEO_SUFFIXES:
        return "Video file", "a video file"
    if suffix == ".pdf":
        return "PDF document", "a PDF document"
    shown = host.removeprefix("www.") or "the web"
    return f"Web page on {shown}", "a web page"


# --- The conversion ------------------------------------------------------------------------------


def convert(data: dict[str, Any], *, source_name: str = "story.json") -> Conversion:
    """The storymap story for the StoryMapJS story ``data``, and notes on what did not carry over.

    Raises StoryError when ``data`` is not a StoryMapJS story, is a Gigapixel (image) story,
    or has no slide with coordinates.
    """
    _check_shape(data, source_name)
    return _Converter(source_name).run(data["storymap"])


@dataclass
class _Slide:
    index: int
    title: str
    text: str
    date: dt.date | None
    media: list[dict[str, str]]
    lat: float
    lon: float
    name: str
    name_from: str  # where the place's name came from when location.name is empty
    uniqueid: str


class _Converter:
    def __init__(self, source_name: str):
        self.source = source_name
        self.notes = _Notes()

    def fail(self, path: str, message: str) -> StoryError:
        return StoryError.at(self.source, None, path, message)

    def run(self, root: dict[str, Any]) -> Conversion:
        if root.get("map_as_image") or str(root.get("map_type") or "").startswith("zoomify"):
            raise self.fail(
                "storymap.map_as_image",
                "a StoryMapJS Gigapixel story (map_as_image) is not a map; storymap cannot "
                "import it (its points are positions on an image, not on the Earth)",
            )
        tiles = self.tiles(root.get("map_type"))
        for key, value in root.items():
            if key in _KNOWN_TOP or _empty(value):
                continue
            if key == "map_access_token":
                self.notes.add("storymap.map_access_token: a Mapbox access token; not kept")
            else:
                self.notes.add(f"storymap.{key} {show(value)}: no counterpart in storymap; dropped")
        language = root.get("language")
        if isinstance(language, str) and language.strip() and not language.startswith("en"):
            self.notes.add(
                f"storymap.language {show(language)}: storymap's page is in English; dropped"
            )
        zoomify = root.get("zoomify")
        if isinstance(zoomify, dict) and any(not _empty(v) for v in zoomify.values()):
            self.notes.add("storymap.zoomify: no counterpart in storymap; dropped")

        slides = root["slides"]
        first = slides[0]
        overview = first if isinstance(first, dict) and first.get("type") == "overview" else None
        card = self.title_card(overview)
        chapters: list[_Slide] = []
        for index, raw in enumerate(slides):
            if overview is not None and index == 0:
                continue
            slide = self.slide(index, raw)
            if slide is not None:
                chapters.append(slide)
        if not chapters:
            raise self.fail(
                "storymap.slides",
                "no slide has a location with lat and lon; storymap needs at least one place",
            )
        if not card.get("title"):
            card["title"] = chapters[0].title or Path(self.source).stem or "Story"
            self.notes.add(f"title: no overview headline; the title is {show(card['title'])}")
        story: dict[str, Any] = {
            key: card[key] for key in ("title", "subtitle", "date", "intro") if key in card
        }
        story["tiles"] = tiles
        places, at = self.places(chapters)
        story["places"] = places
        story["journey"] = self.journey(chapters, at)
        if len(chapters) > 1:
            self.notes.add(
                f"journey: StoryMapJS stories have no means of travel; every leg is set to "
                f"'by: {MODE}' (a straight line between stops, as StoryMapJS draws them); "
                f"change each to one of: {', '.join(MODES)}"
            )
        return Conversion(story=story, notes=self.notes.render(), source_name=self.source)

    # the map

    def tiles(self, map_type: Any) -> str:
        if map_type is None or (isinstance(map_type, str) and not map_type.strip()):
            self.notes.add(
                f"storymap.map_type is not given (StoryMapJS shows {STORYMAPJS_DEFAULT_MAP}): "
                f"tiles set to {DEFAULT_TILES}"
            )
            return DEFAULT_TILES
        if not isinstance(map_type, str):
            self.notes.add(
                f"storymap.map_type {show(map_type)} is not a map name: tiles set to "
                f"{DEFAULT_TILES}"
            )
            return DEFAULT_TILES
        kind, _, rest = map_type.strip().partition(":")
        kind = kind.lower()
        if kind == "osm":
            return DEFAULT_TILES
        if kind == "stamen":
            style = rest or "toner-lite"
            stadia = _STAMEN.get(style)
            same = (
                f"; the same style is {stadia}, which needs a Stadia Maps account for a "
                "published page"
                if stadia
                else ""
            )
            self.notes.add(
                f"storymap.map_type {show(map_type)}: Stamen's tiles are no longer served "
                f"without an account; tiles set to {DEFAULT_TILES}{same}"
            )
            return DEFAULT_TILES
        if kind == "mapbox":
            self.notes.add(
                f"storymap.map_type {show(map_type)}: a Mapbox style needs an access token; "
                f"tiles set to {DEFAULT_TILES}"
            )
            return DEFAULT_TILES
        if kind in ("http", "https"):
            self.notes.add(
                f"storymap.map_type {show(map_type)}: storymap takes xyzservices provider names, "
                f"not tile URLs; tiles set to {DEFAULT_TILES} (pick a provider with tiles:)"
            )
            return DEFAULT_TILES
        self.notes.add(
            f"storymap.map_type {show(map_type)} is not a StoryMapJS map type storymap knows; "
            f"tiles set to {DEFAULT_TILES}"
        )
        return DEFAULT_TILES

    # slides

    def slide(self, index: int, raw: Any) -> _Slide | None:
        if not isinstance(raw, dict):
            self.notes.slide(index, "", f"is {_kind(raw)}, not a slide; skipped")
            return None
        text = raw.get("text") if isinstance(raw.get("text"), dict) else {}
        if raw.get("text") is not None and not isinstance(raw.get("text"), dict):
            self.notes.slide(index, "text", f"is {_kind(raw['text'])}, not an object; dropped")
        headline, smalls, hnotes = html_to_text(text.get("headline"), urls=False)
        if smalls:
            headline = " — ".join([headline, *smalls]) if headline else " — ".join(smalls)
        shown = f" ({show(headline)})" if headline else ""
        location = raw.get("location")
        where = self.coordinates(index, location)
        if isinstance(where, str):
            self.notes.slide(
                index,
                "",
                f"{where}{shown}; skipped, as a storymap chapter happens at a place "
                "(add it back with a place if it belongs to one)",
            )
            return None
        lat, lon = where
        if raw.get("type") == "overview":
            self.notes.slide(
                index,
                "type",
                "'overview' after the first slide: StoryMapJS shows the whole map for it; "
                "imported as a chapter at its location",
            )
        elif not _empty(raw.get("type")):
            self.notes.slide(
                index, "type", f"{show(raw['type'])} is not a StoryMapJS slide type; ignored"
            )
        for message in hnotes:
            self.notes.slide(index, "text.headline", message)
        self.extras(index, raw, _KNOWN_SLIDE, "")
        self.extras(index, text, _KNOWN_TEXT, "text.")
        self.location_extras(index, location)
        self.background(index, raw.get("background"))

        name, _, nnotes = html_to_text(location.get("name"))
        for message in nnotes:
            self.notes.slide(index, "location.name", message)
        date_text = _date_text(raw.get("date"))
        title = headline
        if not title:
            title = name or date_text or f"Slide {index}"
            source = "its location's name" if name else "its date" if date_text else "its number"
            self.notes.slide(index, "text.headline", f"is empty; the chapter title is {source}")
        body, tnotes = html_to_markdown(text.get("text"))
        for message in tnotes:
            self.notes.slide(index, "text.text", message)
        day, prefix = self.date(index, raw.get("date"), title)
        media, link = self.media(index, raw.get("media"), title)
        parts = [p for p in (prefix, body, link) if p]
        uniqueid = raw.get("uniqueid")
        return _Slide(
            index=index,
            title=title,
            text="\n\n".join(parts),
            date=day,
            media=media,
            lat=lat,
            lon=lon,
            name=name or headline or f"Place {index}",
            name_from="" if name else "the slide's headline" if headline else "the slide's number",
            uniqueid=str(uniqueid).strip() if not _empty(uniqueid) else "",
        )

    def coordinates(self, index: int, location: Any) -> tuple[float, float] | str:
        if location is None:
            return "has no location"
        if not isinstance(location, dict):
            return f"has a location that is {_kind(location)}, not an object"
        if _empty(location.get("lat")) and _empty(location.get("lon")):
            return "has no lat/lon in its location"
        values = []
        for key, limit in (("lat", 90), ("lon", 180)):
            value = location.get(key)
            try:
                number = float(value) if not isinstance(value, bool) else math.nan
            except (TypeError, ValueError):
                number = math.nan
            if not math.isfinite(number) or abs(number) > limit:
                return f"has location.{key} {show(value)}, not a number from -{limit} to {limit}"
            values.append(int(number) if number == int(number) else number)
        return values[0], values[1]

    def extras(self, index: int, data: dict[str, Any], known: set[str], prefix: str) -> None:
        for key, value in data.items():
            if key in known or _empty(value):
                continue
            self.notes.slide(
                index, f"{prefix}{key}", f"{show(value)} has no counterpart in storymap; dropped"
            )

    def location_extras(self, index: int, location: dict[str, Any]) -> None:
        self.extras(index, location, _KNOWN_LOCATION, "location.")
        if not _empty(location.get("zoom")):
            self.notes.slide(
                index,
                "location.zoom",
                "no counterpart in storymap (it frames each chapter's leg and stop); dropped",
            )
        icon = location.get("icon")
        if not _empty(icon) and location.get("use_custom_marker") is not False:
            self.notes.slide(
                index,
                "location.icon",
                f"the marker icon {show(icon)} has no counterpart (storymap numbers its "
                "stops); dropped",
            )
        if location.get("line") is False:
            self.notes.slide(
                index,
                "location.line",
                "false: storymap draws a leg to every chapter; the leg is drawn anyway",
            )

    def background(self, index: int, background: Any) -> None:
        if _empty(background):
            return
        if not isinstance(background, dict):
            self.notes.slide(index, "background", f"{show(background)}: no counterpart; dropped")
            return
        shown = []
        if not _empty(background.get("url")):
            shown.append(f"image {background['url']}")
        if not _empty(background.get("color")):
            shown.append(f"colour {background['color']}")
        if shown and not _empty(background.get("opacity")):
            shown.append(f"opacity {background['opacity']}")
        for key, value in background.items():
            if key not in ("url", "color", "opacity") and not _empty(value):
                shown.append(f"{key} {show(value)}")
        if shown:
            self.notes.slide(
                index,
                "background",
                f"({', '.join(shown)}) has no counterpart in storymap; dropped",
            )

    def date(self, index: int, raw: Any, title: str) -> tuple[dt.date | None, str]:
        text = _date_text(raw)
        if not text:
            return None, ""
        day = parse_date(text)
        if day is not None:
            return day, ""
        if title == text or re.match(rf"{re.escape(text)}(?![^\W_])", title):
            self.notes.slide(
                index,
                "date",
                "is not a whole day (storymap's dates are YYYY-MM-DD); it begins the chapter's "
                "title already, so no date is set",
            )
            return None, ""
        self.notes.slide(
            index,
            "date",
            "is not a whole day (storymap's dates are YYYY-MM-DD); kept as italic text at the "
            "start of the chapter text",
        )
        return None, wrap(escape_line_start(escape(text)), "*")

    def media(
        self, index: int, raw: Any, title: str, *, where: str = "text"
    ) -> tuple[list[dict[str, str]], str]:
        """Pictures for the chapter, and a Markdown link line for what is not a picture."""
        if _empty(raw):
            return [], ""
        if not isinstance(raw, dict):
            self.notes.slide(index, "media", f"is {_kind(raw)}, not an object; dropped")
            return [], ""
        self.extras(index, raw, _KNOWN_MEDIA, "media.")
        url = str(raw.get("url") or "").strip()
        caption, _, cnotes = html_to_text(raw.get("caption"))
        credit, _, dnotes = html_to_text(raw.get("credit"))
        if not url:
            if caption or credit:
                self.notes.slide(index, "media", "has a caption or credit but no url; dropped")
            return [], ""
        if url.startswith("<"):
            return [], self.html_media(index, url, where)
        if url.startswith("//"):
            self.notes.slide(index, "media.url", "has no scheme; it is made https")
            url = "https:" + url
        if url_scheme(url) not in ("http", "https"):
            self.notes.slide(
                index,
                "media.url",
                f"{show(url)} is not an http(s) URL storymap can show; dropped",
            )
            return [], ""
        if is_image_url(url) and where == "text":
            for message in cnotes:
                self.notes.slide(index, "media.caption", message)
            for message in dnotes:
                self.notes.slide(index, "media.credit", message)
            item = {"src": url}
            if caption:
                item["alt"] = caption
                self.notes.slide(
                    index,
                    "media.alt",
                    "StoryMapJS has no alt text; it is taken from the caption: check that it "
                    "says what the image shows",
                )
            else:
                item["alt"] = f"Image for: {title}"
                self.notes.slide(
                    index,
                    "media.alt",
                    "StoryMapJS has no alt text and the caption is empty; it is set to "
                    "'Image for: <chapter title>': write what the image shows",
                )
            if caption:
                item["caption"] = caption
            if credit:
                item["credit"] = credit
            return [item], ""
        if is_image_url(url):
            label, what = "Image", "an image"
            self.notes.slide(
                index,
                "media.url",
                "an image on the title slide; storymap's title card has no pictures; kept as a "
                "link in the intro",
            )
        else:
            label, what = media_kind(url)
            self.notes.slide(index, "media.url", f"{what}; kept as a link in the {where}")
        caption_md, cnotes = html_to_markdown(raw.get("caption"))
        credit_md, dnotes = html_to_markdown(raw.get("credit"))
        for message in cnotes:
            self.notes.slide(index, "media.caption", message)
        for message in dnotes:
            self.notes.slide(index, "media.credit", message)
        line = f"[{label}]({link_destination(url)})"
        if caption_md:
            line += f" — {_one_paragraph(caption_md)}"
        if credit_md:
            line += f" (credit: {_one_paragraph(credit_md)})"
        return [], line

    def html_media(self, index: int, html: str, where: str) -> str:
        root, _ = parse(html)
        frame = find(root, "iframe")
        if frame is not None:
            src = frame.attrs.get("src", "").strip()
            if src.startswith("//"):
                src = "https:" + src
            if url_scheme(src) in ("http", "https"):
                label, _ = media_kind(src)
                self.notes.slide(
                    index, "media.url", f"an embedded <iframe>; kept as a link in the {where}"
                )
                return f"[{label}]({link_destination(src)})"
            self.notes.slide(
                index, "media.url", "an embedded <iframe> without an http(s) address; dropped"
            )
            return ""
        text, notes = html_to_markdown(html)
        for message in notes:
            self.notes.slide(index, "media.url", message)
        self.notes.slide(
            index, "media.url", f"HTML (a quote or embed) kept as Markdown in the {where}"
        )
        return text

    # the title card

    def title_card(self, overview: dict[str, Any] | None) -> dict[str, Any]:
        """Title, subtitle, date and intro from the overview slide (title None without one)."""
        card: dict[str, Any] = {}
        if overview is None:
            self.notes.add(
                "slides.0 is not an overview slide: the title is taken from the first "
                "chapter, and the story has no introduction"
            )
            return card
        text = overview.get("text") if isinstance(overview.get("text"), dict) else {}
        if overview.get("text") is not None and not isinstance(overview.get("text"), dict):
            self.notes.slide(0, "text", f"is {_kind(overview['text'])}, not an object; dropped")
        title, smalls, hnotes = html_to_text(text.get("headline"), urls=False)
        for message in hnotes:
            self.notes.slide(0, "text.headline", message)
        if not title and smalls:
            title = smalls.pop(0)
        card["title"] = title
        if smalls:
            card["subtitle"] = " — ".join(smalls)
            self.notes.slide(0, "text.headline", "its <small> part became the subtitle")
        date_text = _date_text(overview.get("date"))
        day = parse_date(date_text)
        prefix = ""
        if day is not None:
            card["date"] = day
        elif date_text:
            prefix = wrap(escape_line_start(escape(date_text)), "*")
            self.notes.slide(
                0,
                "date",
                f"{show(date_text)} is not a whole day (storymap's dates are YYYY-MM-DD); kept "
                "as italic text at the start of the intro",
            )
        intro, tnotes = html_to_markdown(text.get("text"))
        for message in tnotes:
            self.notes.slide(0, "text.text", message)
        _, link = self.media(0, overview.get("media"), title or "the story", where="intro")
        parts = [p for p in (prefix, intro, link) if p]
        if parts:
            card["intro"] = "\n\n".join(parts)
        if not _empty(overview.get("location")):
            self.notes.slide(
                0,
                "location",
                "the overview's location has no counterpart (storymap's title card shows the "
                "whole journey); dropped",
            )
        self.extras(0, overview, _KNOWN_SLIDE, "")
        self.extras(0, text, _KNOWN_TEXT, "text.")
        self.background(0, overview.get("background"))
        return card

    # places and chapters

    def places(self, chapters: list[_Slide]) -> tuple[dict[str, Any], list[str]]:
        places: dict[str, Any] = {}
        by_coordinates: dict[tuple[float, float], str] = {}
        names: dict[str, list[int]] = {}
        at: list[str] = []
        for slide in chapters:
            key = (round(float(slide.lat), 7), round(float(slide.lon), 7))
            pid = by_coordinates.get(key)
            if pid is not None:
                if not slide.name_from and slide.name != places[pid]["name"]:
                    self.notes.slide(
                        slide.index,
                        "location.name",
                        f"{show(slide.name)}: the same coordinates as place '{pid}' "
                        f"(named {show(places[pid]['name'])}); the chapter is at that place",
                    )
                at.append(pid)
                continue
            base = slugify(slide.name) or "place"
            pid, n = base, 2
            while pid in places:
                pid, n = f"{base}-{n}", n + 1
            by_coordinates[key] = pid
            places[pid] = {
                "name": slide.name,
                "lat": slide.lat,
                "lon": slide.lon,
                "source": f"StoryMapJS file {Path(self.source).name}",
            }
            names.setdefault(slide.name, []).append(slide.index)
            if slide.name_from:
                self.notes.slide(
                    slide.index,
                    "location.name",
                    f"is empty; the place is named after {slide.name_from}",
                )
            at.append(pid)
        for name, indexes in names.items():
            if len(indexes) > 1:
                self.notes.add(
                    f"places: {show(name)} names {len(indexes)} different coordinates "
                    f"(slides {_ranges(indexes)}); they are separate places, numbered in "
                    "their ids: check their names"
                )
        return places, at

    def journey(self, chapters: list[_Slide], at: list[str]) -> list[dict[str, Any]]:
        journey = []
        ids: set[str] = set()
        for n, (slide, pid) in enumerate(zip(chapters, at, strict=True)):
            chapter: dict[str, Any] = {"at": pid}
            if n:
                chapter["by"] = MODE
            if slide.uniqueid:
                if usable_id(slide.uniqueid) and not (
                    slide.uniqueid.isdigit() or slide.uniqueid in ids
                ):
                    chapter["id"] = slide.uniqueid
                    ids.add(slide.uniqueid)
                else:
                    self.notes.slide(
                        slide.index,
                        "uniqueid",
                        f"{show(slide.uniqueid)} is not a usable chapter id (letters, digits, "
                        "- and _, unique); the id is made from the chapter's place",
                    )
            chapter["title"] = slide.title
            if slide.date is not None:
                chapter["date"] = slide.date
            if slide.text:
                chapter["text"] = slide.text
            if slide.media:
                chapter["media"] = slide.media
            journey.append(chapter)
        return journey


def _empty(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, (str, list, dict)) and not value)


def _date_text(raw: Any) -> str:
    if raw is None or isinstance(raw, bool):
        return ""
    return collapse(str(raw)).strip()


def _one_paragraph(markdown: str) -> str:
    return re.sub(r"\n\n+", " ", markdown)


# --- YAML ----------------------------------------------------------------------------------------


def to_yaml(conversion: Conversion) -> str:
    """The story as YAML, headed by comments naming the source and listing the notes."""
    body = dump_yaml(conversion.story, width=4096, indent_lists=True, block_over=80)
    body = re.sub(
        rf"(?m)^(    by: {MODE})$",
        r"\1  # set by the import: StoryMapJS has no means of travel",
        body,
    )
    header = [
        f"# Imported from the StoryMapJS story {one_line(Path(conversion.source_name).name)}.",
        "# storymap story format v1; see the story format in storymap's README.",
    ]
    if conversion.notes:
        header += [
            "#",
            f"# What did not carry over as it was ({len(conversion.notes)} notes; slides count "
            "from 0, as in the JSON):",
        ]
        notes = (one_line(note) for note in conversion.notes)
        header += comment(notes, bullet="- ", split_words=False)
    return "\n".join(header) + "\n\n" + body
