"""The offline map in Chromium, chapter by chapter: stops, badges and labels clear of each other
and of the controls, land and sea where Natural Earth has them, rivers and towns, and framing
the offline data can fill.

Two stories, built with no tiles: the flagship (Pyongyang to Moscow) and Phileas Fogg's
journey round the world (``fixtures/world``), which crosses the 180° meridian and ends 360° of
longitude east of where it starts. Each page is opened with reduced motion, so that a chapter
change jumps instead of flying, on a desktop (1280×800) and a phone (390×844).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mapcheck import (
    HIDE_ALL_BUT_LAND_AND_SEA,
    TITLE_CARD,
    LandSea,
    ReferenceFailed,
    chapter_name,
    clip,
    distance_to_rect,
    fmt,
    inside,
    land_sea_mismatch,
    open_story,
    overlap,
    panes,
    snapshot,
    stop_numbers,
    visit,
    water_near,
)

from storymap.build import build

ROOT = Path(__file__).parent.parent
STORIES = {
    "flagship": ROOT / "data" / "story.yaml",
    "world": Path(__file__).parent / "fixtures" / "world" / "story.yaml",
}
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}
FRIENDSHIP_BRIDGE = (42.415167, 130.641056)
LABEL_REACH = 200  # px: a place's label sits beside its stop, at most this far from it
MAX_MISMATCH = 0.01  # of the compared pixels, per chapter
PHONE_LAND_CHAPTERS = {"flagship": [1, 3], "world": [0, 10, 16]}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each story built once, with ``--tiles none``."""
    folder = tmp_path_factory.mktemp("offline")
    built = {}
    for name, story in STORIES.items():
        target = build(story, folder / f"{name}.html", tiles=None).page
        built[name] = target
    return built


def story_page(page_factory, pages: dict[str, Path], story: str, viewport: str):
    page = page_factory(viewport=VIEWPORTS[viewport], reduced_motion="reduce")
    open_story(page, pages[story])
    data = page.evaluate(
        "() => ({chapters: storymap.app.data.chapters.map(c => ({title: c.title,"
        " place: c.place, leg: c.leg ? {mode: c.leg.mode} : null}))})"
    )
    return page, data


def report(failures: dict[str, list[str]], where: str) -> str:
    lines = [f"{where}:"]
    for check, found in failures.items():
        if found:
            lines.append(f"  {check} ({len(found)}):")
            lines += [f"    - {f}" for f in found[:25]]
            if len(found) > 25:
                lines.append(f"    - ... and {len(found) - 25} more")
    return "\n".join(lines)


# --- a, b, f, g: every chapter's layout -----------------------------------------------------------


def badges_clear_of_stops(snap: dict, where: str) -> list[str]:
    """a. No mode badge (other than the moving vehicle) covers a stop number."""
    out = []
    stops = [s for s in snap["stops"] if s["onMap"]]
    for badge in (b for b in snap["badges"] if b["onMap"]):
        seen = clip(badge["rect"], snap["map"])
        for stop in stops:
            if overlap(seen, clip(stop["rect"], snap["map"])):
                out.append(
                    f"{where}: a mode badge {fmt(badge['rect'])} overlaps stop "
                    f"{stop['text']!r} {fmt(stop['rect'])}"
                )
    return out


def clear_placement(what: str, r: dict, snap: dict, where: str) -> list[str]:
    out = []
    if not inside(r, snap["map"]):
        out.append(f"{where}: {what} {fmt(r)} is not inside the map {fmt(snap['map'])}")
    for control in snap["controls"]:
        if overlap(r, control["rect"]):
            out.append(
                f"{where}: {what} {fmt(r)} is under the control {control['name']!r} "
                f"{fmt(control['rect'])}"
            )
    return out


