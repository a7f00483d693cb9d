"""The built page in a real headless Chromium, with every non-tile request blocked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from storymap.build import build
from storymap.model import MODES

ROOT = Path(__file__).parent.parent
FLAGSHIP = ROOT / "data" / "story.yaml"
MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture(scope="module")
def flagship(flagship_built) -> tuple[Path, object, tuple]:
    return flagship_built.page, flagship_built.story, flagship_built.legs


def test_map_stops_and_legs_are_drawn(page, flagship) -> None:
    target, story, legs = flagship
    page.open(target)
    page.wait_for_selector(".leaflet-container .sm-stop", state="attached")
    stops = page.locator(".sm-stop:not(.sm-stop-group)")
    assert stops.count() == len(story.chapters) == 6
    assert page.locator("path.sm-leg").count() == len(legs) == 5
    for mode in ("train", "bus", "trolley", "flight"):
        assert page.locator(f"path.sm-leg-{mode}").count() >= 1
    assert stops.evaluate_all("els => els.map(e => e.textContent)") == [str(n) for n in range(1, 7)]
    # Stops closer than a marker's width are drawn as one marker naming them all.
    groups = page.locator(".sm-stop-group").all_inner_texts()
    shown = [n for n in range(1, 7) if page.locator(f"[title^='Stop {n}:']").is_visible()]
    assert groups and shown
    assert sorted(shown + [n for g in groups for n in _numbers(g)]) == list(range(1, 7))
    assert page.locator(".sm-legend li").all_inner_texts() == [
        "Train",
        "Bus",
        "Hand-pushed rail trolley",
        "Flight",
    ]
    title = page.locator(".sm-card h1").inner_text()
    assert title == story.title
    # The journey is framed: every stop is inside the visible map.
    inside = page.evaluate(
        """() => {
            const box = document.querySelector('.leaflet-container').getBoundingClientRect();
            return [...document.querySelectorAll('.sm-stop')].every(el => {
                if (el.closest('.leaflet-marker-icon').style.visibility === 'hidden') return true;
                const r = el.getBoundingClientRect();
                return r.left >= box.left && r.right <= box.right &&
                       r.top >= box.top && r.bottom <= box.bottom;
            });
        }"""
    )
    assert inside
    # Nothing but tiles left the page, and tiles were asked for.
    assert page.blocked == []
    assert page.tile_requests
    assert all(u.startswith(("file://", "https://tile.openstreetmap.org/")) for u in page.requests)


def test_a_popup_opens_with_its_narrative(page, flagship) -> None:
    target, story, _ = flagship
    page.open(target)
    # Stops 3 to 5 overlap at the journey's zoom: open this one as a keyboard user would.
    page.open_stop(4)
    popup = page.locator(".leaflet-popup-content .sm-chapter")
    popup.wait_for()
    assert popup.locator("h2").inner_text() == story.chapters[3].title
    assert popup.locator(".sm-date").inner_text() == "25 February 2021"
    leg = popup.locator(".sm-leg").inner_text()
    assert leg.startswith("Hand-pushed rail trolley from Friendship Bridge")
    assert "1.7 km" in leg
    assert "the main 'engine'" in popup.locator(".sm-text").inner_text()
    link = popup.locator(".sm-text a").first
    assert link.get_attribute("href").startswith("https://")
    assert link.get_attribute("rel") == "noopener noreferrer"


def test_tiles_none_makes_no_request_at_all(page, tmp_path: Path) -> None:
    target = build(MINI / "story.yaml", tmp_path / "page.html", tiles=None).page
    page.open(target)
    page.wait_for_selector(".sm-stop", state="attached")
    page.open_stop(2)
    page.locator(".leaflet-popup .sm-media img").wait_for()
    assert page.evaluate("document.querySelector('.leaflet-popup .sm-media img').naturalWidth") == 8
    assert page.requests == [target.resolve().as_uri()]


# One leg of every mode, round Denmark and on to Oslo and Reykjavik: (place, lat, lon, mode).
EVERY_MODE = [
    ("copenhagen", 55.6761, 12.5683, None),
    ("frederiksberg", 55.6786, 12.5320, "walk"),
    ("roskilde", 55.6415, 12.0803, "bike"),
    ("ringsted", 55.4426, 11.7901, "bus"),
    ("korsor", 55.3300, 11.1400, "car"),
    ("odense", 55.3959, 10.3883, "train"),
    ("nyborg", 55.3122, 10.7900, "trolley"),
    ("svendborg", 55.0598, 10.6068, "boat"),
    ("aeroskobing", 54.8887, 10.4128, "ferry"),
    ("oslo", 59.9076, 10.7400, "ship"),
    ("reykjavik", 64.1466, -21.9426, "flight"),
]


def test_every_mode_is_drawn_with_its_badge_and_in_the_legend(page, tmp_path: Path) -> None:
    lines = ["title: Every mode", "places:"]
    lines += [
        f"  {pid}: {{name: {pid.title()}, lat: {lat}, lon: {lon}}}"
        for pid, lat, lon, _ in EVERY_MODE
    ]
    lines.append("journey:")
    for pid, _, _, mode in EVERY_MODE:
        lines.append(
            f"  - {{at: {pid}, title: {pid.title()}" + (f", by: {mode}}}" if mode else "}")
        )
    (tmp_path / "story.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    journey = build(tmp_path / "story.yaml", tmp_path / "page.html", tiles=None)
    modes = [MODES[mode] for *_, mode in EVERY_MODE[1:]]
    assert sorted(m.name for m in modes) == sorted(MODES)
    assert [leg.mode for leg in journey.legs] == modes
    page.open(journey.page)
    page.wait_for_selector(".leaflet-container .sm-stop", state="attached")
    legend = page.locator(".sm-legend li")
    assert legend.all_inner_texts() == [m.label for m in modes]
    for k, mode in enumerate(modes):
        item = legend.nth(k)
        line = item.locator("svg line")
        assert line.get_attribute("stroke") == mode.color
        assert line.get_attribute("stroke-dasharray") == mode.dash
        assert item.locator("svg path").count() >= 1  # the mode's icon
        path = page.locator(f"path.sm-leg-{mode.name}")
        assert path.count() == 1
        assert path.get_attribute("stroke") == mode.color
        assert path.get_attribute("stroke-dasharray") == mode.dash
    badges = page.locator(".sm-badge")
    assert badges.count() == len(modes)
    colours = badges.evaluate_all("els => els.map(e => e.style.borderColor)")
    assert colours == [_rgb(m.color) for m in modes]
    assert all(badges.nth(k).locator("svg path").count() >= 1 for k in range(len(modes)))
    assert page.blocked == []


def _rgb(color: str) -> str:
    r, g, b = (int(color[k : k + 2], 16) for k in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


HOSTILE = [
    "<script>window.__pwned = 1</script>",
    "<img src=x onerror='window.__pwned = 1'>",
    "${window.__pwned = 1}",
    "</script><script>window.__pwned = 1</script>",
    "[click](javascript:window.__pwned=1)",
]


def hostile_story(folder: Path) -> Path:
    shutil.copytree(MINI, folder, dirs_exist_ok=True)
    story = folder / "story.yaml"
    text = story.read_text(encoding="utf-8")
    payload = " ".join(HOSTILE).replace('"', '\\"')
    quoted = f'"{payload}"'
    for old in (
        "title: Across the Tumen",
        "subtitle: A test journey",
        "byline: The storymap tests",
        "    title: Over the bridge",
        "        caption: The only picture",
        "        credit: Test credit",
        "        alt: A red dot",
        "    name: Khasan",
        "  - title: A source",
    ):
        key = old.split(":")[0]
        assert old in text, old
        text = text.replace(old, f"{key}: {quoted}", 1)
    text = text.replace(
        "    text: They pushed the trolley over the [bridge](https://example.org/bridge).",
        f"    text: {quoted}",
    )
    story.write_text(text, encoding="utf-8")
    return story


def test_injected_script_does_not_run(page, tmp_path: Path) -> None:
    target = build(hostile_story(tmp_path / "story"), tmp_path / "page.html", tiles=None).page
    page.open(target)
    page.wait_for_selector(".sm-stop", state="attached")
    title = page.locator(".sm-card h1").inner_text()
    assert title.startswith("<script>window.__pwned = 1</script>")
    page.locator(".sm-card .sm-sources summary").click()
    for n in range(1, page.locator(".leaflet-marker-icon[title^='Stop ']").count() + 1):
        page.open_stop(n)
        page.locator(".leaflet-popup-content .sm-chapter").last.wait_for()
    page.open_stop(2)
    page.locator(".leaflet-popup-content .sm-media").first.wait_for()
    assert page.evaluate("window.__pwned") is None
    assert "${window.__pwned = 1}" in page.title()
    own = target.resolve().as_uri() + "#"  # Leaflet's buttons link to the page itself
    for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):
        assert href.startswith(("https:", "http:", "mailto:", own)), href
    assert page.locator(".sm-media figcaption").first.inner_text().startswith("<script>")
    assert page.locator("img[onerror]").count() == 0


def _numbers(group: str) -> list[int]:
    """The stop numbers a group marker names: "3–5" or "2, 4"."""
    out: list[int] = []
    for run in group.split(", "):
        first, _, last = run.partition("\u2013")
        out += range(int(first), int(last or first) + 1)
    return out
