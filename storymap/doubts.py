"""What a located, routed story may have wrong without being invalid: its warnings.

A warning is a :class:`~storymap.errors.Problem` like any other, said on standard error; the
build goes on (``--strict`` makes warnings errors). This module finds:

- a leg whose average speed is impossible for its mode (:data:`SPEED_KMH`);
- a land leg across open sea, and a sea leg across land (Natural Earth land, as the offline
  basemap draws it);
- a place whose coordinates were typed in without a ``source:``;
- what the route builder noted about a leg (``Leg.notes``, such as a sea lane not found);
- a ``lang:`` that storymap has no translation for (the page's words are then English).

The geocoder's own doubts (a name that several places share) come from
:func:`storymap.geocode.resolve`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path

from storymap.errors import Problem
from storymap.model import Leg, Story

#: The average speeds (km/h, over the leg's whole duration) a leg of each mode can have: below
#: the first or above the second, the duration, the mode or a place is wrong.
SPEED_KMH: dict[str, tuple[float, float]] = {
    "walk": (0.0, 10.0),
    "bike": (0.0, 45.0),
    "trolley": (0.0, 30.0),
    "bus": (0.0, 120.0),
    "car": (0.0, 180.0),
    "train": (0.0, 400.0),
    "boat": (0.0, 70.0),
    "ferry": (0.0, 80.0),
    "ship": (0.0, 70.0),
    "flight": (50.0, 1_100.0),
}

LAND_MODES = ("walk", "bike", "trolley", "bus", "car", "train")
SEA_MODES = ("ferry", "ship")
#: A land leg may cross this much open water at a stretch (a bridge, a causeway, a train ferry
#: between coasts that the coarse coastline puts apart) ...
MAX_SEA_KM = 60.0
#: ... and a sea leg this much land: away from its ends, and next to a port (an estuary, a
#: harbour up a river that the coastline does not show). A sea lane is not checked: it keeps
#: off land by its making, but for canals and rivers the coastline does not show.
MAX_LAND_KM = 30.0
MAX_LAND_AT_PORT_KM = 150.0
PORT_KM = 25.0  # a stretch of land that begins or ends this near a port is its approach
_STEP_KM = 2.0  # how often a leg is sampled for land and sea ...
_MAX_SAMPLES = 20_000  # ... at most


def doubts(story: Story, legs: Sequence[Leg]) -> list[Problem]:
    """Every warning about ``story`` and its ``legs``, in the order of the story file."""
    file = str(story.path) if story.path is not None else "<story>"
    found: list[Problem] = []
    untranslated = _language_doubt(story, file)
    if untranslated:
        found.append(untranslated)
    for pid, place in story.places.items():
        if place.line is not None and place.located and not place.source:
            found.append(
                Problem(
                    file,
                    place.line,
                    f"places.{pid}",
                    f"the coordinates of '{place.name}' have no source; add source: saying "
                    "where they come from (a map, a survey, an article)",
                )
            )
    tested = [leg for leg in legs if _tested(story, leg)]
    land = _Land(tested) if tested else None  # land only around the legs it is tested for
    tested_ids = {id(leg) for leg in tested}
    for leg in legs:
        chapter = story.chapters[leg.index]
        where = f"journey.{leg.index}"
        named = f"the leg to '{chapter.title}'"
        for note in leg.notes:
            found.append(Problem(file, chapter.line, f"{where}.by", f"{named}: {note}"))
        speed = _speed_doubt(leg)
        if speed:
            found.append(Problem(file, chapter.line, f"{where}.duration", f"{named}: {speed}"))
        if land is not None and id(leg) in tested_ids:
            crossing = land.doubt(leg)
            if crossing:
                found.append(Problem(file, chapter.line, f"{where}.by", f"{named}: {crossing}"))
    return sorted(found, key=lambda p: p.line or 0)


def top_line(story: Story, key: str) -> int | None:
    """The line of the story file where its top-level ``key:`` is, for a warning about it."""
    if story.path is None:
        return None
    try:
        text = Path(story.path).read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        return None
    found = re.search(rf"^{re.escape(key)}[ \t]*:", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else None


def picture_doubts(story: Story) -> list[Problem]:
    """Warnings for the picture of the journey: a title or subtitle with letters its fonts
    lack (:func:`storymap.image.missing_letters`), which it draws without them."""
    from storymap.image import missing_letters

    file = str(story.path) if story.path else "<story>"
    found = []
    for key in ("title", "subtitle"):
        lacking = missing_letters(getattr(story, key) or "")
        if lacking:
            shown = lacking[:12] + ("…" if len(lacking) > 12 else "")
            found.append(
                Problem(
                    file,
                    top_line(story, key),
                    key,
                    f"the picture's font has no letters for {shown}; the picture's {key} is "
                    "drawn without them (the page shows every letter)",
                )
            )
    return found


def _language_doubt(story: Story, file: str) -> Problem | None:
    """A warning when no translation file serves the story's ``lang:`` (nor its base language)."""
    from storymap import i18n

    if i18n.resolve(story.lang):
        return None
    return Problem(
        file,
        top_line(story, "lang"),
        "lang",
        f"storymap has no translation for '{story.lang}', so the page's own words (buttons, "
        f"labels, dates) are in English; use one of: {', '.join(i18n.available())}, or add "
        f"storymap/i18n/{i18n.base(story.lang)}.json, a translated copy of en.json",
    )


