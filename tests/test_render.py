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


def section(html: str, chapter_id: str) -> str:
    """A chapter's section of the page's story HTML."""
    match = re.search(
        rf'<section class="sm-chapter" id="{re.escape(chapter_id)}">(.*?)</section>', html, re.S
    )
    assert match, f"a section for chapter {chapter_id}"
    return match.group(1)


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
    assert trolley["mode"] == "trolley" and trolley["distance"] == "2.3 km"
    assert [m["name"] for m in data["modes"]] == ["trolley", "bus", "flight"]
    # The words are the page's HTML, in story order, and not in the JSON as well.
    ids = re.findall(r'<section class="sm-chapter" id="([^"]+)">', page)
    assert ids == [c["id"] for c in data["chapters"]]
    assert "title" not in data and "intro" not in data
    assert all("title" not in c and "html" not in c and "media" not in c for c in data["chapters"])
    assert page.count("The group waits at the station.") == 1
    assert "<h1>Across the Tumen</h1>" in page
    assert '<p class="sm-subtitle">A test journey</p>' in page
    assert '<p class="sm-byline">The storymap tests · 26 February 2021</p>' in page
    khasan = section(page, "khasan")
    assert '<h2 class="sm-title">Over the bridge</h2>' in khasan
    assert '<p class="sm-kicker">Stop 2 of 4 · Khasan</p>' in khasan
    assert "Hand-pushed rail trolley from Tumangang · 2.3 km · 1 h" in khasan
    assert re.search(
        r'<img src="data:image/png;base64,[^"]+" alt="A red dot" loading="lazy">', khasan
    )
    assert '<span class="sm-caption">The only picture</span>' in khasan
    assert '<span class="sm-credit">Test credit</span>' in khasan
    assert (
        '<a href="https://example.org/photo.jpg" target="_blank" rel="noopener noreferrer">'
        "Image: A remote photo</a>"
    ) in khasan
    assert "<li>first item</li>" in section(page, "start")
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
    escaped = str(escape(payload))
    assert f"<h1>{escaped}</h1>" in html  # kept as text
    body_html = section(html, story.chapters[1].id)
    assert f'<h2 class="sm-title">{escaped}</h2>' in body_html
    text = re.search(r'<div class="sm-text">(.*?)</div>', body_html, re.S).group(1)
    assert "<script" not in text and "<img" not in text
    assert "onerror" not in text or "&lt;img" in text
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
    from markupsafe import escape

    html = render(hostile, legs, PageOptions(tiles=story.tiles))
    assert f"<h1>{escape(payload)}</h1>" in html
    chapter_html = section(html, chapter.id)
    assert f'<h2 class="sm-title">{escape(payload)}</h2>' in chapter_html
    assert str(escape(payload.replace("{", "").strip("% ")[:4])) in chapter_html


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


def test_story_text_cannot_pose_as_the_page_data(mini, tmp_path: Path) -> None:
    """The story's HTML comes before the script: a line of story text that looks like the
    script's call is never read as the page's data."""
    from storymap.render import page_data

    story, legs = mini
    fake = "```\nx\nstorymap.init(map_0001, {})\n```"
    chapter = replace(story.chapters[1], text=fake)
    hostile = replace(story, chapters=(story.chapters[0], chapter, *story.chapters[2:]))
    path = tmp_path / "page.html"
    path.write_text(render(hostile, legs, PageOptions(tiles=None)), encoding="utf-8")
    assert "\nstorymap.init(map_0001, {})" in path.read_text(encoding="utf-8")
    data = page_data(path)
    assert data is not None
    assert [c["id"] for c in data["chapters"]] == [c.id for c in story.chapters]
