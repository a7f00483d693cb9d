"""The page as text: self-contained, deterministic, and story text never becomes markup."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from storymap.render import PageOptions, render, story_data
from storymap.routes import build_legs

HERE = Path(__file__).parent
MINI = HERE / "fixtures" / "mini" / "story.yaml"
ROOT = HERE.parent

TILE_TEMPLATE = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
# Links (not requests) that Leaflet and the tile provider's attribution put on the page.
ATTRIBUTION_LINKS = {"https://leafletjs.com", "https://www.openstreetmap.org/copyright"}


@pytest.fixture(scope="module")
def mini(mini_journey):
    return mini_journey.story, mini_journey.legs


@pytest.fixture(scope="module")
def page(mini) -> str:
    story, legs = mini
    return render(story, legs, PageOptions(tiles=story.tiles))


def page_json(html: str) -> dict:
    match = re.search(r"storymap\.init\(\w+, (\{.*\})\);", html)
    assert match, "the story JSON is handed to storymap.init"
    return json.loads(match.group(1))


def test_nothing_is_loaded_from_elsewhere(page: str) -> None:
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+stylesheet", page)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page)
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()
    assert "font-awesome" not in page.lower() and "fontawesome" not in page.lower()
    story_links = {
        "https://example.org/source",
        "https://example.org/bridge",
        "https://example.org/photo.jpg",
    }
    from storymap.render import leaflet_assets

    ours = page
    for asset in leaflet_assets():  # Leaflet's own comments name web pages
        ours = ours.replace(asset, "")
    urls = set(re.findall(r"https?://[^\s\"'<>)\\]+", ours))
    unexpected = {
        u
        for u in urls
        if u.rstrip("/") not in ATTRIBUTION_LINKS
        and u not in story_links
        and not u.startswith("https://tile.openstreetmap.org/")
        and not u.startswith("http://www.w3.org/")  # XML namespaces, never fetched
    }
    assert unexpected == set()
    assert TILE_TEMPLATE in page


def test_no_tiles_means_no_tile_layer(mini) -> None:
    story, legs = mini
    html = render(story, legs, PageOptions(tiles=None))
    assert "tile.openstreetmap.org" not in html
    assert page_json(html)["tiles"] is None


def test_page_holds_the_whole_story(page: str, mini) -> None:
    story, legs = mini
    data = page_json(page)
    assert [c["id"] for c in data["chapters"]] == [
        "start",
        "khasan",
        "airport",
        "moscow",
    ]
    assert data["chapters"][0]["leg"] is None
    trolley = data["chapters"][1]["leg"]
    assert trolley["mode"] == "trolley" and trolley["duration"] == "1 h"
    assert trolley["from"] == "Tumangang"
    assert [m["name"] for m in data["modes"]] == ["trolley", "bus", "flight"]
    image, remote = data["chapters"][1]["media"]
    assert image["kind"] == "image" and image["src"].startswith("data:image/png;base64,")
    assert (image["alt"], image["caption"], image["credit"]) == (
        "A red dot",
        "The only picture",
        "Test credit",
    )
    assert remote == {
        "kind": "link",
        "href": "https://example.org/photo.jpg",
        "alt": "A remote photo",
        "caption": None,
        "credit": None,
    }
    assert "<li>first item</li>" in data["chapters"][0]["html"]
    south, west = data["bounds"][0]
    north, east = data["bounds"][1]
    for chapter in data["chapters"]:
        assert south <= chapter["place"]["lat"] <= north
        assert west <= chapter["place"]["lon"] <= east


def test_same_input_same_bytes(mini, page: str) -> None:
    story, legs = mini
    assert render(story, legs, PageOptions(tiles=story.tiles)) == page
    assert not re.search(r"[0-9a-f]{32}", page), "no random branca ids"


def test_same_bytes_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"page-{seed}.html"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "storymap", "build", str(MINI), "-o", str(out)],
            check=True,
            env=env,
            cwd=tmp_path,
            capture_output=True,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


PAYLOADS = [
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=window.__pwned=1>",
    "${window.__pwned=1}",
    "`;window.__pwned=1;`",
    "</script><script>window.__pwned=1</script>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_story_text_is_never_markup(payload: str, mini) -> None:
    story, legs = mini
    from dataclasses import replace

    chapter = replace(story.chapters[1], title=payload, text=payload)
    hostile = replace(
        story,
        title=payload,
        byline=payload,
        chapters=(story.chapters[0], chapter, *story.chapters[2:]),
    )
    html = render(hostile, legs, PageOptions(tiles=None))
    assert "__pwned" in html
    head = html.split("<body>")[0]
    from markupsafe import escape

    assert f"<title>{escape(payload)}</title>" in head
    data = page_json(html)
    assert data["title"] == payload  # kept as text, to be shown with textContent
    body_html = data["chapters"][1]["html"]
    assert "<script" not in body_html and "<img" not in body_html
    assert "onerror" not in body_html or "&lt;img" in body_html
    # Only the three script blocks of the page itself exist.
    assert html.count("<script>") == html.count("</script>") == 3


def test_story_data_is_json_serialisable(mini) -> None:
    story, legs = mini
    from storymap.routes import routed

    data = story_data(story, routed(story, legs))
    assert json.loads(json.dumps(data)) == data


@pytest.mark.parametrize(
    "payload",
    ["Sum {{ 7*7 }}", "{{ cycler.__init__.__globals__.os.getpid() }}", "{% raw %}x", "{# c #}"],
)
def test_story_text_is_never_a_template(payload: str, mini) -> None:
    """branca renders macro output as a template again; story text must not go through that."""
    story, legs = mini
    from dataclasses import replace

    chapter = replace(story.chapters[1], title=payload, text=payload)
    hostile = replace(
        story, title=payload, chapters=(story.chapters[0], chapter, *story.chapters[2:])
    )
    data = page_json(render(hostile, legs, PageOptions(tiles=story.tiles)))
    assert data["title"] == payload
    assert data["chapters"][1]["title"] == payload
    assert payload.replace("{", "").strip("% ")[:4] in data["chapters"][1]["html"]


# --- the offline map of the page being replaced ----------------------------------------------


def test_an_unchanged_offline_map_is_reused_from_the_page_it_replaces(
    mini, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storymap import render as render_module
    from storymap.build import Journey

    story, legs = mini
    target = tmp_path / "page.html"
    journey = Journey(story, legs)
    journey.save(target, tiles=None)
    first = target.read_bytes()
    earlier = render_module.earlier_basemap(target)
    assert earlier is not None and earlier["key"] and earlier["levels"]

    def no_clipping(*args, **kwargs):
        raise AssertionError("the offline map was clipped again")

    monkeypatch.setattr(render_module, "_clipped", no_clipping)
    journey.save(target, tiles=None)
    assert target.read_bytes() == first, "the reused map gives the same page"
    # A stop moved: the plan changes, and the map is made anew.
    moved = story.places[story.chapters[0].at]
    changed = replace(story, places={**story.places, moved.id: replace(moved, lat=moved.lat + 2)})
    with pytest.raises(AssertionError, match="clipped again"):
        Journey(changed, build_legs(changed)).save(target, tiles=None)


@pytest.mark.parametrize("kind", ["missing", "folder", "not a page", "broken page", "fifo"])
def test_only_a_storymap_page_is_read_for_its_offline_map(kind: str, tmp_path: Path) -> None:
    from storymap.render import earlier_basemap

    path = tmp_path / "page.html"
    if kind == "folder":
        path.mkdir()
    elif kind == "not a page":
        path.write_text("<html>hello</html>", encoding="utf-8")
    elif kind == "broken page":
        path.write_text('storymap.init(map_1, {"basemap": [[[[', encoding="utf-8")
    elif kind == "fifo":
        os.mkfifo(path)
    assert earlier_basemap(path) is None


def test_story_text_cannot_pose_as_the_offline_map_of_a_page(mini, tmp_path: Path) -> None:
    from storymap.build import Journey
    from storymap.render import earlier_basemap

    story, legs = mini
    fake = '\nstorymap.init(map_0001, {"basemap": {"key": "forged", "levels": []}});\n'
    chapter = replace(story.chapters[0], text=fake, title=fake.strip())
    posing = replace(story, chapters=(chapter, *story.chapters[1:]))
    target = tmp_path / "page.html"
    Journey(posing, legs).save(target, tiles=None)
    found = earlier_basemap(target)
    assert found is not None and found["key"] != "forged" and found["levels"]


# --- the modes' looks ------------------------------------------------------------------------

MAP_COLOURS = {"land": "#f1eee4", "sea": "#d4e4ef"}  # the offline map's fills (30-basemap.js)


def _luminance(color: str) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(color[k : k + 2], 16) / 255) for k in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("name", ["bike", "boat", "ship"])
def test_a_new_mode_stands_out_on_the_map_and_from_the_others(name: str) -> None:
    from storymap.model import MODES

    mode = MODES[name]
    script = (Path(__file__).parent.parent / "storymap/static/js/30-basemap.js").read_text()
    for fill, colour in MAP_COLOURS.items():
        assert colour in script, fill
        assert _contrast(mode.color, colour) >= 3.5, fill  # WCAG's 3:1 for graphics, and more
    others = [m for m in MODES.values() if m.name != name]
    assert mode.color not in {m.color for m in others}
    assert mode.dash not in {m.dash for m in others}
    assert mode.icon not in {m.icon for m in others}


def test_every_icon_is_drawn_alike() -> None:
    from storymap.model import MODES
    from storymap.render import icon_svg

    head = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" '
        'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
        'stroke-linejoin="round">'
    )
    for mode in MODES.values():
        svg = icon_svg(mode.icon)
        assert svg.startswith(head) and svg.endswith("</svg>"), mode.name
        assert "\n" not in svg and "<path d=" in svg, mode.name
