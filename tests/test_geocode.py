"""Resolving places: the offline gazetteer, the cache, and an online geocoder on loopback."""

from __future__ import annotations

import itertools
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from nominatim_server import PROXY_VARIABLES, NominatimServer, status

from storymap.errors import GeocodingError, StoryError
from storymap.geocode import (
    CacheEntry,
    Gazetteer,
    GazetteerEntry,
    GeoCache,
    locate,
    normalize,
    online_geocoder,
)
from storymap.model import Place, Story

USER_AGENT = "storymap-tests/1.0 (tests@example.org)"


def story_of(*places: Place, path: Path | None = None) -> Story:
    return Story(title="A test", places={p.id: p for p in places}, chapters=(), path=path)


# --- the gazetteer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name", "country"),
    [
        ("Moscow", "Moscow", "RU"),
        ("Moscow, Russia", "Moscow", "RU"),
        ("moscow, RU", "Moscow", "RU"),
        ("Moscow, Russian Federation", "Moscow", "RU"),
        ("Москва", "Moscow", "RU"),
        ("MOSCOW", "Moscow", "RU"),
        ("Vladivostok", "Vladivostok", "RU"),
        ("Vladivostok, Primorsky Krai, Russia", "Vladivostok", "RU"),
        ("Pyongyang", "Pyongyang", "KP"),
        ("P'yŏngyang", "Pyongyang", "KP"),
        ("Pyongyang, North Korea", "Pyongyang", "KP"),
        ("Pyongyang, DPRK", "Pyongyang", "KP"),
        ("Khasan", "Khasan", "RU"),
        ("Хасан", "Khasan", "RU"),
        ("Tumangang", "Tumangang", "KP"),
        ("Rason", "Rajin", "KP"),
        ("Rajin", "Rajin", "KP"),
        ("Chongjin", "Chongjin", "KP"),
        ("Hamhung", "Hamhŭng", "KP"),
        ("São Paulo", "São Paulo", "BR"),
        ("sao paulo, brazil", "São Paulo", "BR"),
        ("  SAO-PAULO  ", "São Paulo", "BR"),
        ("Lodz", "Łódź", "PL"),
        ("New York", "New York City", "US"),
    ],
)
def test_gazetteer_finds_names_aliases_and_countries(query, name, country):
    location = Gazetteer.load().geocode(query)
    assert location is not None
    assert location.raw["name"] == name
    assert location.raw["country"] == country


@pytest.mark.parametrize("query", ["Lemuria", "Moscow, USA", "Paris, Texas", "", "  ,  "])
def test_gazetteer_miss_is_none(query):
    assert Gazetteer.load().geocode(query) is None
    assert Gazetteer.load().geocode(query, exactly_one=False) is None


def test_gazetteer_answers_like_geopy():
    from geopy.location import Location

    gazetteer = Gazetteer.load()
    location = gazetteer.geocode("Moscow, Russia", timeout=5, language="en")
    assert isinstance(location, Location)
    assert location.address == "Moscow, Russia"
    assert location.latitude == pytest.approx(55.75, abs=0.05)
    assert location.longitude == pytest.approx(37.62, abs=0.05)
    locations = gazetteer.geocode("Moscow", exactly_one=False)
    assert isinstance(locations, list)
    assert locations[0].address == "Moscow, Russia"


def test_gazetteer_is_loaded_once_and_is_small():
    assert Gazetteer.load() is Gazetteer.load()
    assert len(Gazetteer.load()) > 1000
    packaged = Path(__file__).parent.parent / "storymap" / "data" / "gazetteer.json"
    assert packaged.stat().st_size < 400_000
    data = json.loads(packaged.read_text(encoding="utf-8"))
    assert "CC BY 4.0" in data["_meta"]["license"]
    assert all(place["source"] for place in data["places"])


def test_gazetteer_prefers_names_over_aliases_then_population():
    gazetteer = Gazetteer(
        [
            GazetteerEntry("Springfield", 1, 1, "US", population=100),
            GazetteerEntry("Springfield", 2, 2, "US", population=1000),
            GazetteerEntry("Capital City", 3, 3, "XX", aliases=("Springfield",), population=10**6),
        ],
        {"US": ["United States"], "XX": ["Nowhere"]},
    )
    assert [e.lat for e in gazetteer.lookup("springfield")] == [2, 1]
    assert gazetteer.lookup("Springfield, Nowhere")[0].name == "Capital City"
    assert gazetteer.geocode("Capital City").address == "Capital City, Nowhere"


