"""The story loader: valid stories become values, and every problem names file, line and field."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from storymap.errors import StoryError
from storymap.story import load, loads, parse_duration

VALID = """\
title: A short trip
subtitle: Two stops
date: 2021-02-25
places:
  home:
    name: Home
    lat: 42.43
    lon: 130.64
  away:
    name: Away
    query: Vladivostok
journey:
  - at: home
    title: Leaving home
    date: 2021-02-24
    text: We *left*.
  - at: away
    by: bus
    via: [[42.9, 131.5]]
    duration: 4h30m
    title: Arriving
"""


def problems(text: str, tmp_path: Path) -> list[str]:
    story = tmp_path / "story.yaml"
    story.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(StoryError) as info:
        load(story)
    prefix = f"{story}:"
    return [str(p).removeprefix(prefix) for p in info.value.problems]


def test_valid_story_becomes_values(tmp_path: Path) -> None:
    story = loads(VALID, file="s.yaml", base_dir=tmp_path)
    assert story.title == "A short trip"
    assert story.date == dt.date(2021, 2, 25)
    assert story.tiles == "OpenStreetMap.Mapnik"
    assert story.places["home"].lat == 42.43 and story.places["home"].line == 5
    assert story.places["away"].located is False and story.places["away"].query == "Vladivostok"
    first, second = story.chapters
    assert (first.id, first.by, first.line) == ("home", None, 13)
    assert (second.id, second.by, second.via, second.duration_h) == (
        "away",
        "bus",
        ((42.9, 131.5),),
        4.5,
    )


def test_tiles_none_and_duplicate_titles(tmp_path: Path) -> None:
    text = VALID.replace("subtitle: Two stops", "tiles: none").replace(
        "title: Arriving", "title: Leaving home"
    )
    story = loads(text, file="s.yaml", base_dir=tmp_path)
    assert story.tiles is None
    assert [c.id for c in story.chapters] == ["home", "away"]


def chapters(*rows: str) -> str:
    """A story whose journey is ``rows``: each '<place> [<id>]' and a title made from it."""
    places = "places:\n" + "".join(
        f"  {p}: {{name: {p}, lat: 1, lon: 2}}\n" for p in ("khasan", "moscow", "хасан")
    )
    journey = "journey:\n"
    for n, row in enumerate(rows):
        at, _, given = row.partition(" ")
        journey += f"  - at: {at}\n    title: Chapter {n}\n"
        journey += f"    id: {given}\n" if given else ""
        journey += "    by: walk\n" if n else ""
    return "title: T\n" + places + journey


@pytest.mark.parametrize(
    ("rows", "ids"),
    [
        (["khasan", "moscow"], ["khasan", "moscow"]),
        (["khasan", "moscow", "khasan", "khasan"], ["khasan", "moscow", "khasan-2", "khasan-3"]),
        # an id the story gives keeps its name; a default that meets it is numbered past it
        (["khasan", "moscow khasan"], ["khasan-2", "khasan"]),
        (["moscow khasan", "khasan", "khasan khasan-2"], ["khasan", "khasan-3", "khasan-2"]),
        (["хасан", "хасан", "moscow café"], ["хасан", "хасан-2", "café"]),
        (["khasan 東京", "moscow moscow_2"], ["東京", "moscow_2"]),
    ],
)
def test_default_chapter_ids_are_place_ids(rows: list[str], ids: list[str], tmp_path) -> None:
    story = loads(chapters(*rows), file="s.yaml", base_dir=tmp_path)
    assert [c.id for c in story.chapters] == ids


def test_rewording_a_title_changes_no_id(tmp_path: Path) -> None:
    text = chapters("khasan", "moscow", "khasan", "moscow moscow")
    before = [c.id for c in loads(text, file="s.yaml", base_dir=tmp_path).chapters]
    reworded = text.replace("title: Chapter ", "title: Reworded (once more) ")
    assert reworded != text
    after = [c.id for c in loads(reworded, file="s.yaml", base_dir=tmp_path).chapters]
    assert before == after == ["khasan", "moscow-2", "khasan-2", "moscow"]


ID_RULE = (
    "use letters (of any script), digits, - and _, starting with a letter or digit; "
    "no spaces, #, /, ?, %"
)


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ('"trolley ride"', "'trolley ride'"),
        ('"a#b"', "'a#b'"),
        ('"a/b"', "'a/b'"),
        ('"a?b"', "'a?b'"),
        ('"100%"', "'100%'"),
        ('"-x"', "'-x'"),
        ('"khasan\\n"', "'khasan\\n'"),
        ('"tab\\tid"', "'tab\\tid'"),
        ("'42'", "'42'"),
        ("42", "'42'"),
    ],
)
def test_unusable_chapter_ids_are_refused(given: str, shown: str, tmp_path: Path) -> None:
    found = problems(chapters("khasan", "moscow x").replace("id: x", f"id: {given}"), tmp_path)
    assert found == [
        f"{found[0].split(':')[0]}: journey.1.id: {shown} is not a usable chapter id; "
        f"{ID_RULE}; not only digits (#3 links to the third chapter)"
    ]


def test_place_ids_follow_the_same_rule(tmp_path: Path) -> None:
    text = chapters("khasan", "moscow").replace("  moscow: {", '  "moscow city": {')
    found = problems(text.replace("at: moscow", "at: moscow city"), tmp_path)
    assert found[0] == f"4: places.moscow city: 'moscow city' is not a usable place id; {ID_RULE}"
    story = loads(chapters("хасан"), file="s.yaml", base_dir=tmp_path)
    assert [c.id for c in story.chapters] == ["хасан"]


def broken(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


# Each row: the change to the valid story, and the exact messages (after "file:").
CASES = [
    (
        broken("subtitle: Two stops", "colour: red"),
        [
            "2: colour: unknown field 'colour'; valid fields here: title, places, journey, "
            "subtitle, byline, date, intro, sources, tiles, url, layout, lang, units, theme"
        ],
    ),
    (
        broken("title: A short trip\n", ""),
        ["1: title: required field is missing; add 'title: The title of the story'"],
    ),
    (
        broken("title: A short trip", "title: [1, 2]"),
        ["1: title: expected text, got a list; quote it"],
    ),
    (
        broken("    lat: 42.43", "    lat: 95"),
        ["7: places.home.lat: latitude 95 is out of range; use a number from -90 to 90"],
    ),
    (
        broken("    lon: 130.64", "    lon: east"),
        [
            "8: places.home.lon: expected a longitude in decimal degrees, got text ('east'); "
            "write e.g. lon: 42.43"
        ],
    ),
    (
        broken("    lon: 130.64\n", ""),
        ["5: places.home.lon: 'lat' and 'lon' go together; add 'lon:'"],
    ),
    (
        broken("  - at: away", "  - at: awy"),
        [
            "17: journey.1.at: unknown place 'awy'; did you mean 'away'? define it under places: "
            "or use one of: away, home"
        ],
    ),
    (
        broken("    by: bus", "    by: horse"),
        [
            "18: journey.1.by: unknown mode 'horse'; use one of: walk, bike, bus, car, train, "
            "trolley, boat, ferry, ship, flight"
        ],
    ),
    (
        broken("    by: bus\n", ""),
        [
            "17: journey.1.by: required field is missing: how did the journey get here? add 'by:' "
            "with one of: walk, bike, bus, car, train, trolley, boat, ferry, ship, flight"
        ],
    ),
    (
        broken("    title: Leaving home", "    title: Leaving home\n    by: car"),
        [
            "15: journey.0.by: the first chapter is where the journey starts, no leg leads to it; "
            "remove 'by:'"
        ],
    ),
    (
        broken("    duration: 4h30m", "    duration: soon"),
        [
            "20: journey.1.duration: cannot read text ('soon') as a duration; write e.g. 7d, "
            "7 d 14 h, 6 days, 1h30m, 90 min, 2 weeks or ISO 8601 P7DT14H"
        ],
    ),
    (
        broken("    via: [[42.9, 131.5]]", "    route: routes/missing.geojson"),
        [
            "19: journey.1.route: route file 'routes/missing.geojson' does not exist (looked for "
            "{dir}/routes/missing.geojson); give a path relative to the story file"
        ],
    ),
    (
        broken("    date: 2021-02-24", "    date: 24 Feb"),
        [
            "15: journey.0.date: expected a date like 2021-02-25, got text ('24 Feb'); "
            "write YYYY-MM-DD"
        ],
    ),
    (
        broken("subtitle: Two stops", "tiles: Nope.Tiles"),
        [
            "2: tiles: unknown tile provider 'Nope.Tiles'; use an xyzservices name such as "
            "OpenStreetMap.Mapnik, OpenTopoMap or Esri.WorldImagery, or none for no tiles"
        ],
    ),
    (
        broken("    title: Arriving", "    title: Arriving\n    media:\n      - src: x.jpg"),
        [
            "23: journey.1.media.0.alt: required field is missing; add 'alt: What the image "
            "shows, for readers who cannot see it'",
            "23: journey.1.media.0.src: media file 'x.jpg' does not exist (looked for "
            "{dir}/x.jpg); give a path relative to the story file",
        ],
    ),
    (
        broken("    text: We *left*.", "    text: We *left*.\n    text: Twice."),
        ["17: journey.0.text: appears twice; keep one"],
    ),
    (
        broken("subtitle: Two stops", "sources:\n  - title: Ministry\n    url: javascript:x()"),
        [
            "4: sources.0.url: 'javascript:x()' is not an http(s) URL; only http and https links "
            "are kept"
        ],
    ),
    (
        "title: [unclosed\n",
        [
            "2: not valid YAML: expected ',' or ']', but got '<stream end>'; "
            "check indentation, colons and quotes"
        ],
    ),
    ("", ["1: the story is empty; it needs at least title:, places: and journey:"]),
    (
        "- just a list\n",
        [
            "1: expected a story (a mapping of 'field: value'), got a list",
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_error_messages(text: str, expected: list[str], tmp_path: Path) -> None:
    expected = [e.replace("{dir}", str(tmp_path.resolve())) for e in expected]
    assert problems(text, tmp_path) == expected


def test_independent_problems_are_reported_together(tmp_path: Path) -> None:
    text = broken("    lat: 42.43", "    lat: 95").replace("by: bus", "by: horse")
    found = problems(text, tmp_path)
    assert [f.split(":")[0] for f in found] == ["7", "18"]


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(StoryError, match="no such file; check the path to the story"):
        load(tmp_path / "nope.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"title: caf\xe9\n")
    with pytest.raises(
        StoryError, match=r"latin1.yaml:1: is not UTF-8 text; save the file as UTF-8"
    ):
        load(bad)


def test_alias_bomb_is_bounded(tmp_path: Path) -> None:
    rows = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        rows.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    found = problems("\n".join(rows) + "\n", tmp_path)
    assert len(found) == 1 and "through YAML aliases" in found[0]


def duration(value: str) -> str:
    """The valid story with the second chapter's duration written as ``value``."""
    return broken("    duration: 4h30m", f"    duration: {value}")