def _tested(story: Story, leg: Leg) -> bool:
    """Whether ``leg`` is tested for land and sea: a land or sea leg, but not a sea lane
    (which keeps off land by its making) unless no lane was found for it."""
    if leg.mode.name not in LAND_MODES + SEA_MODES:
        return False
    chapter = story.chapters[leg.index]
    lane = leg.mode.name in SEA_MODES and not chapter.via and chapter.route is None
    return not (lane and not leg.notes)


def _speed_doubt(leg: Leg) -> str | None:
    speed = leg.speed_kmh
    bounds = SPEED_KMH.get(leg.mode.name)
    if speed is None or bounds is None or leg.duration_h is None:
        return None
    low, high = bounds
    if low <= speed <= high:
        return None
    said = f"{_km(leg.length_km)} in {_duration(leg.duration_h)} is {_speed(speed)} on average"
    if speed > high:
        limit = f"faster than a {leg.mode.name} leg can be (at most {high:,.0f} km/h)"
    else:
        limit = f"slower than a {leg.mode.name} leg can be (at least {low:,.0f} km/h)"
    return f"{said}, {limit}; check duration:, by: and the places"


def _km(km: float) -> str:
    return f"{km:,.1f} km" if km < 100 else f"{km:,.0f} km"


def _speed(kmh: float) -> str:
    return f"{kmh:,.1f} km/h" if kmh < 100 else f"{kmh:,.0f} km/h"


def _duration(hours: float) -> str:
    from storymap.text import hours_label

    return hours_label(hours) or "0 min"


class _Land:
    """Natural Earth land (1:50m) around the legs, for testing where they run."""

    def __init__(self, legs: Sequence[Leg]):
        from storymap.basemap import land_test

        xs = [x for leg in legs for x, _ in leg.line.coords]
        ys = [y for leg in legs for _, y in leg.line.coords]
        self.on_land = land_test(min(ys) - 1, min(xs) - 1, max(ys) + 1, max(xs) + 1)

    def doubt(self, leg: Leg) -> str | None:
        if leg.mode.name not in LAND_MODES + SEA_MODES:
            return None
        on_land, steps = self._samples(leg)
        if leg.mode.name in LAND_MODES:
            runs = _runs(~on_land, steps)
            longest = max((km for km, _, _ in runs), default=0.0)
            if longest > MAX_SEA_KM:
                return (
                    f"a {leg.mode.name} leg, but {_km(longest)} of it runs across open sea; "
                    "check by: and the places, or give via: waypoints or a route: file"
                )
            return None
        runs = _runs(on_land, steps)
        worst = 0.0
        for km, at_start, at_end in runs:
            limit = MAX_LAND_AT_PORT_KM if (at_start or at_end) else MAX_LAND_KM
            if km > limit:
                worst = max(worst, km)
        if worst:
            return (
                f"a {leg.mode.name} leg, but {_km(worst)} of it runs across land; give via: "
                "waypoints at sea or a route: file"
            )
        return None

    def _samples(self, leg: Leg):
        import numpy as np

        coords = np.asarray(leg.line.coords, dtype=float)
        lon, lat = coords[:, 0], coords[:, 1]
        seg = _haversine(lat[:-1], lon[:-1], lat[1:], lon[1:])
        total = float(seg.sum())
        step = max(_STEP_KM, total / _MAX_SAMPLES)
        pieces_lon, pieces_lat, pieces_km = [lon[:1]], [lat[:1]], [np.zeros(1)]
        for i, km in enumerate(seg.tolist()):
            n = max(1, math.ceil(km / step))
            t = np.arange(1, n + 1) / n
            pieces_lon.append(lon[i] + (lon[i + 1] - lon[i]) * t)
            pieces_lat.append(lat[i] + (lat[i + 1] - lat[i]) * t)
            pieces_km.append(np.full(n, km / n))
        xs, ys = np.concatenate(pieces_lon), np.concatenate(pieces_lat)
        steps = np.concatenate(pieces_km)
        return self.on_land(xs, ys), steps


def _runs(mask, steps) -> list[tuple[float, bool, bool]]:
    """The stretches where ``mask`` holds: (km, whether it begins within :data:`PORT_KM` of
    the start, whether it ends within it of the end)."""
    import numpy as np

    flags = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(flags.astype(np.int8)))
    at = np.cumsum(steps)  # km from the start to each sample
    total = float(at[-1]) if len(at) else 0.0
    runs = []
    for first, stop in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        begin = float(at[first - 1]) if first > 0 else 0.0
        end = float(at[stop]) if stop < len(at) else total
        runs.append((end - begin, begin <= PORT_KM, total - end <= PORT_KM))
    return runs


def _haversine(lat1, lon1, lat2, lon2):
    import numpy as np

    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(h)))
