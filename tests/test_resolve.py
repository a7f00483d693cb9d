"""Places resolved by the story: candidates of one name ranked by the other stops, pinned by
country:, refused when no candidate fits, and said in validate's table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from commands import run
from nominatim_server import PROXY_VARIABLES, NominatimServer, Reply

from storymap.errors import StoryError
from storymap.geocode import Gazetteer, online_geocoder, resolve
from storymap.model import Chapter, Place, Story
from storymap.story import loads


def story_text(stops: list[tuple[str, str, str | None]], extra: dict[str, str] | None = None):
    """A story through ``stops`` (place id, name, mode of the leg that leads there)."""
    places = "".join(
        f"  {pid}:\n    name: {name}\n"
        + "".join(f"    {line}\n" for line in (extra or {}).get(pid, "").splitlines())
        for pid, name, _ in dict.fromkeys(stops)
    )
    chapters = "".join(
        f"  - at: {pid}\n    title: At {name}\n" + (f"    by: {mode}\n" if mode else "")
        for pid, name, mode in stops
    )
    return f"title: A test\nplaces:\n{places}journey:\n{chapters}"


def located(stops, extra=None, tmp_path: Path | None = None):
    return resolve(loads(story_text(stops, extra), base_dir=tmp_path), cache_path=None)


@pytest.mark.parametrize(
    ("before", "name", "after", "mode", "country", "not_country"),
    [
        ("Colombo", "George Town", "Singapore", "ship", "MY", "KY"),
        ("Madrid", "Valencia", "Barcelona", "train", "ES", "VE"),
        ("Karachi", "Hyderabad", "Lahore", "train", "PK", "IN"),
        ("Managua", "San José", "Panama City", "bus", "CR", "US"),
    ],
)
def test_a_name_two_places_share_is_decided_by_its_neighbours(
    before, name, after, mode, country, not_country
):
    gazetteer = Gazetteer.load()
    countries = {e.country for e in gazetteer.candidates(name)}
    assert {country, not_country} <= countries  # the name really is ambiguous
    result = located([("a", before, None), ("x", name, mode), ("b", after, mode)])
    chosen = next(r for r in result.resolutions if r.place == "x")
    assert chosen.country == country
    assert any(
        not_country in alt or gazetteer.country_name(not_country) in alt
        for alt in chosen.alternatives
    )
    assert not [w for w in result.warnings if w.path == "places.x"]  # the neighbours settle it


def test_without_neighbours_close_candidates_are_warned_about():
    result = located([("x", "Valencia", None)])
    (warning,) = result.warnings
    assert warning.path == "places.x" and warning.line == 3
    assert "'Valencia' was taken to be Valencia, Venezuela (VE)" in warning.message
    assert "it could also be Valencia, Spain (ES)" in warning.message
    assert "pin it with country:" in warning.message


def test_country_pins_a_place_and_far_from_the_journey_is_warned_about():
    result = located(
        [("a", "Colombo", None), ("x", "George Town", "ship")],
        {"a": "lat: 6.9355\nlon: 79.8487\nsource: a map", "x": "country: KY"},
    )
    (chosen,) = result.resolutions
    assert chosen.country == "KY" and chosen.alternatives == ()
    (warning,) = result.warnings
    assert warning.path == "places.x"
    assert "'George Town' was taken to be George Town, Cayman Islands (KY)" in warning.message
    assert "km from Colombo (a), far from the rest of the journey" in warning.message


def test_no_candidate_a_leg_could_reach_is_refused_not_guessed():
    with pytest.raises(StoryError) as caught:
        located(
            [("a", "Colombo", None), ("x", "George Town", "ferry")],
            # The Cayman Islands' George Town, 16,000 km away
            {"a": "lat: 6.9355\nlon: 79.8487\nsource: a map", "x": "country: KY"},
        )
    (problem,) = caught.value.problems
    assert problem.path == "places.x"
    assert "no place named 'George Town' fits the journey" in problem.message
    assert "George Town, Cayman Islands (KY)" in problem.message
    assert "km from Colombo (a), too far for a ferry leg" in problem.message
    assert "pin it with country:" in problem.message


def test_an_unknown_country_is_an_error_naming_the_field():
    with pytest.raises(StoryError) as caught:
        located([("x", "Valencia", None)], {"x": "country: Narnia"})
    (problem,) = caught.value.problems
    assert problem.path == "places.x.country"
    assert "unknown country 'Narnia'" in problem.message


def test_a_town_beyond_the_curated_gazetteer_is_found():
    # George Town, Penang, is a GeoNames town of 158,000: not among the cities of 500,000.
    result = located([("x", "George Town", None)], {"x": "country: MY"})
    (chosen,) = result.resolutions
    assert (chosen.matched, chosen.country, chosen.origin) == (
        "George Town, Malaysia",
        "MY",
        "gazetteer",
    )
    assert chosen.lat == pytest.approx(5.41, abs=0.05) and chosen.lon == pytest.approx(
        100.33, abs=0.05
    )
    assert result.story.places["x"].source == "GeoNames (CC BY 4.0)"


def test_validate_prints_what_each_looked_up_place_became(tmp_path: Path):
    stops = [("a", "Madrid", None), ("x", "Valencia", "train"), ("b", "Barcelona", "train")]
    extra = {"a": "lat: 40.4165\nlon: -3.7026\nsource: a map"}
    (tmp_path / "story.yaml").write_text(story_text(stops, extra), encoding="utf-8")
    result = run("validate", "story.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "story.yaml: valid: 3 chapters, 3 places"
    assert lines[1] == "looked up:"
    assert lines[2].split() == [
        "place",
        "name",
        "in",
        "the",
        "story",
        "matched",
        "country",
        "lat,",
        "lon",
        "from",
    ]
    rows = {line.split()[0]: line for line in lines[4:]}
    assert set(rows) == {"x", "b"}  # Madrid was not looked up
    assert (
        "Valencia, Spain (+" in rows["x"]
        and " ES " in rows["x"]
        and rows["x"].endswith("gazetteer")
    )

    result = run("validate", "story.yaml", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["valid"] is True and data["chapters"] == 3
    by_place = {r["place"]: r for r in data["looked_up"]}
    assert by_place["x"]["matched"] == "Valencia, Spain"
    assert by_place["x"]["country"] == "ES" and by_place["x"]["origin"] == "gazetteer"
    assert by_place["x"]["query"] == "Valencia" and by_place["x"]["alternatives"]
    assert by_place["x"]["lat"] == pytest.approx(39.47, abs=0.01)
    text = story_text(stops, extra).splitlines()
    line = text.index("  - at: b") + 1
    assert data["warnings"] == [
        {
            "file": "story.yaml",
            "line": line,
            "field": "journey.2.by",
            "message": data["warnings"][0]["message"],
        }
    ]
    assert "train leg, but" in data["warnings"][0]["message"]  # Valencia → Barcelona by sea


def test_online_answers_are_ranked_by_the_story_and_the_choice_is_cached(tmp_path, monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    answers = [  # the service's best first: the one on the other side of the world
        {"lat": "-41.2865", "lon": "174.7762", "display_name": "Lemuria, Wellington, New Zealand"},
        {"lat": "36.4000", "lon": "25.4000", "display_name": "Lemuria, Aegean Sea, Greece"},
    ]
    body = json.dumps(answers).encode()
    places = {
        "athens": Place("athens", "Athens", lat=37.98, lon=23.73, source="a map", line=2),
        "lemuria": Place("lemuria", "Lemuria", line=5),
    }
    chapters = (
        Chapter(at="athens", title="Athens", id="athens"),
        Chapter(at="lemuria", title="Lemuria", id="lemuria", by="ferry"),
    )
    story = Story("A test", places, chapters, path=tmp_path / "story.yaml")
    with NominatimServer() as server:
        server.script("Lemuria", Reply(200, {"Content-Type": "application/json"}, body))
        online = online_geocoder(
            "nominatim",
            "storymap-tests/1.0",
            domain=server.domain,
            scheme="http",
            min_delay_seconds=0.0,
            timeout=2,
        )
        result = resolve(story, online=online, retrieved="2024-05-01")
    (chosen,) = result.resolutions
    assert chosen.origin == "online"
    assert chosen.matched == "Lemuria, Aegean Sea, Greece"
    assert chosen.alternatives == ()  # a ferry cannot reach New Zealand from Athens
    cache = json.loads((tmp_path / "geocache.json").read_text(encoding="utf-8"))
    assert cache["entries"]["lemuria"]["address"] == "Lemuria, Aegean Sea, Greece"
    # The next build reads the choice from the cache, without asking.
    again = resolve(story)
    assert again.resolutions[0].origin == "cache" and again.story.places["lemuria"].lat == 36.4
