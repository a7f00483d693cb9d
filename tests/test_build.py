"""storymap.build: where the page goes, how it is written, and the Journey that build() returns."""

from __future__ import annotations

import html
import os
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest

import storymap
from storymap.build import Journey, build, load, output_path, write_atomic
from storymap.errors import OutputError, StoryError

MINI = Path(__file__).parent / "fixtures" / "mini" / "story.yaml"


# --- output_path -------------------------------------------------------------------------------


def test_output_path_names_the_page_or_a_folder_for_it(tmp_path: Path) -> None:
    assert output_path("data/story.yaml", None) == Path("output/story.html")
    assert output_path("a/trip.yaml", tmp_path / "page.html") == tmp_path / "page.html"
    assert output_path("a/trip.yaml", tmp_path) == tmp_path / "trip.html"  # an existing folder
    assert output_path("a/trip.yaml", "new/") == Path("new/trip.html")  # a folder to make


# --- write_atomic ------------------------------------------------------------------------------


def test_write_atomic_writes_text_or_bytes_readable_by_all(tmp_path: Path) -> None:
    target = tmp_path / "deeper" / "page.html"
    write_atomic(target, "é")
    assert target.read_bytes() == "é".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    write_atomic(target, b"\x00second")
    assert target.read_bytes() == b"\x00second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["page.html"]


def test_write_atomic_says_where_it_cannot_write(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(
        OutputError, match=r"a-file/page.html: cannot write here .*choose another -o"
    ):
        write_atomic(blocker / "page.html", "page")
    assert isinstance(OutputError("x"), OSError)


# --- load, save and build ----------------------------------------------------------------------


def test_load_gives_a_journey_not_yet_saved() -> None:
    journey = load(MINI)
    assert isinstance(journey, Journey) and journey.story.title == "Across the Tumen"
    assert [leg.mode.name for leg in journey.legs] == ["trolley", "bus", "flight"]
    assert journey.page is None and journey.size is None
    assert journey == Journey(journey.story, journey.legs, journey.resolutions, journey.warnings)
    assert [r.place for r in journey.resolutions] == ["moscow"]
    assert journey.warnings == ()


def test_save_writes_the_page_and_records_where(tmp_path: Path, mini_journey: Journey) -> None:
    journey = Journey(mini_journey.story, mini_journey.legs)
    size = journey.save(tmp_path / "saved.html", tiles=None)
    assert journey.page == tmp_path / "saved.html"
    assert size == journey.size == journey.page.stat().st_size
    assert journey.page.read_text(encoding="utf-8") == journey.render(tiles=None)


def test_build_returns_the_journey_with_its_page(tmp_path: Path) -> None:
    journey = build(MINI, tmp_path, tiles=None)
    assert isinstance(journey, Journey)
    assert journey.page == tmp_path / "story.html"
    assert journey.size == journey.page.stat().st_size > 0
    assert len(journey.story.chapters) == 4 and len(journey.legs) == 3
    assert "<title>Across the Tumen</title>" in journey.page.read_text(encoding="utf-8")


def test_a_bad_story_raises_and_writes_nothing(tmp_path: Path) -> None:
    story = tmp_path / "story.yaml"
    story.write_text(MINI.read_text().replace("by: bus", "by: hovercraft"), encoding="utf-8")
    with pytest.raises(StoryError, match="unknown mode 'hovercraft'"):
        build(story, tmp_path / "page.html")
    assert not (tmp_path / "page.html").exists()


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.elements.append((tag, dict(attrs)))


def test_notebook_view_is_the_same_page(tmp_path: Path) -> None:
    journey = storymap.load(MINI)
    parser = Elements()
    parser.feed(journey._repr_html_())
    ((iframe, attrs),) = parser.elements
    assert iframe == "iframe" and "allow-scripts" in attrs["sandbox"]
    assert "allow-same-origin" not in attrs["sandbox"]
    assert attrs["srcdoc"] == journey.render()
    assert journey.save(tmp_path / "saved.html") == len(journey.render().encode())
    assert journey.to_geojson()["type"] == "FeatureCollection"


def test_a_provider_that_needs_a_key(tmp_path: Path) -> None:
    with pytest.raises(StoryError, match="needs an API key; give it with --tiles-key KEY"):
        build(MINI, tmp_path / "a.html", tiles="Thunderforest.OpenCycleMap")
    assert not (tmp_path / "a.html").exists()
    build(MINI, tmp_path / "b.html", tiles="Thunderforest.OpenCycleMap", tiles_key="K123")
    assert "api.thunderforest.com/cycle/{z}/{x}/{y}{r}.png?apikey=K123" in html.unescape(
        (tmp_path / "b.html").read_text()
    ).replace("\\u0026", "&")


def test_sizes_inline_cdn_basemap(tmp_path: Path) -> None:
    sizes = {}
    for resources in ("inline", "cdn"):
        for basemap in (True, False):
            out = tmp_path / f"{resources}-{basemap}.html"
            sizes[resources, basemap] = build(MINI, out, resources=resources, basemap=basemap).size
    assert sizes["cdn", False] < 90_000 < 150_000 < sizes["inline", False]
    assert sizes["inline", True] > sizes["inline", False]
    assert (
        sizes["cdn", True] - sizes["cdn", False] == sizes["inline", True] - sizes["inline", False]
    )


def test_the_default_output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    journey = build(MINI, tiles=None, basemap=False)
    assert journey.page == Path("output/story.html") and os.path.isfile("output/story.html")
