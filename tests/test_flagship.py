"""The flagship story as the issue describes it: its places sourced, its legs as reported."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest

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