def chapter_in_view(snap: dict, data: dict, index: int, where: str) -> list[str]:
    """b. The chapter's stop, its label and the leg's start are inside the map, clear of
    every control. A label may be hidden only when its stop is grouped with another."""
    out = []
    current = [s for s in snap["stops"] if s["current"] and s["shown"]]
    if not current:
        return [f"{where}: no stop marker is shown as current (.sm-stop-current)"]
    for stop in current:
        out += clear_placement(f"the current stop {stop['text']!r}", stop["rect"], snap, where)
    grouped = any(s["group"] for s in current)

    place = data["chapters"][index]["place"]
    here = snap["places"][index]
    mine = [lab for lab in snap["labels"] if lab["text"] == place["name"] and lab["shown"]]
    if mine:
        label = min(mine, key=lambda lab: distance_to_rect(here["x"], here["y"], lab["rect"]))
        out += clear_placement(f"the label {place['name']!r}", label["rect"], snap, where)
    elif not grouped:
        out.append(f"{where}: the label {place['name']!r} is not shown, and its stop is alone")

    if index > 0 and data["chapters"][index]["leg"]:
        start = [s for s in snap["stops"] if s["shown"] and index in stop_numbers(s["text"])]
        for stop in start:  # the leg's start: stop number `index` (1-based), if drawn
            out += clear_placement(
                f"the leg's start, stop {stop['text']!r}", stop["rect"], snap, where
            )
    return out


def zoom_within_data(snap: dict, where: str) -> list[str]:
    """f. The map is not zoomed in past what the offline data supports."""
    if snap["maxZoom"] is None:
        return [f"{where}: the page's data has no basemap.maxZoom"]
    if snap["zoom"] > snap["maxZoom"]:
        return [f"{where}: zoom {snap['zoom']} is past the basemap's maxZoom {snap['maxZoom']}"]
    return []


def labels_beside_stops(snap: dict, where: str) -> list[str]:
    """g. Each label on the map is near a stop of its place (on the same copy of the world)."""
    out = []
    for label in (lab for lab in snap["labels"] if lab["onMap"]):
        spots = [p for p in snap["places"] if p["name"] == label["text"]]
        spots = spots or [p for p in snap["places"] if p["name"] in label["text"]]
        if not spots:
            out.append(f"{where}: the label {label['text']!r} names no place of the story")
            continue
        near = min(distance_to_rect(p["x"], p["y"], label["rect"]) for p in spots)
        if near > LABEL_REACH:
            out.append(
                f"{where}: the label {label['text']!r} {fmt(label['rect'])} is {near:.0f} px "
                f"from the nearest stop of its place (at most {LABEL_REACH})"
            )
    return out


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("story", STORIES)
def test_every_chapter_keeps_stops_badges_and_labels_clear(
    page_factory, pages: dict[str, Path], story: str, viewport: str
) -> None:
    """a, b, f and g at the title card and at every chapter, on one page."""
    page, data = story_page(page_factory, pages, story, viewport)
    failures: dict[str, list[str]] = {
        "a. mode badges over stop numbers": [],
        "b. the chapter's stops and label in the map, clear of the controls": [],
        "f. zoom within the offline data": [],
        "g. labels beside their stops": [],
    }
    a, b, f, g = failures.values()
    for index in [TITLE_CARD, *range(len(data["chapters"]))]:
        visit(page, index)
        snap = snapshot(page)
        assert snap["current"] == index
        where = chapter_name(data, index)
        a += badges_clear_of_stops(snap, where)
        if index != TITLE_CARD:
            b += chapter_in_view(snap, data, index, where)
        f += zoom_within_data(snap, where)
        g += labels_beside_stops(snap, where)
    if any(failures.values()):
        pytest.fail(report(failures, f"{story} on a {viewport}"), pytrace=False)


