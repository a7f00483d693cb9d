"""Share cards: the page's description, Open Graph and Twitter tags and canonical link, with
absolute addresses, and the picture of the journey written beside the page."""

from __future__ import annotations

import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

import storymap

MINI = Path(__file__).parent / "fixtures" / "mini" / "story.yaml"
HOSTILE_TITLE = 'Quotes " and <script>alert(1)</script> & more'


class Head(HTMLParser):
    """The <meta> and <link rel=canonical> of a page, by name or property."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: dict[str, str] = {}
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "meta" and ("name" in attrs or "property" in attrs):
            self.tags[attrs.get("name") or attrs["property"]] = attrs.get("content")
        if tag == "link" and attrs.get("rel") == "canonical":
            self.tags["canonical"] = attrs.get("href")


def beside_its_media(folder: Path, name: str, text: str) -> Path:
    """A copy of the mini story as ``text``, with its media folder beside it."""
    shutil.copytree(MINI.parent / "media", folder / "media")
    story = folder / name
    story.write_text(text, encoding="utf-8")
    return story


def build(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "storymap", "build", *args, "--tiles", "none"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_with_an_address_the_page_has_share_cards_and_its_picture(tmp_path: Path) -> None:
    url = "https://example.org/maps/trip.html"
    result = build(str(MINI), "-o", "site/trip.html", "--url", url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "trip.html").read_text(encoding="utf-8")
    tags = Head(page.split("</head>", 1)[0]).tags
    assert tags["description"] == "A test journey"
    assert tags["og:type"] == "article"
    assert tags["og:title"] == tags["twitter:title"] == "Across the Tumen"
    assert tags["og:description"] == tags["twitter:description"] == "A test journey"
    assert tags["og:url"] == tags["canonical"] == url
    assert tags["og:image"] == tags["twitter:image"] == "https://example.org/maps/trip.png"
    assert tags["twitter:card"] == "summary_large_image"
    picture = Image.open(tmp_path / "site" / "trip.png")
    assert (picture.format, picture.size) == ("PNG", (1200, 630))
    assert "site/trip.png" in result.stdout


def test_the_story_names_its_address_and_build_overrides_it(tmp_path: Path) -> None:
    text = MINI.read_text(encoding="utf-8").replace(
        "tiles: OpenStreetMap.Mapnik\n", "tiles: none\nurl: https://example.org/story/\n"
    )
    story = beside_its_media(tmp_path, "trip.yaml", text)
    journey = storymap.build(story, tmp_path / "out" / "trip.html")
    tags = Head(journey.page.read_text(encoding="utf-8")).tags
    assert tags["og:url"] == "https://example.org/story/"
    assert tags["og:image"] == "https://example.org/story/trip.png"
    assert journey.picture == tmp_path / "out" / "trip.png" and journey.picture.is_file()
    again = storymap.build(story, tmp_path / "other" / "trip.html", url="http://news.test/a/b.html")
    tags = Head(again.page.read_text(encoding="utf-8")).tags
    assert tags["og:image"] == "http://news.test/a/trip.png"
    assert tags["canonical"] == "http://news.test/a/b.html"


def test_without_an_address_a_description_and_no_picture(tmp_path: Path) -> None:
    result = build(str(MINI), "-o", "site/", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "story.html").read_text(encoding="utf-8")
    tags = Head(page).tags
    assert tags["description"] == "A test journey"
    assert not {"og:image", "og:url", "twitter:image", "canonical"} & set(tags)
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["story.html"]


def test_values_are_escaped_and_the_description_comes_from_the_intro(tmp_path: Path) -> None:
    text = MINI.read_text(encoding="utf-8")
    text = text.replace("title: Across the Tumen\n", f"title: '{HOSTILE_TITLE}'\n", 1)
    text = text.replace("subtitle: A test journey\n", "")
    long = "word " * 80
    text = text.replace(
        "  A *short* journey used by the tests.\n",
        f'  A *short* journey, "quoted" <b>and</b> {long}. Then more.\n',
    )
    story = beside_its_media(tmp_path, "story.yaml", text)
    journey = storymap.build(story, tmp_path / "story.html", tiles=None, url="https://e.test/s")
    page = journey.page.read_text(encoding="utf-8")
    head = page.split("</head>", 1)[0]
    assert "<script>alert(1)" not in head and "&lt;script&gt;" in head
    tags = Head(head).tags
    assert tags["og:title"] == HOSTILE_TITLE
    about = tags["description"]
    assert about.startswith('A short journey, "quoted" <b>and</b> word word')
    assert about.endswith("…") and len(about) <= 200 and "*" not in about
    assert "Then more" not in about


def test_a_bad_address_is_refused_in_one_line(tmp_path: Path) -> None:
    for url in ("example.org/story.html", "ftp://example.org/x", "https://"):
        result = build(str(MINI), "-o", "site/", "--url", url, cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and "--url" in result.stderr
        assert not (tmp_path / "site").exists()


@pytest.mark.browser
def test_chromium_reads_the_share_tags(page, tmp_path: Path) -> None:
    journey = storymap.build(
        MINI, tmp_path / "story.html", tiles=None, url="https://example.org/maps/story.html"
    )
    page.open(journey.page)
    found = page.evaluate(
        """() => ({
            image: document.querySelector('meta[property="og:image"]').content,
            url: document.querySelector('meta[property="og:url"]').content,
            card: document.querySelector('meta[name="twitter:card"]').content,
            canonical: document.querySelector('link[rel="canonical"]').href,
            description: document.querySelector('meta[name="description"]').content,
        })"""
    )
    assert found == {
        "image": "https://example.org/maps/story.png",
        "url": "https://example.org/maps/story.html",
        "card": "summary_large_image",
        "canonical": "https://example.org/maps/story.html",
        "description": "A test journey",
    }
    assert page.blocked == []  # the tags ask for nothing
