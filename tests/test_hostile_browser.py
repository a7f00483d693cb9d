"""Hostile text in every text-bearing field: in Chromium nothing runs, no link is dangerous,
and the text stays readable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from storymap.build import build

MINI = Path(__file__).parent / "fixtures" / "mini"

# The classic filter-evasion list, each payload calling the canary if it ever runs.
PAYLOADS = [
    "<script>canary(1)</script>",
    "<SCRIPT SRC=//example.invalid/x.js></SCRIPT>",
    "<img src=x onerror=canary(2)>",
    '<IMG SRC="javascript:canary(3);">',
    '<img src="x" onerror="canary(4)"/>',
    "<svg onload=canary(5)>",
    "<svg><script>canary(6)</script></svg>",
    "<body onload=canary(7)>",
    '<iframe src="javascript:canary(8)"></iframe>',
    '<iframe srcdoc="<script>parent.canary(9)</script>"></iframe>',
    '<a href="javascript:canary(10)">click</a>',
    "[click](javascript:canary(11))",
    "[click](JaVaScRiPt:canary(12))",
    "[click](  javascript:canary(13))",
    "[click](data:text/html;base64,PHNjcmlwdD5jYW5hcnkoMTQpPC9zY3JpcHQ+)",
    "[click](vbscript:canary(15))",
    '<a href="data:text/html,<script>canary(16)</script>">x</a>',
    "<details open ontoggle=canary(17)>",
    "<input autofocus onfocus=canary(18)>",
    "<video><source onerror=canary(19)></video>",
    "<audio src=x onerror=canary(20)>",
    "<marquee onstart=canary(21)>",
    '<object data="javascript:canary(22)"></object>',
    '<embed src="javascript:canary(23)">',
    "<math><mtext></form><form><mglyph><style></math><img src onerror=canary(24)>",
    "<style>@import 'javascript:canary(25)';</style>",
    '<div style="background:url(javascript:canary(26))">',
    "<link rel=import href=data:text/html,<script>canary(27)</script>>",
    '<meta http-equiv="refresh" content="0;url=javascript:canary(28)">',
    '<base href="javascript:canary(29)//">',
    '<form action="javascript:canary(30)"><button>x</button></form>',
    "${canary(31)}",
    "`${canary(32)}`",
    "{{constructor.constructor('canary(33)')()}}",
    "{% raw %}{{ canary(34) }}",
    "</script><script>canary(35)</script>",
    '"><script>canary(36)</script>',
    "'><img src=x onerror=canary(37)>",
    '<!--<img src="--><img src=x onerror=canary(38)//">',
    "<scr<script>ipt>canary(39)</scr</script>ipt>",
    "<img src=`x` onerror=canary(40)>",
    "&lt;script&gt;canary(41)&lt;/script&gt;",
    "\\u003cscript\\u003ecanary(42)\\u003c/script\\u003e",
    '<a href="&#106;avascript:canary(43)">x</a>',
    "[x](&#x6A;avascript:canary(44))",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<noscript><p title="</noscript><img src=x onerror=canary(46)>">',
]

SAFE_SCHEMES = ("http:", "https:", "mailto:")


def hostile_story(folder: Path, payload: str) -> Path:
    """The mini story with ``payload`` in every text-bearing field."""
    shutil.copytree(MINI, folder)
    path = folder / "story.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["title"] = data["subtitle"] = data["byline"] = data["intro"] = payload
    data["sources"] = [{"title": payload, "url": "https://example.org/source"}]
    for place in data["places"].values():
        place["name"] = payload
        place["source"] = payload
    for chapter in data["journey"]:
        chapter["title"] = payload
        chapter["text"] = payload
        chapter.pop("id", None)
        for media in chapter.get("media", []):
            media["alt"] = media["caption"] = media["credit"] = payload
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("hostile")
    built = []
    for n, payload in enumerate(PAYLOADS):
        story = hostile_story(root / f"s{n}", payload)
        built.append(build(story, root / f"page{n}.html", tiles=None).page)
    return built


def test_the_corpus_is_large_enough() -> None:
    assert len(PAYLOADS) >= 40


def test_payloads_and_urls_are_refused_where_urls_go(tmp_path: Path) -> None:
    """Dangerous URLs in url fields are errors at load, so they never reach a page."""
    from storymap.errors import StoryError
    from storymap.story import load

    for url in ("javascript:canary(1)", "data:text/html,x", "vbscript:x", " JAVASCRIPT:x"):
        folder = tmp_path / str(abs(hash(url)))
        story = hostile_story(folder, "x")
        data = yaml.safe_load(story.read_text(encoding="utf-8"))
        data["sources"][0]["url"] = url
        data["journey"][1]["media"][1]["src"] = url
        story.write_text(yaml.safe_dump(data), encoding="utf-8")
        with pytest.raises(StoryError) as info:
            load(story)
        assert {p.path for p in info.value.problems} == {"sources.0.url", "journey.1.media.1.src"}


def test_nothing_runs_and_text_stays_readable(page, pages: list[Path]) -> None:
    page.add_init_script("window.__calls = []; window.canary = (n) => window.__calls.push(n);")
    for n, target in enumerate(pages):
        payload = PAYLOADS[n]
        page.open(target.as_uri() + "#2")
        page.wait_for_function("() => window.storymap && storymap.app")
        # Open every stop's popup too, so every field is on screen at some point.
        page.evaluate("() => storymap.app.stops.forEach(m => { m.openPopup(); })")
        page.locator(".sm-toc summary").click()
        page.locator(".sm-toc-item").first.wait_for()
        assert page.evaluate("window.__calls") == [], payload
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
        own = target.as_uri()
        for href in hrefs:
            assert href.startswith(SAFE_SCHEMES) or href.startswith(own), (payload, href)
        for tag in (
            "script[src]",
            "iframe",
            "object",
            "embed",
            "svg script",
            "img[onerror]",
            "base",
            "meta[http-equiv]",
            "form",
            "input",
            "style[data-x]",
        ):
            assert page.locator(f".sm-view {tag}, .leaflet-popup {tag}").count() == 0, (
                payload,
                tag,
            )
        # Readable: the chapter title shows the payload as text (spaces folded, as HTML does).
        shown = " ".join(page.locator(".sm-view h2").text_content().split())
        assert shown == " ".join(payload.split()), (payload, shown)
        assert " ".join(page.title().split()) == " ".join(payload.split()), payload
    assert page.blocked == [], "nothing tried to load from elsewhere"
