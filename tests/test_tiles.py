"""storymap.tiles: provider names, their attribution, and keys for those that need one."""

from __future__ import annotations

import pytest

from storymap.tiles import DEFAULT_TILES, check_name, provider


def test_the_default_provider() -> None:
    tiles = provider(DEFAULT_TILES)
    assert tiles.build_url() == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert "openstreetmap.org/copyright" in tiles.html_attribution
    assert provider(DEFAULT_TILES) is tiles  # looked up once


@pytest.mark.parametrize("name", ["OpenTopoMap", "Esri.WorldImagery", "OpenStreetMap.HOT"])
def test_known_names_pass(name: str) -> None:
    check_name(name)
    assert provider(name).build_url().startswith("https://")


@pytest.mark.parametrize("call", [check_name, provider])
def test_an_unknown_name_says_what_to_use(call) -> None:
    with pytest.raises(ValueError) as raised:
        call("Nope.Tiles")
    assert str(raised.value) == (
        "unknown tile provider 'Nope.Tiles'; use an xyzservices name such as "
        "OpenStreetMap.Mapnik, OpenTopoMap or Esri.WorldImagery, or none for no tiles"
    )


def test_a_provider_that_needs_a_key() -> None:
    with pytest.raises(ValueError, match="needs an API key; give it with --tiles-key KEY"):
        provider("Thunderforest.OpenCycleMap")
    tiles = provider("Thunderforest.OpenCycleMap", "K123")
    assert tiles.build_url() == "https://api.thunderforest.com/cycle/{z}/{x}/{y}.png?apikey=K123"
    check_name("Thunderforest.OpenCycleMap")  # the name itself is known
