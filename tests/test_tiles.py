"""storymap.tiles: provider names, their attribution, and keys for those that need one."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from storymap.build import build
from storymap.render import page_data
from storymap.tiles import DEFAULT_TILES, check_name, provider

MINI = Path(__file__).parent / "fixtures" / "mini"


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


HOSTILE_KEY = "a{x}&b=1#c/d e%zz"
ENCODED_KEY = "a%7Bx%7D%26b%3D1%23c%2Fd%20e%25zz"


def test_a_key_is_percent_encoded_into_the_url() -> None:
    tiles = provider("Thunderforest.OpenCycleMap", HOSTILE_KEY)
    assert tiles.build_url() == (
        f"https://api.thunderforest.com/cycle/{{z}}/{{x}}/{{y}}.png?apikey={ENCODED_KEY}"
    )


def _keyed_page(tmp_path: Path) -> Path:
    return build(
        MINI / "story.yaml",
        tmp_path / "page.html",
        tiles="Thunderforest.OpenCycleMap",
        tiles_key=HOSTILE_KEY,
        basemap=False,
    ).page


def test_the_page_holds_the_encoded_key(tmp_path: Path) -> None:
    data = page_data(_keyed_page(tmp_path))
    assert data is not None
    assert data["tiles"]["url"] == (
        f"https://api.thunderforest.com/cycle/{{z}}/{{x}}/{{y}}{{r}}.png?apikey={ENCODED_KEY}"
    )


def test_chromium_asks_for_tiles_with_the_key_intact(page, tmp_path: Path) -> None:
    page.open(_keyed_page(tmp_path))
    page.wait_for_selector(".sm-stop", state="attached")
    page.wait_for_function("() => document.querySelectorAll('.leaflet-tile-loaded').length > 0")
    assert page.tile_requests
    for url in page.tile_requests:
        parts = urlsplit(url)
        assert parts.hostname == "api.thunderforest.com"
        assert parse_qs(parts.query) == {"apikey": [HOSTILE_KEY]}, url
        assert parts.fragment == ""
        assert re.fullmatch(r"/cycle/\d+/\d+/\d+(@2x)?\.png", parts.path), url
