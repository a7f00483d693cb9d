"""Works anywhere: offline, with any tiles, inside another page, with Leaflet from a CDN."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from storymap.build import build

ROOT = Path(__file__).parent.parent
FLAGSHIP = ROOT / "data" / "story.yaml"
MINI = Path(__file__).parent / "fixtures" / "mini"
READY = "() => window.storymap && storymap.app"


@pytest.fixture(scope="module")
def site(flagship_built) -> Path:
    return flagship_built.page.parent


def basemap_paths(page) -> dict[str, int]:
    return page.evaluate(
        """() => ({
            sea: document.querySelectorAll('path.sm-bm-sea').length,
            land: document.querySelectorAll('path.sm-bm-land').length,
            water: document.querySelectorAll('path.sm-bm-water').length,
            lines: document.querySelectorAll('path.sm-bm-lines').length,
            labels: document.querySelectorAll('.sm-label').length,
        })"""
    )


@pytest.mark.allow_page_errors  # the refused tiles are logged by the browser itself
def test_refused_tiles_fall_back_to_the_offline_basemap(page_factory, site: Path) -> None:
    page = page_factory(tile_status=403)
    page.open(site / "story.html")
    page.wait_for_function(READY)
    page.wait_for_function("() => storymap.app.tilesFailed === true")
    notice = page.locator(".sm-notice")
    assert notice.inner_text() == "Map tiles could not be loaded, so this is the offline map."
    drawn = basemap_paths(page)
    # The world's and the journey's levels, each its sea, land and lines.
    assert drawn["sea"] == 2 and drawn["land"] == 2 and drawn["lines"] >= 2
    assert drawn["labels"] == 6
    assert page.locator(".leaflet-tile").count() == 0
    assert "Natural Earth" in page.locator(".leaflet-control-attribution").inner_text()
    assert page.tile_requests and page.blocked == []
    # Every error is one of the refused tiles, nothing else.
    assert page.console_errors
    assert all("403" in e and "tile.openstreetmap.org" in e for e in page.console_errors)
    assert page.page_errors == []


def test_tiles_that_load_stay_and_the_offline_map_is_a_choice(page, site: Path) -> None:
    page.open(site / "story.html")
    page.wait_for_function(READY)
    page.wait_for_function("() => document.querySelectorAll('.leaflet-tile-loaded').length > 0")
    assert page.evaluate("storymap.app.tilesFailed") is None
    assert page.locator(".sm-notice").count() == 0
    assert basemap_paths(page)["land"] == 0
    assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text()
    page.locator(".leaflet-control-layers").hover()
    page.get_by_label("Offline map").check()
    assert basemap_paths(page)["land"] >= 2


def test_closer_detail_around_a_small_chapter(page, site: Path) -> None:
    page.open(site.joinpath("story.html").as_uri() + "#trolley")
    page.wait_for_function(READY)
    page.locator(".leaflet-control-layers").hover()
    page.get_by_label("Offline map").check()
    page.wait_for_function("() => !storymap.app.moving")
    # At the trolley's zoom the chapter's own levels are drawn over the journey's, in order.
    shown = page.evaluate(
        """() => {
            const bm = storymap.app.data.basemap;
            const zoom = storymap.app.map.getZoom();
            const own = bm.levels.filter(
                (l) => l.chapters && l.chapters.includes(storymap.app.current) && zoom >= l.minZoom
            );
            return [zoom <= bm.maxZoom, own.map((l) => l.zoom)];
        }"""
    )
    assert shown[0] is True
    assert shown[1] and max(shown[1]) >= 9
    drawn = basemap_paths(page)
    assert drawn["sea"] == 2 + len(shown[1])
    assert drawn["lines"] >= 2 + len(shown[1])


def test_switching_between_tiles_and_the_offline_map_reframes_the_chapter(page, site: Path) -> None:
    page.open(site.joinpath("story.html").as_uri() + "#trolley")
    page.wait_for_function(READY)
    page.wait_for_function("() => !storymap.app.moving")
    zoom = "storymap.app.map.getZoom()"
    cap = page.evaluate("storymap.app.data.basemap.maxZoom")
    on_tiles = page.evaluate(zoom)
    assert on_tiles > cap, "on tiles the trolley's kilometre keeps its own close framing"
    page.locator(".leaflet-control-layers").hover()
    page.get_by_label("Offline map").check()
    page.wait_for_function(f"() => !storymap.app.moving && {zoom} <= {cap}")
    page.get_by_label("OpenStreetMap.Mapnik").check()
    page.wait_for_function(f"() => !storymap.app.moving && {zoom} === {on_tiles}")


def test_tiles_none_draws_the_basemap_and_requests_nothing(page, tmp_path: Path) -> None:
    target = build(FLAGSHIP, tmp_path / "page.html", tiles=None).page
    page.open(target)
    page.wait_for_function(READY)
    assert basemap_paths(page)["land"] == 2
    assert page.locator(".leaflet-control-layers").count() == 0
    assert page.requests == [target.resolve().as_uri()]


def test_other_providers_show_their_attribution(page, tmp_path: Path) -> None:
    target = build(MINI / "story.yaml", tmp_path / "topo.html", tiles="OpenTopoMap").page
    page.open(target)
    page.wait_for_function("() => document.querySelectorAll('.leaflet-tile-loaded').length > 0")
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    assert "OpenTopoMap" in attribution and "OpenStreetMap" in attribution
    assert all("tile.opentopomap.org" in u for u in page.tile_requests)


def test_the_embed_snippet_works_in_a_local_page(page, site: Path, http_server) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "storymap", "embed", str(site / "story.html"), "--chapter", "train"],
        capture_output=True,
        text=True,
        check=True,
    )
    snippet = result.stdout
    filler = "<p>" + "An article paragraph. " * 200 + "</p>"
    (site / "article.html").write_text(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Article</title>"
        f"</head><body><h1>An article</h1>{filler}{snippet}{filler}</body></html>",
        encoding="utf-8",
    )
    page.set_viewport_size({"width": 1000, "height": 700})
    page.open(http_server(site) + "article.html")
    iframe = page.locator("iframe")
    assert iframe.get_attribute("loading") == "lazy"
    assert iframe.get_attribute("allowfullscreen") is not None
    iframe.scroll_into_view_if_needed()
    box = iframe.bounding_box()
    assert box["width"] == 1000 - 16  # the body's margin
    assert abs(box["height"] - box["width"] * 10 / 16) < 2
    frame = page.frame_locator("iframe")
    frame.locator(".sm-view h2").wait_for()
    assert frame.locator(".sm-view h2").inner_text() == "32 hours by train, towards Chongjin"
    frame.locator(".sm-next").click()
    assert frame.locator(".sm-progress").inner_text() == "3 / 6"
    # The wheel over the embedded map scrolls the article, not the map.
    inner = page.frames[1]
    inner.wait_for_function("() => storymap.app.current === 2 && !storymap.app.moving")
    zoom = inner.evaluate("storymap.app.map.getZoom()")
    before = page.evaluate("scrollY")
    map_box = frame.locator(".leaflet-container").bounding_box()
    page.mouse.move(map_box["x"] + 100, map_box["y"] + 100)
    page.mouse.wheel(0, 400)
    page.wait_for_function("(y) => scrollY > y", arg=before)
    assert inner.evaluate("storymap.app.map.getZoom()") == zoom
    assert frame.locator(".sm-fullscreen").count() == 1


def test_leaflet_from_a_cdn_with_integrity(page, tmp_path: Path) -> None:
    import xstatic.pkg.leaflet as leaflet

    target = build(MINI / "story.yaml", tmp_path / "cdn.html", resources="cdn", tiles=None).page
    html = target.read_text(encoding="utf-8")
    assert re.search(
        r'<script src="https://unpkg.com/leaflet@1.9.3/dist/leaflet.js" '
        r'integrity="sha384-[^"]+" crossorigin="anonymous">',
        html,
    )
    files = Path(leaflet.BASE_DIR)

    cdn: list[str] = []

    def serve(route) -> None:  # the CDN, played by XStatic-Leaflet's own files
        cdn.append(route.request.url)
        name = route.request.url.rsplit("/", 1)[1]
        kind = "text/css" if name.endswith(".css") else "application/javascript"
        route.fulfill(
            body=(files / name).read_bytes(),
            headers={"Content-Type": kind, "Access-Control-Allow-Origin": "*"},
        )

    page.context.route("https://unpkg.com/**", serve)
    page.open(target)
    page.wait_for_function(READY)
    assert page.locator(".sm-stop:not(.sm-stop-group)").count() == 4
    assert page.blocked == []
    assert sorted(cdn) == [
        "https://unpkg.com/leaflet@1.9.3/dist/leaflet.css",
        "https://unpkg.com/leaflet@1.9.3/dist/leaflet.js",
    ]


def test_a_large_local_image_is_scaled_down_and_shown(page, tmp_path: Path) -> None:
    from PIL import Image

    folder = tmp_path / "story"
    shutil.copytree(MINI, folder)
    Image.new("RGB", (3200, 1800), (200, 40, 40)).save(folder / "media" / "big.jpg", quality=95)
    story = folder / "story.yaml"
    story.write_text(story.read_text().replace("media/dot.png", "media/big.jpg"), "utf-8")
    journey = build(story, tmp_path / "page.html", tiles=None)
    target = journey.page
    assert journey.size < (folder / "media" / "big.jpg").stat().st_size + 300_000
    page.open(target.as_uri() + "#khasan")
    page.wait_for_function(READY)
    image = page.locator(".sm-view .sm-media img")
    image.wait_for()
    page.wait_for_function("() => document.querySelector('.sm-view .sm-media img').complete")
    assert page.evaluate("document.querySelector('.sm-view .sm-media img').naturalWidth") == 1600
    assert image.get_attribute("alt") == "A red dot"
    remote = page.locator(".sm-view .sm-media a")
    assert remote.inner_text() == "Image: A remote photo"
    assert remote.get_attribute("href") == "https://example.org/photo.jpg"
    assert not [u for u in page.requests if "example.org" in u], "remote images are not loaded"
