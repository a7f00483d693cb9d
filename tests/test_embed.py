"""The embed snippet and the embed command, without a browser."""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from storymap.build import build
from storymap.embed import page_title, parse_ratio, snippet

MINI = Path(__file__).parent / "fixtures" / "mini" / "story.yaml"


class Strict(HTMLParser):
    """Collects elements and fails on unbalanced tags."""

    VOID = {"meta", "link", "br", "img", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1:]}>"
        self.open.pop()


def parse(text: str) -> Strict:
    parser = Strict()
    parser.feed(text)
    parser.close()
    assert parser.open == [], f"unclosed: {parser.open}"
    return parser


def test_snippet_is_valid_html_with_what_an_embed_needs() -> None:
    code = snippet(
        "https://news.example/maps/story.html", 'A "quoted" <title> & more', chapter="trolley"
    )
    (div, box), (iframe, attrs) = parse(code).elements
    assert div == "div" and "aspect-ratio:16/10" in box["style"]
    assert iframe == "iframe"
    assert attrs["src"] == "https://news.example/maps/story.html#trolley"
    assert attrs["title"] == 'A "quoted" <title> & more'
    assert attrs["loading"] == "lazy"
    assert "allowfullscreen" in attrs and attrs["allow"] == "fullscreen"
    assert "width:100%;height:100%" in attrs["style"]


def test_embed_command_reads_the_page_title(tmp_path: Path) -> None:
    journey = build(MINI, tmp_path / "page.html")
    target = journey.page
    assert page_title(target) == journey.story.title
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "storymap",
            "embed",
            str(target),
            "--ratio",
            "4:3",
            "--src",
            "/maps/page.html",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    (_, box), (_, attrs) = parse(result.stdout).elements
    assert "aspect-ratio:4/3" in box["style"]
    assert attrs["src"] == "/maps/page.html" and attrs["title"] == journey.story.title


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.html"], "missing.html: no such page; build it first with storymap build"),
        (
            ["PAGE", "--ratio", "wide"],
            "--ratio: 'wide' is not an aspect ratio; write it like 16:10",
        ),
    ],
)
def test_embed_errors(args: list[str], message: str, tmp_path: Path) -> None:
    target = build(MINI, tmp_path / "page.html", tiles=None).page
    args = [str(target) if a == "PAGE" else a for a in args]
    result = subprocess.run(
        [sys.executable, "-m", "storymap", "embed", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert message in result.stderr


def test_parse_ratio() -> None:
    assert parse_ratio("16:9") == (16, 9) and parse_ratio("4/3") == (4, 3)
    with pytest.raises(ValueError):
        parse_ratio("0:3")


@pytest.mark.parametrize(
    ("chapter", "opens"),
    [("khasan", "#khasan"), ("4", "#4"), (" 1 ", "#1")],
)
def test_embed_opens_at_a_chapter_of_the_page(chapter: str, opens: str, tmp_path: Path) -> None:
    target = build(MINI, tmp_path / "page.html", tiles=None).page
    result = subprocess.run(
        [sys.executable, "-m", "storymap", "embed", str(target), "--chapter", chapter],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    (_, _), (_, attrs) = parse(result.stdout).elements
    assert attrs["src"] == "page.html" + opens


IDS = "(start, khasan, airport, moscow) or a number from 1 to 4"


@pytest.mark.parametrize("chapter", ["trolley", "0", "5", "-1", "²", "Over-the-bridge"])
def test_embed_refuses_a_chapter_the_page_does_not_have(chapter: str, tmp_path: Path) -> None:
    target = build(MINI, tmp_path / "page.html", tiles=None).page
    result = subprocess.run(
        [sys.executable, "-m", "storymap", "embed", str(target), f"--chapter={chapter}"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"storymap embed: --chapter: no chapter '{chapter}' in this page; "
        f"give one of its ids {IDS}\n"
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "other.html",
            b"<!DOCTYPE html><html><head><title>News</title></head><body></body></html>",
        ),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"),
        ("empty.html", b""),
        ("half.html", b'<html>\nstorymap.init(map_1, {"chapters": [\n'),
    ],
)
def test_embed_refuses_a_file_that_is_not_a_storymap_page(
    name: str, content: bytes, tmp_path: Path
) -> None:
    (tmp_path / name).write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "storymap", "embed", name],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"storymap embed: {name}: not a storymap page; give a page written by storymap build\n"
    )


def test_a_page_that_is_not_utf8_is_refused_in_one_line(tmp_path: Path) -> None:
    page = build(MINI, tmp_path / "page.html", tiles=None).page
    broken = tmp_path / "broken.html"
    broken.write_bytes(page.read_bytes().replace(b"<title>", b"<title>\xff\xfe", 1))
    with pytest.raises(ValueError, match=r"broken.html: not UTF-8 text, so not a storymap page"):
        page_title(broken)
    result = subprocess.run(
        [sys.executable, "-m", "storymap", "embed", "broken.html"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("storymap embed: broken.html: not ") and "storymap page" in line


def test_the_snippet_shows_control_characters_of_a_title_escaped(tmp_path: Path) -> None:
    page = build(MINI, tmp_path / "page.html", tiles=None).page
    result = subprocess.run(
        [sys.executable, "-m", "storymap", "embed", str(page), "--title", "Fake\x1b[32m ok\r"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\r" not in result.stdout
    (_, _), (_, attrs) = parse(result.stdout).elements
    assert attrs["title"] == "Fake\\x1b[32m ok\\r"
