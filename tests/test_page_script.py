"""The page's script is in parts (storymap/static/js/NN-name.js), inlined in order.

Each part starts with ``/* storymap.NAME: ...`` and adds that one name to ``window.storymap``,
as Leaflet's modules add to ``L``; ``storymap.init(map, data)`` wires them together and keeps
the app as ``storymap.app``.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

import storymap
from storymap.render import page_script, story_script

MINI_STORY = Path(__file__).parent / "fixtures" / "mini" / "story.yaml"
PART_NAME = re.compile(r"\d\d-([a-z][a-z0-9]*)\.js")
FIRST_LINE = re.compile(r"/\* storymap\.([a-z][a-z0-9]*): \S")

APP_FUNCTIONS = ["go", "next", "prev", "play", "pause", "seek", "setSpeed", "layout", "setOffline"]
APP_VALUES = [
    "map",
    "data",
    "current",
    "moving",
    "playing",
    "legs",
    "stops",
    "groups",
    "groupMarkers",
    "plan",
    "journeySeconds",
    "unknownLink",
]


def parts() -> list[tuple[str, str]]:
    """(name, text) of each part, in the order of their file names."""
    folder = resources.files("storymap").joinpath("static", "js")
    found = sorted((p.name, p.read_text(encoding="utf-8")) for p in folder.iterdir())
    out = []
    for file_name, text in found:
        match = PART_NAME.fullmatch(file_name)
        assert match, f"static/js/{file_name}: parts are named NN-name.js"
        out.append((match.group(1), text))
    return out


@pytest.fixture(scope="module")
def mini_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("script") / "page.html"
    return storymap.build(MINI_STORY, out, tiles=None).page


def test_each_part_names_what_it_adds_to_storymap() -> None:
    names = [name for name, _ in parts()]
    assert names[:2] == ["i18n", "page"] and names[-1] == "init"  # the words, then the helpers
    assert {"panel", "basemap", "layers", "navigation", "player"} <= set(names)
    for name, text in parts():
        first = text.splitlines()[0]
        assert FIRST_LINE.match(first), first
        assert FIRST_LINE.match(first).group(1) == name
        assert f"storymap.{name} = " in text
        assert text.rstrip().endswith("})((window.storymap = window.storymap || {}));")


def test_parts_are_inlined_in_order_without_their_comments(mini_page: Path) -> None:
    html = mini_page.read_text(encoding="utf-8")
    script = story_script()
    assert script == "\n".join(text for _, text in parts())
    assert html.count(page_script()) == 1
    assert len(page_script()) < 0.8 * len(script)
    assert "/* storymap." not in html, "the parts' comments stay in the source"
    where = [html.find(f"storymap.{name}=") for name, _ in parts()]
    assert all(k >= 0 for k in where)
    assert where == sorted(where)


def test_each_part_adds_to_one_storymap_object(page, mini_page: Path) -> None:
    page.open(mini_page)
    page.wait_for_function("() => window.storymap && window.storymap.app")
    keys = page.evaluate("() => Object.keys(window.storymap)")
    assert keys == [name for name, _ in parts()] + ["app"]
    kinds = page.evaluate(
        """names => names.map(name => typeof window.storymap.app[name])""",
        APP_FUNCTIONS + APP_VALUES,
    )
    assert kinds[: len(APP_FUNCTIONS)] == ["function"] * len(APP_FUNCTIONS)
    assert "undefined" not in kinds[len(APP_FUNCTIONS) :]
    assert page.evaluate("() => storymap.app.current") == -1
    page.evaluate("() => storymap.app.next()")
    assert page.evaluate("() => storymap.app.current") == 0
