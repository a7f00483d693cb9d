"""The story as immutable values, and the registry of transport modes.

Coordinate order: a :class:`Place` holds ``lat``/``lon`` by name; a leg's
:class:`shapely.LineString` holds GeoJSON order, (lon, lat). The one place that
converts between the two is :func:`storymap.routes.to_lonlat` /
:func:`storymap.routes.to_latlon`; route files are read in (lon, lat) by
:mod:`storymap.tracks`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # shapely is imported lazily; only type checkers need it here
    from shapely import LineString


def read(
    check: str,
    *,
    key: str | None = None,
    example: str | None = None,
    leg: bool = False,
    choices: tuple[str, ...] = (),
    **kwargs: Any,
) -> Any:
    """A field that the story file sets: ``check`` names the :mod:`storymap.story` checker that
    reads it (``check_<name>``), ``key`` its name in the file when that differs, ``example`` a
    value to suggest when a required field is missing (a field with an example is required),
    ``leg`` that it describes the leg leading to a chapter (so the first chapter has none),
    ``choices`` the words a ``choice`` field may take.
    Fields made without it (ids given by a mapping's key, lines, what load reads from files)
    are not written in the story file."""
    meta = {"check": check, "key": key, "example": example, "leg": leg, "choices": choices}
    return field(metadata=meta, **kwargs)


def file_keys(cls: type) -> tuple[str, ...]:
    """The keys a story file may give for ``cls``, in the model's order."""
    return tuple(f.metadata.get("key") or f.name for f in fields(cls) if "check" in f.metadata)


@dataclass(frozen=True)
class Mode:
    """How a leg was travelled, and how it is drawn."""

    name: str
    label: str
    color: str
    dash: str | None  # a Leaflet/SVG dashArray, None for a solid line
    icon: str  # the file name of its SVG icon in storymap/static/icons/
    geodesic: bool = False  # drawn as a great-circle arc instead of along waypoints
    sea: bool = False  # without waypoints or a route file, drawn along a sea lane


MODES: dict[str, Mode] = {
    m.name: m
    for m in (
        Mode("walk", "On foot", "#6d4c41", "2 6", "walk.svg"),
        Mode("bike", "Bicycle", "#15803d", "5 3", "bike.svg"),
        Mode("bus", "Bus", "#d97706", None, "bus.svg"),
        Mode("car", "Car", "#7c3aed", None, "car.svg"),
        Mode("train", "Train", "#1d4ed8", "10 4 2 4", "train.svg"),
        Mode("trolley", "Hand-pushed rail trolley", "#dc2626", "6 4", "trolley.svg"),
        Mode("boat", "Boat", "#be185d", "8 3 2 3", "boat.svg"),
        Mode("ferry", "Ferry", "#0891b2", "12 6", "ferry.svg", sea=True),
        Mode("ship", "Ship", "#1e3a8a", "18 5", "ship.svg", sea=True),
        Mode("flight", "Flight", "#475569", "1 7", "plane.svg", geodesic=True),
    )
}


LAYOUTS = ("panel", "scroll")
UNITS = ("metric", "imperial")
THEMES = ("auto", "light", "dark")


@dataclass(frozen=True)
class Source:
    title: str = read("text", example="Where the facts come from")
    url: str | None = read("link", default=None)


@dataclass(frozen=True)
class Place:
    """A place of the story. ``lat``/``lon`` are None until the place is located."""

    id: str  # its key under places:
    name: str = read("text", example="The name shown on the map")
    lat: float | None = read("latitude", default=None)
    lon: float | None = read("longitude", default=None)
    query: str | None = read("text", default=None)
    country: str | None = read("text", default=None)  # an ISO code or a name: narrows a lookup
    aliases: tuple[str, ...] = read("aliases", default=())
    source: str | None = read("text", default=None)
    line: int | None = None  # where the place is defined in the story file

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None


MEDIA_KINDS = ("image", "link", "video", "audio", "youtube", "vimeo")


@dataclass(frozen=True)
class Media:
    src: str = read("text", example="media/photo.jpg")  # an https URL, or a path beside the story
    alt: str | None = read("text", default=None)  # required for pictures (storymap.story)
    caption: str | None = read("text", default=None)
    credit: str | None = read("text", default=None)
    # What it is (one of MEDIA_KINDS): a local picture, a link to a remote one, a video or
    # sound file (local or remote), or a YouTube or Vimeo video.
    kind: str = field(default="image", compare=False)
    # A local file as embedded in the page, read (and, for a picture, scaled down) at load;
    # None for a URL, and for a video or sound file too large to embed (copied beside the page).
    mime: str | None = field(default=None, compare=False, repr=False)
    data: bytes | None = field(default=None, compare=False, repr=False)
    file: Path | None = field(default=None, compare=False, repr=False)  # a local file, resolved
    video: Any = field(default=None, compare=False, repr=False)  # a storymap.media.VideoLink

    @property
    def label(self) -> str:
        """Its accessible name: for a video or a sound its caption, else its alt text."""
        if self.kind in ("image", "link"):
            return self.alt or ""
        return self.caption or self.alt or ("sound" if self.kind == "audio" else "video")


# A waypoint of a leg: a place id, or an explicit (lat, lon).
Waypoint = str | tuple[float, float]


@dataclass(frozen=True)
class Chapter:
    """One stop of the journey, and the leg that led to it (none for the first)."""

    at: str = read("place")  # a place id
    title: str = read("text", example="What happens here")
    id: str = read("chapter_id")  # given, or its place's id (numbered when it repeats)
    date: dt.date | None = read("date", default=None)
    text: str = read("text", default="")  # Markdown
    media: tuple[Media, ...] = read("media", default=())
    # The leg that leads here; none of these may be given for the first chapter.
    by: str | None = read("mode", leg=True, default=None)  # a key of MODES; None only for the first
    via: tuple[Waypoint, ...] = read("via", leg=True, default=())
    route: Path | None = read(
        "route", leg=True, default=None
    )  # an absolute path to a GeoJSON or GPX file
    duration_h: float | None = read("duration", key="duration", leg=True, default=None)
    line: int | None = None
    # The route file's points as (lon, lat), read and checked at load (storymap.tracks):
    # a list, or an (n, 2) numpy array for a long track.
    track: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Story:
    title: str = read("text", example="The title of the story")
    places: dict[str, Place] = read("places")
    chapters: tuple[Chapter, ...] = read("journey", key="journey")
    path: Path | None = None  # the story file; relative files are resolved beside it
    subtitle: str | None = read("text", default=None)
    byline: str | None = read("text", default=None)
    date: dt.date | None = read("date", default=None)
    intro: str | None = read("text", default=None)
    sources: tuple[Source, ...] = read("sources", default=())
    # an xyzservices name, or None for no tiles
    tiles: str | None = read("tiles", default="OpenStreetMap.Mapnik")
    url: str | None = read("link", default=None)  # the page's public address, for share cards
    # how the page shows the story: one chapter at a time in a panel, or an article that scrolls
    layout: str = read("choice", default="panel", choices=LAYOUTS)
    lang: str = read("lang", default="en")  # the language of the story and its page (BCP 47)
    units: str | None = read("choice", default=None, choices=UNITS)  # None: the language's
    theme: str = read("choice", default="auto", choices=THEMES)  # auto: the reader's setting

    def place_of(self, chapter: Chapter) -> Place:
        return self.places[chapter.at]


@dataclass(frozen=True)
class Leg:
    """The way from one chapter's place to the next's."""

    index: int  # the index of the chapter this leg leads to (1 for the first leg)
    mode: Mode
    start: str  # place id
    end: str  # place id
    line: LineString = field(repr=False)  # (lon, lat); longitudes unwrapped across 180°
    length_km: float
    duration_h: float | None = None
    # Short sentences on how the leg was drawn, when that is not what the story asked for
    # (a sea leg left straight because no sea lane was found).
    notes: tuple[str, ...] = ()

    @property
    def speed_kmh(self) -> float | None:
        if not self.duration_h:
            return None
        return self.length_km / self.duration_h


@dataclass(frozen=True)
class Route:
    """A routed journey: everything the page is drawn from beyond the story itself.

    Longitudes are in the journey's frame: unwrapped along the way, so they may lie beyond
    ±180° (see :mod:`storymap.routes`).
    """

    legs: tuple[Leg, ...]  # one per chapter after the first, in order
    positions: tuple[tuple[float, float], ...]  # each chapter's place, (lat, lon)
    bounds: list[list[float]]  # [[south, west], [north, east]] of every place and leg
    total_km: float  # the length of the whole journey
    paths: tuple[tuple[tuple[float, float], ...], ...] = field(repr=False)  # legs', (lat, lon)