# Durations as people write them, and the hours they are.
DURATIONS = [
    ("7d", 168),
    ("7D", 168),
    ("7 d 14 h", 182),
    ("6 days", 144),
    ("1 day 2 hours", 26),
    ("1 Day, 2 Hours", 26),
    ("90 min", 1.5),
    ("90min", 1.5),
    ("1h30m", 1.5),
    ("2 weeks", 336),
    ("1 week 2 days", 216),
    ("1.5 h", 1.5),
    ("45 minutes", 0.75),
    ("2 hrs 15 mins", 2.25),
    ("32h", 32),
    ("2 h", 2),
    ("3 hours 30 seconds", 3 + 30 / 3600),
    ("P7DT14H", 182),
    ("p7dt14h", 182),
    ("P1W", 168),
    ("PT45M", 0.75),
    ("PT2H", 2),
    ("P1DT6H", 30),
    ("'3650 days'", 87600),
]

CANNOT = "cannot read text ({}) as a duration; write e.g. " + (
    "7d, 7 d 14 h, 6 days, 1h30m, 90 min, 2 weeks or ISO 8601 P7DT14H"
)
NO_UNIT = "{} has no unit; write {n}h for hours or {n}d for days (e.g. " + (
    "7d, 7 d 14 h, 6 days, 1h30m, 90 min, 2 weeks or ISO 8601 P7DT14H)"
)
NOT_LONGER = "'{}' is not longer than zero; give how long the leg took"
TOO_LONG = (
    "'{}' is more than 10 years, too long for a leg of a journey; check the number and its unit"
)