def test_normalize_folds_case_accents_and_punctuation():
    assert normalize("P'yŏngyang") == "pyongyang"
    assert normalize("  Rajin-Sonbong!! ") == "rajin sonbong"
    assert normalize("Москва") == normalize("МОСКВА") == "москва"
    assert normalize("Ёлкино") == "елкино"


# --- locate: offline -------------------------------------------------------------------------


def test_locate_keeps_story_coordinates(tmp_path):
    place = Place("moscow", "Moscow", lat=1.5, lon=2.5, source="my survey", line=4)
    located = locate(story_of(place, path=tmp_path / "story.yaml"))
    assert located.places["moscow"] == place


def test_locate_resolves_from_the_gazetteer(tmp_path):
    story = story_of(
        Place("moscow", "Moscow airport", query="Moscow, Russia"),
        Place("vvo", "Vladivostok"),
        Place("khasan", "Khasan border post", aliases=("Хасан",)),
        Place("bridge", "Friendship Bridge", lat=42.42, lon=130.64),
        path=tmp_path / "story.yaml",
    )
    located = locate(story)
    assert located is not story
    assert story.places["moscow"].lat is None  # the input is left as it was
    assert all(p.located for p in located.places.values())
    assert list(located.places) == ["moscow", "vvo", "khasan", "bridge"]
    moscow = located.places["moscow"]
    assert (moscow.lat, moscow.lon) == pytest.approx((55.75204, 37.61781))
    assert moscow.source == "GeoNames (CC BY 4.0)"
    assert located.places["khasan"].lat == pytest.approx(42.42833)
    assert located.places["khasan"].source.startswith("Wikipedia")
    assert not (tmp_path / "geocache.json").exists()  # nothing looked up, nothing written


def test_locate_does_not_fall_back_from_a_query_to_the_name(tmp_path):
    story = story_of(Place("paris", "Paris", query="Paris, Texas", line=3), path=tmp_path / "s.yml")
    with pytest.raises(StoryError, match="'Paris' \\(query 'Paris, Texas'\\)"):
        locate(story)


def test_unresolved_places_name_file_line_place_and_fix(tmp_path):
    path = tmp_path / "story.yaml"
    story = story_of(
        Place("lemuria", "Lemuria", line=12),
        Place("moscow", "Moscow"),
        Place("eldorado", "Cibola", aliases=("Paititi",), line=20),
        path=path,
    )
    with pytest.raises(StoryError) as info:
        locate(story)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:12: places.lemuria: no coordinates for 'Lemuria' (query 'Lemuria'): "
        "not in the offline gazetteer or the geocoding cache; add lat: and lon: to the place, "
        "or run with --geocoder nominatim --user-agent NAME to look it up online",
        f"{path}:20: places.eldorado: no coordinates for 'Cibola' (queries 'Cibola', "
        "'Paititi'): not in the offline gazetteer or the geocoding cache; add lat: and lon: to "
        "the place, or run with --geocoder nominatim --user-agent NAME to look it up online",
    ]
    assert isinstance(info.value, ValueError)