# --- c: land and sea ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("story", "viewport"),
    [("flagship", "desktop"), ("world", "desktop"), ("flagship", "phone"), ("world", "phone")],
)
def test_land_and_sea_agree_with_natural_earth_10m(
    page_factory, pages: dict[str, Path], story: str, viewport: str
) -> None:
    """c. With everything but the land and sea fills hidden, the map's pixels are land where
    Natural Earth's unsimplified 1:10m land is, and sea where it is not (coasts aside)."""
    page, data = story_page(page_factory, pages, story, viewport)
    page.add_style_tag(content=HIDE_ALL_BUT_LAND_AND_SEA)
    chapters = range(len(data["chapters"]))
    if viewport == "phone":
        chapters = PHONE_LAND_CHAPTERS[story]
    results: dict[int, LandSea] = {}
    errors: dict[int, str] = {}
    unhidden: dict[str, list[int]] = {}  # class: chapters where the style left lines showing
    for index in chapters:
        visit(page, index)
        found = panes(page)
        for pane in found["stroked"]:
            unhidden.setdefault(pane, []).append(index + 1)
        try:
            results[index] = land_sea_mismatch(page)
        except ReferenceFailed as exc:
            errors[index] = str(exc)
    bad = {
        i: r for i, r in results.items() if r.fraction >= MAX_MISMATCH or r.compared < r.sampled / 2
    }
    if not bad and not errors and not unhidden:
        return
    message = [f"{story} on a {viewport}:"]
    if unhidden:
        where = "; ".join(f"{p} in chapters {n}" for p, n in sorted(unhidden.items()))
        message.append(
            f"  stroked lines still show with all but the sea and land fills hidden: "
            f"{where}. Rivers and lake shores are path.sm-bm-water, coasts and borders "
            "path.sm-bm-lines"
        )
    if results:
        worst = max(results, key=lambda i: results[i].fraction)
        message[0] += (
            f" the worst is {chapter_name(data, worst)}, "
            f"{100 * results[worst].fraction:.2f}% of its pixels disagree"
        )
    for i, r in bad.items():
        problem = "" if r.compared >= r.sampled / 2 else "less than half the map is land or sea; "
        message.append(f"  - {chapter_name(data, i)}: {problem}{r.summary()}")
    for i, error in errors.items():
        message.append(f"  - {chapter_name(data, i)}: no reference: {error}")
    pytest.fail("\n".join(message), pytrace=False)


# --- d: the Tumen at the Friendship Bridge -------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_river_passes_the_friendship_bridge(
    page_factory, pages: dict[str, Path], viewport: str
) -> None:
    """d. In the trolley chapter a river of the basemap runs within 10 px of the bridge."""
    page, data = story_page(page_factory, pages, "flagship", viewport)
    trolley = [
        i for i, c in enumerate(data["chapters"]) if (c["leg"] or {}).get("mode") == "trolley"
    ]
    assert len(trolley) == 1, "the flagship has one trolley leg"
    visit(page, trolley[0])
    found = water_near(page, *FRIENDSHIP_BRIDGE)
    where = f"flagship on a {viewport}, {chapter_name(data, trolley[0])}"
    if not found["drawn"]:
        pytest.fail(
            f"{where}: no water path (path.sm-bm-water) drawn; the map's panes are "
            f"{panes(page)['panes']}",
            pytrace=False,
        )
    if found["distance"] > 10:
        pytest.fail(
            f"{where}: the nearest water line ({found['stroke']}) is {found['distance']:.1f} px "
            f"from the Friendship Bridge, among {found['drawn']} paths",
            pytrace=False,
        )


# --- e: towns along the train ride ---------------------------------------------------------------


def test_towns_label_the_train_ride(page_factory, pages: dict[str, Path]) -> None:
    """e. In the flagship's long train ride, three or more towns are labelled, clear of every
    other label and stop, and none repeats the name of one of the story's places."""
    page, data = story_page(page_factory, pages, "flagship", "desktop")
    visit(page, 1)
    assert data["chapters"][1]["leg"]["mode"] == "train"
    snap = snapshot(page)
    where = f"flagship on a desktop, {chapter_name(data, 1)}"
    shown = [t for t in snap["towns"] if t["shown"]]
    towns = [t for t in shown if inside(t["rect"], snap["map"])]
    problems = []
    if len(towns) < 3:
        problems.append(f"{len(towns)} town labels inside the map: {[t['text'] for t in towns]}")
    names = {c["place"]["name"].casefold() for c in data["chapters"]}
    heads = {n.split(" (")[0].split(",")[0].strip() for n in names}
    others = [("place label", lab) for lab in snap["labels"] if lab["shown"]]
    others += [("stop", s) for s in snap["stops"] if s["shown"]]
    reported: set[frozenset[int]] = set()
    for town in towns:
        name = town["text"].casefold()
        if name in names or name in heads:
            problems.append(f"the town {town['text']!r} repeats a place of the story")
        for kind, other in others + [("town", t) for t in shown if t is not town]:
            pair = frozenset([id(town), id(other)])
            if pair in reported or not overlap(town["rect"], other["rect"]):
                continue
            reported.add(pair)
            problems.append(
                f"the town {town['text']!r} {fmt(town['rect'])} overlaps the {kind} "
                f"{other['text']!r} {fmt(other['rect'])}"
            )
    if problems:
        pytest.fail(f"{where}:\n  - " + "\n  - ".join(problems), pytrace=False)
