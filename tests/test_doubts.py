"""Warnings: impossible speeds, land legs across the sea and sea legs across land, coordinates
without a source, legs drawn straight for want of a sea lane; and --strict."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from commands import run

from storymap.build import prepare
from storymap.doubts import SPEED_KMH
from storymap.model import MODES
from storymap.watch import Watcher

MINI = Path(__file__).parent / "fixtures" / "mini"

PLACES = {  # a town, its latitude and longitude
    "madrid": ("Madrid", 40.4165, -3.7026),
    "valencia": ("Valencia", 39.4699, -0.3763),
    "barcelona": ("Barcelona", 41.3888, 2.1590),
    "colombo": ("Colombo", 6.9355, 79.8487),
    "penang": ("George Town", 5.4112, 100.3354),
    "kandy": ("Kandy", 7.2906, 80.6337),
    "kisumu": ("Kisumu", -0.1022, 34.7617),
    "entebbe": ("Entebbe", 0.0564, 32.4795),
    "park": ("A park", 40.4153, -3.6845),
    "gate": ("A gate", 40.4195, -3.6890),
}


def write_story(folder: Path, legs: list[dict], *, sourced: bool = True) -> Path:
    """A story from madrid (or the first leg's ``from``) along ``legs`` (each ``at``, ``by``
    and any more fields of the chapter)."""
    used = dict.fromkeys([legs[0].get("from", "madrid"), *(leg["at"] for leg in legs)])
    used.update(dict.fromkeys(w for leg in legs for w in leg.get("via", ()) if isinstance(w, str)))
    lines = ["title: Doubts", "places:"]
    for pid in used:
        name, lat, lon = PLACES[pid]
        lines += [f"  {pid}:", f"    name: {name}", f"    lat: {lat}", f"    lon: {lon}"]
        if sourced:
            lines.append("    source: a map")
    lines += ["journey:", f"  - at: {legs[0].get('from', 'madrid')}", "    title: Start"]
    for leg in legs:
        lines += [f"  - at: {leg['at']}", f"    title: To {leg['at']}", f"    by: {leg['by']}"]
        for key in ("duration", "via"):
            if key in leg:
                value = leg[key]
                if isinstance(value, list):
                    value = (
                        "["
                        + ", ".join(
                            str(v) if isinstance(v, str) else f"[{v[0]}, {v[1]}]" for v in value
                        )
                        + "]"
                    )
                lines.append(f"    {key}: {value}")
    path = folder / "story.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def warnings_of(path: Path) -> list:
    return list(prepare(path).warnings)


def test_every_mode_has_a_speed_range():
    assert set(SPEED_KMH) == set(MODES)


def test_an_impossible_speed_names_the_chapter_length_duration_and_speed(tmp_path: Path):
    path = write_story(
        tmp_path, [{"at": "gate", "from": "park", "by": "walk", "duration": "1 min"}]
    )
    (warning,) = warnings_of(path)
    assert warning.path == "journey.1.duration" and warning.line is not None
    assert warning.message.startswith("the leg to 'To gate': ")
    assert " km in 1 min is " in warning.message and " km/h on average" in warning.message
    assert "faster than a walk leg can be (at most 10 km/h)" in warning.message


@pytest.mark.parametrize(
    ("start", "end", "by", "duration", "warned"),
    [
        ("park", "gate", "walk", "20 min", False),
        ("park", "gate", "bike", "5 min", False),
        ("park", "gate", "train", "5 s", True),
        ("madrid", "barcelona", "flight", "6 days", True),  # slower than any flight
        ("madrid", "barcelona", "flight", "1 h 15 min", False),
        ("madrid", "barcelona", "car", "1 h", True),
    ],
)
def test_speed_ranges(tmp_path: Path, start: str, end: str, by: str, duration: str, warned: bool):
    leg = {"at": end, "from": start, "by": by, "duration": duration}
    path = write_story(tmp_path, [leg])
    assert bool([w for w in warnings_of(path) if w.path.endswith(".duration")]) is warned


def test_a_land_leg_across_open_sea_is_warned_about(tmp_path: Path):
    # Valencia to Barcelona in a straight line runs across the Gulf of Valencia.
    path = write_story(
        tmp_path, [{"at": "valencia", "by": "train"}, {"at": "barcelona", "by": "train"}]
    )
    (warning,) = warnings_of(path)
    assert warning.path == "journey.2.by"
    assert "a train leg, but" in warning.message and "runs across open sea" in warning.message
    # Along the coast, through a waypoint on land, it does not.
    path = write_story(
        tmp_path,
        [
            {"at": "valencia", "by": "train"},
            {"at": "barcelona", "by": "train", "via": [[40.0, -0.05], [40.8, 0.6], [41.1, 1.2]]},
        ],
    )
    assert warnings_of(path) == []


def test_a_sea_leg_across_land_is_warned_about_and_a_sea_lane_is_not(tmp_path: Path):
    # A ferry told to go from the sea south-west of Sri Lanka to the sea north-east of it
    # crosses the island.
    legs = [{"from": "colombo", "at": "penang", "by": "ferry", "via": [[5.5, 79.0], [9.5, 82.5]]}]
    (warning,) = warnings_of(write_story(tmp_path, legs))
    assert warning.path == "journey.1.by"
    assert "a ferry leg, but" in warning.message and "runs across land" in warning.message
    # Without via:, the ship follows a sea lane round the island: no warning.
    assert (
        warnings_of(write_story(tmp_path, [{"from": "colombo", "at": "penang", "by": "ship"}]))
        == []
    )


def test_a_leg_drawn_straight_for_want_of_a_sea_lane_is_warned_about(tmp_path: Path):
    path = write_story(tmp_path, [{"from": "kisumu", "at": "entebbe", "by": "ferry"}])
    messages = [w.message for w in warnings_of(path) if w.path == "journey.1.by"]
    assert any("no sea lane was found from Kisumu to Entebbe" in m for m in messages)


def test_coordinates_without_a_source_are_warned_about(tmp_path: Path):
    path = write_story(tmp_path, [{"at": "park", "by": "walk"}], sourced=False)
    found = warnings_of(path)
    assert [w.path for w in found] == ["places.madrid", "places.park"]
    assert "the coordinates of 'Madrid' have no source; add source:" in found[0].message


def test_warnings_go_to_stderr_and_strict_makes_them_errors(tmp_path: Path):
    write_story(tmp_path, [{"at": "gate", "from": "park", "by": "walk", "duration": "1 min"}])
    built = run("build", "story.yaml", "-o", "page.html", "--tiles", "none", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert built.stderr.startswith("warning: story.yaml:")
    assert "faster than a walk leg can be" in built.stderr
    assert built.stdout.startswith("wrote page.html")
    page = (tmp_path / "page.html").read_bytes()

    strict = run(
        "build", "story.yaml", "-o", "page.html", "--tiles", "none", "--strict", cwd=tmp_path
    )
    assert strict.returncode == 2
    assert "faster than a walk leg can be" in strict.stderr and "Traceback" not in strict.stderr
    assert (tmp_path / "page.html").read_bytes() == page  # nothing written

    checked = run("validate", "story.yaml", cwd=tmp_path)
    assert checked.returncode == 0 and "warning: " in checked.stderr
    checked = run("validate", "story.yaml", "--strict", cwd=tmp_path)
    assert checked.returncode == 2 and "valid" not in checked.stdout


def test_strict_watch_fails_a_build_with_warnings_and_keeps_the_good_page(tmp_path: Path):
    folder = tmp_path / "story"
    shutil.copytree(MINI, folder)
    story = folder / "story.yaml"
    told = []
    watcher = Watcher(story, tmp_path / "page.html", {"tiles": None}, told.append, strict=True)
    assert watcher.build().ok and told[-1].warnings == ()
    good = (tmp_path / "page.html").read_bytes()
    text = story.read_text(encoding="utf-8")
    story.write_text(text.replace("    source: test value\n", "", 1), encoding="utf-8")
    outcome = watcher.poll()
    assert outcome is not None and not outcome.ok
    assert "have no source" in outcome.message
    assert (tmp_path / "page.html").read_bytes() == good
    lenient = Watcher(story, tmp_path / "other.html", {"tiles": None})
    outcome = lenient.build()
    assert outcome.ok and any("have no source" in w for w in outcome.warnings)
