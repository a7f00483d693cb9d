"""geocode_story, the online step: against a local server on 127.0.0.1 that answers like
Nominatim, and also stalls, refuses, fails and talks nonsense. Waits go through a fake clock,
so retries and back-off cost no time; one test spaces real requests."""

from __future__ import annotations

import io
import itertools
import json
import os
import socket

import pytest
from nominatim_server import PROXY_VARIABLES, NominatimServer, Reply, garbage, stall, status

from storymap.console import text_progress
from storymap.errors import GeocodingError, StoryError
from storymap.geocode import (
    CACHED,
    FAILED,
    FOUND,
    IN_GAZETTEER,
    NOT_FOUND,
    CacheEntry,
    GeoCache,
    GeocodingStopped,
    OnlineGeocodingError,
    geocode_story,
    locate,
    online_geocoder,
)
from storymap.model import Place, Story

USER_AGENT = "storymap-tests/1.0 (tests@example.org)"
TODAY = "2024-05-01"


class FakeClock:
    """A clock that moves only when slept on, and remembers each sleep."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def nominatim(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with NominatimServer() as server:
        yield server


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def geocoder(nominatim, clock):
    """``geocoder(**options)``: the Nominatim geocoder at the local server, on the fake clock."""

    def make(**kwargs):
        kwargs.setdefault("timeout", 2)
        kwargs.setdefault("min_delay_seconds", 0.0)
        kwargs.setdefault("sleep", clock.sleep)
        kwargs.setdefault("clock", clock)
        return online_geocoder(
            "nominatim", USER_AGENT, domain=nominatim.domain, scheme="http", **kwargs
        )

    return make


@pytest.fixture
def story(tmp_path):
    places = [
        Place("lemuria", "Lemuria", line=3),
        Place("moscow", "Moscow", line=6),  # in the gazetteer
        Place("bridge", "Friendship Bridge", lat=42.42, lon=130.64, source="a survey", line=9),
        Place("eldorado", "City of gold", query="Cibola", line=12),
        Place("xanadu", "Xanadu", line=15),
    ]
    return Story("A test", {p.id: p for p in places}, (), path=tmp_path / "story.yaml")


def cache_of(story):
    return json.loads((story.path.parent / "geocache.json").read_text(encoding="utf-8"))


def run(story, online, **kwargs):
    calls = []
    kwargs.setdefault("retrieved", TODAY)
    report = geocode_story(
        story, online=online, progress=lambda *call: calls.append(call), **kwargs
    )
    return report, calls


# --- success, the cache, and later builds ----------------------------------------------------


def test_found_places_go_to_the_cache_with_provider_query_and_date(story, nominatim, geocoder):
    report, calls = run(story, geocoder())

    assert nominatim.queries == ["Lemuria", "Cibola", "Xanadu"]  # not Moscow, not bridge
    assert all(r.user_agent == USER_AGENT for r in nominatim.requests)
    assert calls == [
        (1, 4, "lemuria", FOUND),
        (2, 4, "moscow", IN_GAZETTEER),
        (3, 4, "eldorado", FOUND),
        (4, 4, "xanadu", FOUND),
    ]
    assert list(report.found) == ["lemuria", "eldorado", "xanadu"]
    assert report.gazetteer == ["moscow"]
    assert report.complete and not report.failed and report.stopped is None
    assert report.summary() == "4 places without coordinates: 3 found, 1 in the gazetteer"

    assert cache_of(story) == {
        "version": 1,
        "entries": {
            "lemuria": {
                "query": "Lemuria",
                "lat": 36.4,
                "lon": 25.4,
                "address": "Lemuria, Aegean Sea",
                "provider": "nominatim",
                "retrieved": TODAY,
            },
            "cibola": {
                "query": "Cibola",
                "lat": 5.0,
                "lon": -61.0,
                "address": "Cibola, Guyana",
                "provider": "nominatim",
                "retrieved": TODAY,
            },
            "xanadu": {
                "query": "Xanadu",
                "lat": 27.8,
                "lon": 99.7,
                "address": "Xanadu, Yunnan",
                "provider": "nominatim",
                "retrieved": TODAY,
            },
        },
    }
    assert sorted(p.name for p in story.path.parent.iterdir()) == ["geocache.json"]


def test_a_second_run_uses_the_cache_and_asks_nothing(story, nominatim, geocoder):
    run(story, geocoder())
    asked = len(nominatim.requests)
    report, calls = run(story, geocoder(), retrieved="2099-01-01")
    assert len(nominatim.requests) == asked
    assert [c[3] for c in calls] == [CACHED, IN_GAZETTEER, CACHED, CACHED]
    assert report.summary() == "4 places without coordinates: 3 from the cache, 1 in the gazetteer"
    assert cache_of(story)["entries"]["lemuria"]["retrieved"] == TODAY  # untouched


def test_later_builds_resolve_from_the_cache_offline(story, nominatim, geocoder, monkeypatch):
    run(story, geocoder())

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    located = locate(story)
    assert all(p.located for p in located.places.values())
    assert located.places["eldorado"].source == "OpenStreetMap Nominatim: Cibola, Guyana"
    assert located.places["bridge"].source == "a survey"


def test_refresh_asks_again_and_keeps_a_result_the_service_no_longer_finds(
    story, nominatim, geocoder
):
    run(story, geocoder())
    del nominatim.places["cibola"]
    report, calls = run(story, geocoder(), retrieved="2024-06-01", refresh=True)
    assert nominatim.queries[3:] == ["Lemuria", "Cibola", "Xanadu"]
    assert [c[3] for c in calls] == [FOUND, IN_GAZETTEER, NOT_FOUND, FOUND]
    entries = cache_of(story)["entries"]
    assert entries["lemuria"]["retrieved"] == "2024-06-01"
    assert entries["cibola"]["retrieved"] == TODAY  # kept
    assert [str(p) for p in report.problems] == [
        f"{story.path}:12: places.eldorado: the OpenStreetMap Nominatim geocoder found nothing "
        "for 'City of gold' (query 'Cibola') (the cached result is kept); add lat: and lon: "
        "to the place, or give it a query: that the geocoder can find"
    ]
    assert not report.complete


def test_aliases_are_asked_in_turn_and_each_query_once(tmp_path, nominatim, geocoder):
    places = [
        Place("a", "Lost city", aliases=("Nowhere", "Lemuria"), line=1),
        Place("b", "Lemuria again", query="lemuria", line=2),
        Place("c", "Nowhere", line=3),
    ]
    story = Story("t", {p.id: p for p in places}, (), path=tmp_path / "s.yaml")
    report, calls = run(story, geocoder(), refresh=True)
    assert nominatim.queries == ["Lost city", "Nowhere", "Lemuria"]
    assert [c[3] for c in calls] == [FOUND, FOUND, NOT_FOUND]
    assert report.found["a"] == report.found["b"]
    assert report.not_found == {"c": ("Nowhere",)}


def test_each_result_is_saved_atomically_as_it_arrives(story, nominatim, geocoder, monkeypatch):
    replaced = []
    real_replace = os.replace

    def spy(src, dst):
        replaced.append((os.path.basename(src), os.path.basename(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    seen = []

    def progress(done, total, place_id, status):
        seen.append(sorted(cache_of(story)["entries"]) if status == FOUND else None)
        if done == 3:
            raise KeyboardInterrupt  # the run dies after the third place

    with pytest.raises(KeyboardInterrupt):
        geocode_story(story, online=geocoder(), progress=progress, retrieved=TODAY)
    assert seen == [["lemuria"], None, ["cibola", "lemuria"]]  # on disk before progress
    assert len(replaced) == 2
    assert all(
        src.startswith(".geocache.json.") and dst == "geocache.json" for src, dst in replaced
    )
    assert sorted(cache_of(story)["entries"]) == ["cibola", "lemuria"]
    assert sorted(p.name for p in story.path.parent.iterdir()) == ["geocache.json"]
    assert nominatim.queries == ["Lemuria", "Cibola"]


def test_nothing_to_ask_writes_nothing(tmp_path, nominatim, geocoder):
    story = Story(
        "t", {"m": Place("m", "Moscow"), "x": Place("x", "X", lat=1, lon=2)}, (), tmp_path / "s"
    )
    report, calls = run(story, geocoder())
    assert calls == [(1, 1, "m", IN_GAZETTEER)]
    assert nominatim.requests == []
    assert not (tmp_path / "geocache.json").exists()
    assert report.summary() == "1 place without coordinates: 1 in the gazetteer"


def test_a_story_without_a_file_needs_a_cache_path(tmp_path, geocoder):
    story = Story("t", {"a": Place("a", "Lemuria")}, ())
    with pytest.raises(GeocodingError, match="nowhere to keep the geocoding results"):
        geocode_story(story, online=geocoder())
    report = geocode_story(story, online=geocoder(), cache_path=tmp_path / "c.json")
    assert list(report.found) == ["a"]
    assert GeoCache.load(tmp_path / "c.json").get("lemuria").provider == "nominatim"


def test_a_corrupt_cache_stops_before_any_request(story, nominatim, geocoder):
    (story.path.parent / "geocache.json").write_text("{", encoding="utf-8")
    with pytest.raises(StoryError, match="the geocoding cache is not valid JSON"):
        geocode_story(story, online=geocoder())
    assert nominatim.requests == []


# --- retries and back-off --------------------------------------------------------------------


def test_a_timeout_is_tried_again(story, nominatim, geocoder, clock):
    nominatim.script("Lemuria", stall(1.5))  # longer than the client waits
    report, calls = run(story, geocoder(timeout=0.25))
    assert calls[0] == (1, 4, "lemuria", FOUND)
    # Asked twice, not more: the HTTP library does not try again on its own, unthrottled.
    assert nominatim.queries == ["Lemuria", "Lemuria", "Cibola", "Xanadu"]
    assert clock.sleeps == [1.0]
    assert report.complete


@pytest.mark.parametrize(
    ("replies", "sleeps"),
    [
        ([status(429, Retry_After="7")], [7.0]),  # the service's wait, when longer
        ([status(429, Retry_After="0")], [1.0]),  # never shorter than the back-off
        ([status(429)], [1.0]),
        ([status(500), status(502)], [1.0, 2.0]),
        ([status(500), status(503, Retry_After="5"), status(504)], [1.0, 5.0, 4.0]),
    ],
)
def test_429_and_5xx_are_tried_again_after_a_wait(
    story, nominatim, geocoder, clock, replies, sleeps
):
    nominatim.script("Cibola", *replies)
    report, calls = run(story, geocoder())
    assert clock.sleeps == sleeps
    assert nominatim.queries == ["Lemuria", *["Cibola"] * (len(replies) + 1), "Xanadu"]
    assert report.complete
    assert cache_of(story)["entries"]["cibola"]["lat"] == 5.0


def test_a_5xx_that_lasts_fails_that_place_and_the_others_go_on(story, nominatim, geocoder, clock):
    nominatim.script("Cibola", then=status(500))
    report, calls = run(story, geocoder())
    assert clock.sleeps == [1.0, 2.0, 4.0]
    assert nominatim.queries == ["Lemuria", *["Cibola"] * 4, "Xanadu"]
    assert [c[3] for c in calls] == [FOUND, IN_GAZETTEER, FAILED, FOUND]
    assert report.failed == {
        "eldorado": "OpenStreetMap Nominatim geocoder failed (HTTP 500) looking up 'Cibola' "
        "(4 attempts); try again later"
    }
    assert [str(p) for p in report.problems] == [
        f"{story.path}:12: places.eldorado: {report.failed['eldorado']}"
    ]
    assert report.summary() == (
        "4 places without coordinates: 2 found, 1 in the gazetteer, 1 failed"
    )
    assert not report.complete and report.stopped is None
    assert sorted(cache_of(story)["entries"]) == ["lemuria", "xanadu"]


def test_several_failures_in_a_row_stop_the_run(tmp_path, nominatim, geocoder, clock):
    names = ["Avalon", "Lyonesse", "Ys", "Utopia", "Lemuria"]
    story = Story("t", {n.lower(): Place(n.lower(), n) for n in names}, (), tmp_path / "s.yaml")
    for name in names[1:]:
        nominatim.script(name, then=status(500))
    with pytest.raises(GeocodingStopped) as info:
        run(story, geocoder(max_retries=1))
    assert str(info.value) == (
        "the OpenStreetMap Nominatim geocoder failed for 3 places in a row; stopped asking it; "
        "run again later (what was found is kept)"
    )
    assert nominatim.queries == ["Avalon", "Lyonesse", "Lyonesse", "Ys", "Ys", "Utopia", "Utopia"]
    report = info.value.report
    assert list(report.found) == ["avalon"]
    assert list(report.failed) == ["lyonesse", "ys", "utopia"]
    assert report.summary() == "5 places without coordinates: 1 found, 3 failed, 1 not asked"
    assert sorted(cache_of(story)["entries"]) == ["avalon"]


def test_a_waiting_time_the_service_asks_for_is_not_exceeded_but_refused(
    story, nominatim, geocoder, clock
):
    nominatim.script("Lemuria", status(429, Retry_After="3600"))
    with pytest.raises(GeocodingStopped, match="asks to wait 3600 s before the next request"):
        run(story, geocoder())
    assert clock.sleeps == []
    assert nominatim.queries == ["Lemuria"]


def test_a_429_that_lasts_stops_the_run(story, nominatim, geocoder, clock):
    nominatim.script("Cibola", then=status(429, Retry_After="2"))
    with pytest.raises(GeocodingStopped) as info:
        run(story, geocoder())
    assert str(info.value) == (
        "OpenStreetMap Nominatim geocoder refused: too many requests looking up 'Cibola' "
        "(4 attempts); wait, then run again; what was found so far is kept"
    )
    assert clock.sleeps == [2.0, 2.0, 4.0]
    assert "Xanadu" not in nominatim.queries
    assert sorted(cache_of(story)["entries"]) == ["lemuria"]


# --- refusals and nonsense -------------------------------------------------------------------


def test_403_stops_at_once_and_names_the_user_agent_and_the_policy(
    story, nominatim, geocoder, clock
):
    nominatim.script("Cibola", then=status(403))
    with pytest.raises(GeocodingStopped) as info:
        run(story, geocoder())
    message = str(info.value)
    assert message.startswith(
        "OpenStreetMap Nominatim geocoder refused the request (HTTP 403) looking up 'Cibola'; "
    )
    assert "--user-agent NAME" in message
    assert "https://operations.osmfoundation.org/policies/nominatim/" in message
    assert isinstance(info.value, GeocodingError)
    assert clock.sleeps == []  # not tried again
    assert nominatim.queries == ["Lemuria", "Cibola"]
    report = info.value.report
    assert list(report.found) == ["lemuria"] and list(report.failed) == ["eldorado"]
    assert report.stopped == message
    assert sorted(cache_of(story)["entries"]) == ["lemuria"]


@pytest.mark.parametrize(
    ("reply", "what"),
    [
        (
            garbage(),
            "answered with something that is not a geocoding result "
            "('<html><body>Service temporarily moved</body></html>')",
        ),
        (Reply(body=b"[{"), "answered with something that is not a geocoding result"),
        (Reply(body=b'"oops"'), "answered with something that is not a geocoding result"),
        (Reply(body=b'[{"lat": "north", "lon": "1"}]'), "not a geocoding result"),
        (Reply(body=b'[{"display_name": "Nowhere"}]'), "a result without valid coordinates"),
        (
            Reply(body=b'[{"lat": "NaN", "lon": "1", "display_name": "Up"}]'),
            "not a geocoding result",
        ),
    ],
)
def test_an_answer_that_is_not_a_result_fails_that_place(
    story, nominatim, geocoder, clock, reply, what
):
    nominatim.script("Cibola", reply)
    report, calls = run(story, geocoder())
    assert [c[3] for c in calls] == [FOUND, IN_GAZETTEER, FAILED, FOUND]
    assert what in report.failed["eldorado"]
    assert report.failed["eldorado"].startswith("OpenStreetMap Nominatim geocoder ")
    assert nominatim.queries.count("Cibola") == 1  # not tried again
    assert clock.sleeps == []
    assert "cibola" not in cache_of(story)["entries"]


def test_an_unreachable_service_stops_the_run_after_the_retries(story, clock):
    with socket.socket() as s:  # a loopback port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    online = online_geocoder(
        "nominatim",
        USER_AGENT,
        domain=f"127.0.0.1:{port}",
        scheme="http",
        timeout=2,
        min_delay_seconds=0.0,
        sleep=clock.sleep,
        clock=clock,
    )
    with pytest.raises(GeocodingStopped, match="could not be reached .* looking up 'Lemuria'"):
        run(story, online)
    assert clock.sleeps == [1.0, 2.0, 4.0]
    assert not (story.path.parent / "geocache.json").exists()


def test_the_geocoder_alone_raises_what_it_means(nominatim, geocoder):
    online = geocoder(max_retries=1)
    nominatim.script("Avalon", then=status(500))
    with pytest.raises(OnlineGeocodingError) as info:
        online("Avalon")
    assert (info.value.query, info.value.fatal, info.value.attempts) == ("Avalon", False, 2)
    nominatim.script("Lyonesse", status(401))
    with pytest.raises(OnlineGeocodingError) as info:
        online("Lyonesse")
    assert (info.value.fatal, info.value.attempts) == (True, 1)
    nominatim.script("Ys", status(400))
    with pytest.raises(OnlineGeocodingError, match=r"rejected the query \(HTTP 400\)") as info:
        online("Ys")
    assert (info.value.fatal, info.value.attempts) == (False, 1)
    nominatim.script("Utopia", status(404))
    with pytest.raises(OnlineGeocodingError, match="check the geocoder's address") as info:
        online("Utopia")
    assert (info.value.fatal, info.value.attempts) == (True, 1)


# --- one request a second --------------------------------------------------------------------


def test_requests_are_spaced_in_real_time(story, nominatim, geocoder):
    import time

    nominatim.script("Cibola", status(500))
    run(
        story,
        geocoder(
            min_delay_seconds=0.2, backoff_seconds=0.0, sleep=time.sleep, clock=time.monotonic
        ),
    )
    times = [r.at for r in nominatim.requests]
    assert len(times) == 4
    assert all(later - earlier >= 0.15 for earlier, later in itertools.pairwise(times))


def test_the_default_is_one_request_a_second(story, nominatim, clock):
    online = online_geocoder(
        "nominatim",
        USER_AGENT,
        domain=nominatim.domain,
        scheme="http",
        timeout=2,
        sleep=clock.sleep,
        clock=clock,
    )
    run(story, online)
    assert len(nominatim.requests) == 3
    # The fake clock stands still while a request is made: each later one waits a full second.
    assert clock.sleeps == [1.0, 1.0]


# --- the progress bar ------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_writes_a_line_per_place_when_not_on_a_terminal():
    out = io.StringIO()
    draw = text_progress(out, width=10)
    draw(3, 7, "moscow", FOUND)
    draw(7, 7, "vvo", FAILED)
    draw.close()
    assert out.getvalue() == (
        "geocode [####------] 3/7 moscow: found\ngeocode [##########] 7/7 vvo: failed\n"
    )


def test_progress_redraws_one_line_on_a_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = Terminal()
    draw = text_progress(out, width=4)
    draw(1, 2, "lemuria", NOT_FOUND)
    draw(2, 2, "ys", FOUND)
    assert out.getvalue() == (
        "\rgeocode [##--] 1/2 lemuria: not found"
        + "\rgeocode [####] 2/2 ys: found"
        + " " * 9  # over what is left of the longer line
        + "\n"
    )
    draw.close()  # already ended
    assert out.getvalue().endswith("found" + " " * 9 + "\n")


def test_progress_on_a_terminal_ends_an_unfinished_bar_on_close(monkeypatch):
    monkeypatch.setenv("COLUMNS", "30")
    out = Terminal()
    draw = text_progress(out, width=4)
    draw(1, 3, "a_place_with_a_very_long_id", FOUND)
    draw.close()
    assert out.getvalue() == "\rgeocode [#---] 1/3 a_place_w…\n"  # 29 of 30 columns


def test_the_progress_bar_defaults_to_standard_error(capsys):
    text_progress()(1, 1, "x", CACHED)
    assert capsys.readouterr().err == "geocode [####################] 1/1 x: from the cache\n"


def test_geocode_story_draws_its_progress(story, nominatim, geocoder):
    out = io.StringIO()
    geocode_story(story, online=geocoder(), progress=text_progress(out, width=4))
    assert out.getvalue().splitlines() == [
        "geocode [#---] 1/4 lemuria: found",
        "geocode [##--] 2/4 moscow: in the gazetteer",
        "geocode [###-] 3/4 eldorado: found",
        "geocode [####] 4/4 xanadu: found",
    ]


def test_cache_entries_from_elsewhere_are_kept(story, nominatim, geocoder):
    cache = GeoCache(story.path.parent / "geocache.json")
    cache.put(CacheEntry("Avalon", 51.15, -2.71, "Avalon", "nominatim", "2020-01-01"))
    cache.save()
    run(story, geocoder())
    assert sorted(cache_of(story)["entries"]) == ["avalon", "cibola", "lemuria", "xanadu"]
