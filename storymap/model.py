"""The story as immutable values, and the registry of transport modes.

Coordinate order: a :class:`Place` holds ``lat``/``lon`` by name; a leg's
:class:`shapely.LineString` holds GeoJSON order, (lon, lat). The one place that
converts between the two is :func:`storymap.routes.to_lonlat` /
:func:`storymap.routes.to_latlon`; route files are read in (lon, lat) by
:mod:`storymap.tracks`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # shapely is imported lazily; only type checkers need it here
    from shapely import LineString


@dataclass(frozen=True)
class Mode:
    """How a leg was travelled, and how it is drawn."""

    name: str
    label: str
    color: str
    dash: str | None  # a Leaflet/SVG dashArray, None for a solid line
    icon: str  # the file name of its SVG icon in storymap/static/icons/
    geodesic: bool = False  # drawn as a great-circle arc instead of along waypoints


MODES: dict[str, Mode] = {
    m.name: m
    for m in (
        Mode("walk", "On foot", "#6d4c41", "2 6", "walk.svg"),
        Mode("bus", "Bus", "#d97706", None, "bus.svg"),
        Mode("car", "Car", "#7c3aed", None, "car.svg"),
        Mode("train", "Train", "#1d4ed8", "10 4 2 4", "train.svg"),
        Mode("trolley", "Hand-pushed rail trolley", "#dc2626", "6 4", "trolley.svg"),
        Mode("ferry", "Ferry", "#0891b2", "12 6", "ferry.svg"),
        Mode("flight", "Flight", "#475569", "1 7", "plane.svg", geodesic=True),
    )
}


@dataclass(frozen=True)
class Source:
    title: str
    url: str | None = None


@dataclass(frozen=True)
class Place:
    """A place of the story. ``lat``/``lon`` are None until the place is located."""

    id: str
    name: str
    lat: float | None = None
    lon: float | None = None
    query: str | None = None
    aliases: tuple[str, ...] = ()
    source: str | None = None
    line: int | None = None  # where the place is defined in the story file

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class Media:
    src: str  # an https URL, or a path relative to the story file
    alt: str | None = None
    caption: str | None = None
    credit: str | None = None
    # A local image as embedded in the page, read (and scaled down) at load; None for a URL.
    mime: str | None = field(default=None, compare=False, repr=False)
    data: bytes | None = field(default=None, compare=False, repr=False)


# A waypoint of a leg: a place id, or an explicit (lat, lon).
Waypoint = str | tuple[float, float]


@dataclass(frozen=True)
class Chapter:
    """One stop of the journey, and the leg that led to it (none for the first)."""

    id: str
    at: str  # a place id
    title: str
    date: dt.date | None = None
    text: str = ""  # Markdown
    media: tuple[Media, ...] = ()
    by: str | None = None  # a key of MODES; None only for the first chapter
    via: tuple[Waypoint, ...] = ()
    route: Path | None = None  # an absolute path to a GeoJSON or GPX file
    duration_h: float | None = None
    line: int | None = None
    # The route file's points as (lon, lat), read and checked at load (storymap.tracks):
    # a list, or an (n, 2) numpy array for a long track.
    track: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Story:
    title: str
    places: dict[str, Place]
    chapters: tuple[Chapter, ...]
    path: Path | None = None  # the story file; relative files are resolved beside it
    subtitle: str | None = None
    byline: str | None = None
    date: dt.date | None = None
    intro: str | None = None
    sources: tuple[Source, ...] = ()
    tiles: str | None = "OpenStreetMap.Mapnik"  # an xyzservices name, or None for no tiles

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
