"""The flagship story as the issue describes it: its places sourced, its legs as reported."""

from __future__ import annotations

import re
import shutil
from importlib import metadata
from pathlib import Path

import pytest
from commands import run

FLAGSHIP = Path(__file__).parent.parent / "data" / "story.yaml"


@pytest.fixture(scope="module")
def flagship(flagship_journey):
    return flagship_journey.story, flagship_journey.legs


def test_every_place_has_a_source(flagship) -> None:
    story, _ = flagship
    for place in story.places.values():
        assert place.source and place.source.strip(), place.id
    assert {"embassy", "tumangang", "bridge", "khasan", "vladivostok_airport", "moscow"} <= set(
        story.places
    )


def test_the_legs_are_those_reported(flagship) -> None:
    story, legs = flagship
    modes = [(leg.mode.name, story.places[leg.end].id) for leg in legs]
    assert modes == [
        ("train", "chongjin"),
        ("bus", "bridge"),
        ("trolley", "khasan"),
        ("bus", "vladivostok_airport"),
        ("flight", "moscow"),
    ]
    train, bus, trolley, _, flight = legs
    assert train.duration_h == 32 and bus.duration_h == 2
    assert 1.0 < trolley.length_km < 2.0, "more than a kilometre, over the bridge"
    assert 6300 < flight.length_km < 6500
    # The train follows the line north through its stations, not a straight line.
    assert len(train.line.coords) >= 8


def test_the_crossing_points_are_where_a_reader_would_check_them(flagship) -> None:
    story, _ = flagship
    p = story.places
    # The bridge lies between the two border stations: Tumangang on the DPRK (west) bank,
    # Khasan on the Russian (north-east) side, all within a few kilometres.
    assert p["tumangang"].lon < p["bridge"].lon < p["khasan"].lon
    assert p["bridge"].lat < p["khasan"].lat
    from geopy.distance import geodesic

    assert geodesic((p["bridge"].lat, p["bridge"].lon), (p["khasan"].lat, p["khasan"].lon)).km < 3
    airport = (p["vladivostok_airport"].lat, p["vladivostok_airport"].lon)
    assert geodesic(airport, (43.3990, 132.1480)).km < 1  # Knevichi, not the city


def test_the_console_script_is_installed() -> None:
    scripts = {e.name: e.value for e in metadata.entry_points(group="console_scripts")}
    assert scripts.get("storymap") == "storymap.cli:main"


# The flagship in Russian: the same journey, told from the Russian sources.

RUSSIAN = FLAGSHIP.with_name("story.ru.yaml")
LINK = re.compile(r"\]\((https://[^)\s]+)\)")


@pytest.fixture(scope="module")
def russian():
    import storymap

    return storymap.load(RUSSIAN)


def _cyrillic_share(text: str) -> float:
    """The share of Cyrillic among the letters of ``text``, its link addresses left out."""
    letters = [c for c in re.sub(r"\(https?://[^)\s]+\)", "", text) if c.isalpha()]
    return sum("\u0400" <= c <= "\u04ff" for c in letters) / len(letters)