# What is refused, and the message.
REFUSED = [
    ("soon", CANNOT.format("'soon'")),
    ("h", CANNOT.format("'h'")),
    ("5 parsecs", CANNOT.format("'5 parsecs'")),
    ("1h 1h", CANNOT.format("'1h 1h'")),
    ("30m 1h", CANNOT.format("'30m 1h'")),  # largest unit first
    ("2 days 1 week", CANNOT.format("'2 days 1 week'")),
    ("1e5h", CANNOT.format("'1e5h'")),
    ("P1M", CANNOT.format("'P1M'")),  # a month is no fixed length
    ("PT", CANNOT.format("'PT'")),
    ("P", CANNOT.format("'P'")),
    ("'7'", NO_UNIT.format("text ('7')", n=7)),
    ("7", NO_UNIT.format("a number (7)", n=7)),
    ("1.5", NO_UNIT.format("a number (1.5)", n=1.5)),
    ("0h", NOT_LONGER.format("0h")),
    ("PT0S", NOT_LONGER.format("PT0S")),
    ("-2h", NOT_LONGER.format("-2h")),
    ("3653 days", TOO_LONG.format("3653 days")),
    ("100000 h", TOO_LONG.format("100000 h")),
    (
        "true",
        "cannot read true/false (true) as a duration; write e.g. "
        "7d, 7 d 14 h, 6 days, 1h30m, 90 min, 2 weeks or ISO 8601 P7DT14H",
    ),
]