@pytest.fixture
def no_network(monkeypatch):
    """Every attempt to open a connection fails the test."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_default_locate_makes_no_network_request(tmp_path, no_network):
    with pytest.raises(AssertionError):  # the guard works
        socket.create_connection(("127.0.0.1", 9))
    no_network.clear()
    cache = GeoCache(tmp_path / "geocache.json")
    cache.put(CacheEntry("Lemuria", 36.4, 25.4, "Lemuria, Aegean", "nominatim"))
    cache.save()
    story = story_of(
        Place("moscow", "Moscow, Russia"),
        Place("pyongyang", "Pyongyang"),
        Place("lemuria", "Lemuria"),
        path=tmp_path / "story.yaml",
    )
    located = locate(story)
    assert all(p.located for p in located.places.values())
    assert located.places["lemuria"].source == "OpenStreetMap Nominatim: Lemuria, Aegean"
    assert no_network == []


def test_import_and_offline_locate_do_not_load_geopy():
    code = (
        "import sys, storymap.geocode as g\n"
        "assert 'geopy' not in sys.modules, 'import loaded geopy'\n"
        "from storymap.model import Place, Story\n"
        "s = Story('t', {'m': Place('m', 'Moscow')}, ())\n"
        "assert g.locate(s).places['m'].located\n"
        "assert 'geopy' not in sys.modules, 'offline locate loaded geopy'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the cache -------------------------------------------------------------------------------


def test_cache_round_trip_is_sorted_and_versioned(tmp_path):
    path = tmp_path / "geocache.json"
    cache = GeoCache.load(path)  # a missing file is an empty cache
    assert cache.entries == {}
    cache.put(CacheEntry("Zanzibar Town", -6.16, 39.19, "Zanzibar", "nominatim", "2021-02-25"))
    cache.put(CacheEntry("Lemuria", 36.4, 25.4, "Lemuria, Aegean", "nominatim"))
    cache.save()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == {
        "version": 1,
        "entries": {
            "lemuria": {
                "query": "Lemuria",
                "lat": 36.4,
                "lon": 25.4,
                "address": "Lemuria, Aegean",
                "provider": "nominatim",
                "retrieved": None,
            },
            "zanzibar town": {
                "query": "Zanzibar Town",
                "lat": -6.16,
                "lon": 39.19,
                "address": "Zanzibar",
                "provider": "nominatim",
                "retrieved": "2021-02-25",
            },
        },
    }
    assert path.read_text(encoding="utf-8").index('"lemuria"') < path.read_text().index(
        '"zanzibar town"'
    )
    again = GeoCache.load(path)
    assert again.get("LEMURIA") == CacheEntry("Lemuria", 36.4, 25.4, "Lemuria, Aegean", "nominatim")
    assert (path.stat().st_mode & 0o777) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["geocache.json"]


def test_a_crash_mid_write_leaves_the_old_cache_whole(tmp_path, monkeypatch):
    path = tmp_path / "geocache.json"
    cache = GeoCache(path)
    cache.put(CacheEntry("Lemuria", 36.4, 25.4))
    cache.save()
    before = path.read_bytes()

    def crash(src, dst):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    cache.put(CacheEntry("Cibola", 5.0, -61.0))
    with pytest.raises(OSError, match="disk gone"):
        cache.save()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["geocache.json"]  # no temporary file left


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        (
            '{"version": 1,\n "entries": {\n',
            ":3: ",
            "is not valid JSON (Expecting property name enclosed in double quotes)",
        ),
        ('{"version": 2, "entries": {}}', ": version: ", "must be 1, not 2"),
        ("[]", ": version: ", "must be 1, not 'list'"),
        (
            '{"version": 1, "entries": {"x": {"query": "x", "lat": 95, "lon": 0}}}',
            ": entries.x.lat: ",
            "needs a number from -90 to 90, not 95",
        ),
        (
            '{"version": 1, "entries": {"x": {"lat": 1, "lon": 2, "color": "red"}}}',
            ": entries.x: ",
            "entry has unknown keys ['color']",
        ),
    ],
)
def test_a_corrupt_cache_is_a_story_error_naming_the_file(tmp_path, text, where, what):
    path = tmp_path / "geocache.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StoryError) as info:
        GeoCache.load(path)
    message = str(info.value)
    assert message.startswith(f"{path}{where}the geocoding cache {what}; ")
    assert message.endswith(
        "fix the file, or delete it and run again (online results are "
        "looked up anew with --geocoder)"
    )
    story = story_of(Place("lemuria", "Lemuria"), path=tmp_path / "story.yaml")
    with pytest.raises(StoryError, match="the geocoding cache"):
        locate(story)


# --- the online geocoder, against a real server on loopback ------------------------------------


@pytest.fixture
def nominatim(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with NominatimServer() as server:
        yield server


def local_geocoder(server, **kwargs):
    kwargs.setdefault("min_delay_seconds", 0.2)
    return online_geocoder(
        "nominatim", USER_AGENT, domain=server.domain, scheme="http", timeout=5, **kwargs
    )


def test_online_results_are_cached_and_not_asked_again(tmp_path, nominatim):
    path = tmp_path / "story.yaml"
    story = story_of(
        Place("lemuria", "Lemuria", line=3),
        Place("moscow", "Moscow"),
        Place("eldorado", "City of gold", query="Cibola", line=9),
        path=path,
    )
    located = locate(story, online=local_geocoder(nominatim), retrieved="2021-02-26")
    lemuria = located.places["lemuria"]
    assert (lemuria.lat, lemuria.lon) == (36.4, 25.4)
    assert lemuria.source == "OpenStreetMap Nominatim: Lemuria, Aegean Sea"
    assert located.places["eldorado"].lat == 5.0

    assert nominatim.queries == ["Lemuria", "Cibola"]
    for request in nominatim.requests:
        assert request.path == "/search"
        assert request.user_agent == USER_AGENT
        assert request.params["format"] == "json"

    cache = json.loads((tmp_path / "geocache.json").read_text(encoding="utf-8"))
    assert cache["entries"]["cibola"] == {
        "query": "Cibola",
        "lat": 5.0,
        "lon": -61.0,
        "address": "Cibola, Guyana",
        "provider": "nominatim",
        "retrieved": "2021-02-26",
    }

    again = locate(story, online=local_geocoder(nominatim))
    assert again.places == located.places
    assert len(nominatim.requests) == 2  # all from the cache this time
    assert locate(story).places == located.places  # and offline too


def test_requests_are_spaced_by_the_rate_limit(tmp_path, nominatim):
    geocoder = local_geocoder(nominatim, min_delay_seconds=0.2)
    assert geocoder("Lemuria").address == "Lemuria, Aegean Sea"
    assert geocoder("Cibola").address == "Cibola, Guyana"
    assert geocoder("Nowhere at all") is None
    times = [r.at for r in nominatim.requests]
    assert len(times) == 3
    # The first request may take a little longer to arrive (connection set-up), hence the slack.
    assert all(later - earlier >= 0.15 for earlier, later in itertools.pairwise(times))


def test_online_miss_says_the_service_found_nothing(tmp_path, nominatim):
    path = tmp_path / "story.yaml"
    story = story_of(Place("nowhere", "Nowhere", aliases=("Utopia",), line=5), path=path)
    with pytest.raises(StoryError) as info:
        locate(story, online=local_geocoder(nominatim, min_delay_seconds=0.0))
    assert str(info.value) == (
        f"{path}:5: places.nowhere: no coordinates for 'Nowhere' (queries 'Nowhere', 'Utopia'): "
        "not in the offline gazetteer or the geocoding cache, and the OpenStreetMap Nominatim "
        "geocoder found nothing; add lat: and lon: to the place, or give it a query: that the "
        "geocoder can find"
    )
    assert nominatim.queries == ["Nowhere", "Utopia"]
    assert not (tmp_path / "geocache.json").exists()


@pytest.mark.parametrize(
    ("reply", "what"),
    [
        (status(500), "OpenStreetMap Nominatim geocoder failed \\(HTTP 500\\)"),
        (status(403), "OpenStreetMap Nominatim geocoder refused the request \\(HTTP 403\\)"),
    ],
)
def test_service_failures_are_geocoding_errors(tmp_path, nominatim, reply, what):
    story = story_of(
        Place("lemuria", "Lemuria"),
        Place("broken", "Broken", query="Broken query"),
        path=tmp_path / "story.yaml",
    )
    nominatim.script("Broken query", then=reply)
    geocoder = local_geocoder(nominatim, min_delay_seconds=0.0, max_retries=0)
    with pytest.raises(GeocodingError, match=what) as info:
        locate(story, online=geocoder)
    assert "'Broken query'" in str(info.value)
    # What was found before the failure is kept.
    saved = json.loads((tmp_path / "geocache.json").read_text(encoding="utf-8"))
    assert list(saved["entries"]) == ["lemuria"]


def test_an_unreachable_service_is_a_geocoding_error():
    with socket.socket() as s:  # a loopback port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    geocoder = online_geocoder(
        "nominatim",
        USER_AGENT,
        domain=f"127.0.0.1:{port}",
        scheme="http",
        timeout=2,
        max_retries=0,
        min_delay_seconds=0.0,
    )
    with pytest.raises(GeocodingError, match="could not be reached .* looking up 'Lemuria'"):
        geocoder("Lemuria")


def test_unknown_geocoder_lists_the_choices():
    with pytest.raises(
        GeocodingError, match=r"unknown geocoder 'google'; choose one of: nominatim"
    ):
        online_geocoder("google", USER_AGENT)


@pytest.mark.parametrize("agent", [None, "", "   ", "geopy/2.5.0"])
def test_default_or_missing_user_agent_is_refused(agent):
    from geopy.geocoders import options

    for candidate in (agent, options.default_user_agent):
        with pytest.raises(GeocodingError, match="pass --user-agent NAME"):
            online_geocoder("nominatim", candidate)


def test_packaged_keys_are_what_normalize_gives() -> None:
    """The gazetteer ships its matching keys; they must match today's normalize()."""
    import json
    from importlib import resources

    from storymap.geocode import normalize

    data = json.loads(
        resources.files("storymap").joinpath("data", "gazetteer.json").read_text("utf-8")
    )
    for place in data["places"]:
        expected = [normalize(place["name"]), *(normalize(a) for a in place.get("aliases", ()))]
        assert place["keys"] == expected, place["name"]