def test_the_russian_story_loads_with_no_problem_and_no_warning(russian) -> None:
    assert russian.story.lang == "ru"
    assert russian.warnings == ()
    result = run("validate", "--strict", RUSSIAN, cwd=RUSSIAN.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{RUSSIAN}: valid: 6 chapters, 14 places")


def test_the_russian_story_has_the_same_places_and_coordinates(flagship_journey, russian) -> None:
    english, story = flagship_journey.story, russian.story
    assert list(story.places) == list(english.places)
    for pid, place in story.places.items():
        assert (place.lat, place.lon) == (english.places[pid].lat, english.places[pid].lon), pid
        assert place.query == english.places[pid].query, pid
        assert place.source and _cyrillic_share(place.source) > 0.5, pid


def test_the_russian_story_has_the_same_chapters_dates_and_legs(flagship_journey, russian) -> None:
    def outline(story):
        return [(c.id, c.at, c.date, c.by, c.via, c.duration_h, c.route) for c in story.chapters]

    assert outline(russian.story) == outline(flagship_journey.story)
    assert russian.story.date == flagship_journey.story.date
    for leg, english in zip(russian.legs, flagship_journey.legs, strict=True):
        assert (leg.mode, leg.start, leg.end) == (english.mode, english.start, english.end)
        assert leg.length_km == pytest.approx(english.length_km)


def test_every_russian_chapter_cites_a_source_that_the_story_lists(russian) -> None:
    story = russian.story
    listed = {source.url for source in story.sources}
    assert len(listed) == len(story.sources) >= 10
    for chapter in story.chapters:
        links = LINK.findall(chapter.text)
        assert links, f"chapter {chapter.id} cites no source"
        assert set(links) <= listed, f"chapter {chapter.id} cites an unlisted source"
    assert set(LINK.findall(story.intro or "")) <= listed
    # The ministry's post, as the Russian press quoted it, and the reports of the flight home.
    assert {
        "https://vz.ru/amp/news/2021/2/25/1086851.html",
        "https://www.gazeta.ru/politics/news/2021/02/25/n_15667142.shtml",
        "https://www.ng.ru/news/703322.html",
        "https://www.kommersant.ru/doc/4709866",
        "https://www.bfm.ru/news/465983",
        "https://amp.rbc.ru/rbcnews/rbcfreenews/604275e89a7947354d51db9a",
    } <= listed


def test_the_russian_story_is_written_in_russian(russian) -> None:
    story = russian.story
    texts = [story.title, story.subtitle, story.byline, story.intro]
    texts += [text for c in story.chapters for text in (c.title, c.text)]
    texts += [p.name for p in story.places.values()]
    texts += [s.title for s in story.sources if "nknews" not in s.url and "38north" not in s.url]
    for text in texts:
        assert text and _cyrillic_share(text) > 0.8, text
    names = {p.id: p.name for p in story.places.values()}
    assert names["moscow"] == "Москва" and "Хасан" in names["khasan"]
    assert "Мост Дружбы" in names["bridge"] and "Кневичи" in names["vladivostok_airport"]


def test_build_with_no_arguments_writes_the_english_and_the_russian_page(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    for story in (FLAGSHIP, RUSSIAN):
        shutil.copy(story, tmp_path / "data" / story.name)
    result = run("build", "--tiles", "none", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("wrote output/story.html (")
    assert result.stdout.splitlines()[1].startswith("wrote output/story.ru.html (")
    pages = ["story.html", "story.ru.html"]
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == pages
    english = (tmp_path / "output" / "story.html").read_text(encoding="utf-8")
    russian = (tmp_path / "output" / "story.ru.html").read_text(encoding="utf-8")
    assert "<title>Russian diplomats leave North Korea" in english
    assert "<title>Российские дипломаты покидают КНДР на дрезине" in russian
    assert "Российские дипломаты покидают" not in english
    # A folder takes every page; one page's file (or address) takes the flagship, as before.
    assert run("build", "--tiles", "none", "-o", "site/", cwd=tmp_path).returncode == 0
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == pages
    one = run("build", "--tiles", "none", "-o", "page.html", cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    assert "note: building data/story.yaml only; name the STORY to build data/story.ru.yaml" in (
        one.stderr
    )
    assert "<title>Russian diplomats leave" in (tmp_path / "page.html").read_text("utf-8")


def test_a_bad_story_among_several_is_said_and_the_others_are_still_built(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    shutil.copy(FLAGSHIP, tmp_path / "data" / "story.yaml")
    bad = RUSSIAN.read_text(encoding="utf-8").replace("by: trolley", "by: rocket")
    (tmp_path / "data" / "story.ru.yaml").write_text(bad, encoding="utf-8")
    result = run("build", "--tiles", "none", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("data/story.ru.yaml:")
    assert "journey.3.by: unknown mode 'rocket'" in result.stderr
    assert "storymap: 1 problem in data/story.ru.yaml; its page was not written" in result.stderr
    assert "Traceback" not in result.stderr
    assert [p.name for p in (tmp_path / "output").iterdir()] == ["story.html"]