@pytest.mark.parametrize(("text", "hours"), DURATIONS)
def test_durations_people_write(text: str, hours: float, tmp_path: Path) -> None:
    story = loads(duration(text), file="s.yaml", base_dir=tmp_path)
    assert story.chapters[1].duration_h == pytest.approx(hours)
    assert parse_duration(text.strip("'")) == pytest.approx(hours)


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_durations_refused(text: str, message: str, tmp_path: Path) -> None:
    assert problems(duration(text), tmp_path) == [f"20: journey.1.duration: {message}"]
    assert parse_duration(text.strip("'")) is None


def test_files_outside_the_story_folder_are_refused_unless_allowed(tmp_path: Path) -> None:
    folder = tmp_path / "story"
    folder.mkdir()
    (tmp_path / "secret.gpx").write_text(
        '<gpx><trk><trkseg><trkpt lat="42.4" lon="130.6"/><trkpt lat="42.9" lon="131.5"/>'
        "</trkseg></trk></gpx>",
        encoding="utf-8",
    )
    (tmp_path / "photo.png").write_bytes(
        (Path(__file__).parent / "fixtures" / "mini" / "media" / "dot.png").read_bytes()
    )
    text = VALID.replace("    via: [[42.9, 131.5]]", "    route: ../secret.gpx").replace(
        "    title: Arriving",
        "    title: Arriving\n    media:\n      - {src: ../photo.png, alt: x}",
    )
    story = folder / "story.yaml"
    story.write_text(text, encoding="utf-8")
    with pytest.raises(StoryError) as info:
        load(story)
    messages = [p.message for p in info.value.problems]
    assert messages == [
        f"route file '../secret.gpx' is outside the story's folder ({folder}); move it into "
        "the folder, or pass --allow-outside if you trust this story",
        f"media file '../photo.png' is outside the story's folder ({folder}); move it into "
        "the folder, or pass --allow-outside if you trust this story",
    ]
    loaded = load(story, allow_outside=True)
    assert loaded.chapters[1].route == (tmp_path / "secret.gpx").resolve()
