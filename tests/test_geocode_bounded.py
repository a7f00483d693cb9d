"""An online geocoder's answer is bounded in size and in time, against a real local server."""

from __future__ import annotations

import time

import pytest
from nominatim_server import (
    PROXY_VARIABLES,
    NominatimServer,
    Reply,
    gzip_bomb,
    trickle,
)

from storymap.geocode import OnlineGeocodingError, online_geocoder

USER_AGENT = "storymap-tests/1.0 (tests@example.org)"


@pytest.fixture
def nominatim(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with NominatimServer() as server:
        yield server


def geocoder(server, **kwargs):
    kwargs.setdefault("max_retries", 0)
    return online_geocoder(
        "nominatim",
        USER_AGENT,
        domain=server.domain,
        scheme="http",
        min_delay_seconds=0.0,
        sleep=lambda s: None,
        **kwargs,
    )


def test_a_gzip_bomb_is_refused_at_the_limit(nominatim):
    nominatim.script("Lemuria", gzip_bomb(20_000_000))
    ask = geocoder(nominatim, timeout=5, max_answer_bytes=100_000)
    started = time.monotonic()
    with pytest.raises(OnlineGeocodingError) as caught:
        ask("Lemuria")
    assert time.monotonic() - started < 3
    assert str(caught.value) == (
        "OpenStreetMap Nominatim geocoder sent an answer larger than 0.1 MB looking up "
        "'Lemuria'; check that the geocoder's address points at a geocoding service"
    )
    assert caught.value.fatal  # no use asking the same server again


def test_a_gzipped_answer_within_the_limit_is_read(nominatim):
    nominatim.script("Lemuria", gzip_bomb(50_000))  # a valid, empty answer: [ ... ]
    assert geocoder(nominatim, timeout=5, max_answer_bytes=100_000)("Lemuria") is None
    assert geocoder(nominatim, timeout=5, max_answer_bytes=100_000)("Lemuria").latitude == 36.4


def test_an_answer_that_trickles_in_is_cut_at_the_deadline(nominatim):
    nominatim.script("Lemuria", trickle(0.05), trickle(0.05))
    ask = geocoder(nominatim, timeout=1, deadline=0.6, max_retries=1)
    started = time.monotonic()
    with pytest.raises(OnlineGeocodingError) as caught:
        ask("Lemuria")
    took = time.monotonic() - started
    assert 1.2 <= took < 3  # two attempts of 0.6 s each, though every byte came in time
    assert str(caught.value) == (
        "OpenStreetMap Nominatim geocoder took longer than 0.6 s to answer looking up "
        "'Lemuria' (2 attempts); check the network connection and the service address, or try "
        "again later"
    )
    assert caught.value.fatal
    assert nominatim.queries == ["Lemuria", "Lemuria"]


def test_the_deadline_is_a_few_timeouts_by_default(nominatim):
    nominatim.script("Lemuria", trickle(0.05))
    started = time.monotonic()
    with pytest.raises(OnlineGeocodingError, match="took longer than 0.9 s to answer"):
        geocoder(nominatim, timeout=0.3)("Lemuria")
    assert time.monotonic() - started < 2.5


def test_a_plain_answer_over_the_limit_is_refused(nominatim):
    nominatim.script("Lemuria", Reply(body=b"[" + b" " * 300_000 + b"]"))
    with pytest.raises(OnlineGeocodingError, match="sent an answer larger than 0.2 MB"):
        geocoder(nominatim, timeout=5, max_answer_bytes=200_000)("Lemuria")


def test_an_error_answer_is_bounded_too(nominatim):
    bomb = gzip_bomb(20_000_000)
    nominatim.script("Lemuria", Reply(500, bomb.headers, bomb.body))
    with pytest.raises(OnlineGeocodingError, match="sent an answer larger than 0.1 MB"):
        geocoder(nominatim, timeout=5, max_answer_bytes=100_000)("Lemuria")
