"""A responsive iframe snippet that puts a built page into another web page."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

DEFAULT_RATIO = (16, 10)
MIN_HEIGHT_PX = 480  # below this the story panel and the map are both too small


class _Title(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.title = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.inside = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.title += data


def page_title(page: str | Path) -> str:
    """The text of the page's <title>, or its file name when it has none; ValueError when
    the page cannot be read as UTF-8 text."""
    try:
        text = Path(page).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{page}: not UTF-8 text, so not a storymap page") from None
    parser = _Title()
    parser.feed(text[: text.find("</title>") + 8] if "</title>" in text else text[:5000])
    return " ".join(parser.title.split()) or Path(page).name


def chapter_ids(page: str | Path) -> list[str]:
    """The chapter ids of the storymap page ``page``, in story order; ValueError when it is
    not a page that storymap built (another HTML page, an image, an empty file)."""
    from storymap.render import page_data

    data = page_data(Path(page))
    chapters = data.get("chapters") if data is not None else None
    if not isinstance(chapters, list) or not all(
        isinstance(c, dict) and isinstance(c.get("id"), str) for c in chapters
    ):
        raise ValueError(f"{page}: not a storymap page; give a page written by storymap build")
    return [c["id"] for c in chapters]


def check_chapter(chapter: str, ids: list[str]) -> str:
    """``chapter`` as it goes into the address: one of ``ids``, or a number from 1 to their
    count; ValueError naming the ids and the numbers otherwise."""
    key = chapter.strip()
    if key in ids or (re.fullmatch(r"[0-9]{1,9}", key) and 1 <= int(key) <= len(ids)):
        return key
    listed = ", ".join(ids)
    raise ValueError(
        f"no chapter '{chapter}' in this page; give one of its ids ({listed}) "
        f"or a number from 1 to {len(ids)}"
    )


def parse_ratio(text: str) -> tuple[int, int]:
    """``16:10`` or ``4/3`` as a pair of positive whole numbers; ValueError otherwise."""
    match = re.fullmatch(r"\s*(\d{1,4})\s*[:/x]\s*(\d{1,4})\s*", text)
    if not match or not int(match.group(1)) or not int(match.group(2)):
        raise ValueError(f"'{text}' is not an aspect ratio; write it like 16:10 or 4:3")
    return int(match.group(1)), int(match.group(2))


def snippet(
    src: str,
    title: str,
    *,
    ratio: tuple[int, int] = DEFAULT_RATIO,
    chapter: str | None = None,
) -> str:
    """The HTML to paste: a box that keeps ``ratio`` at any width, holding a lazy iframe.

    ``chapter`` opens the story at that chapter id or number (a deep link in the src).
    """
    if chapter:
        src = src.split("#", 1)[0] + "#" + chapter
    w, h = ratio
    box = (
        f"position:relative;width:100%;aspect-ratio:{w}/{h};"
        f"min-height:{MIN_HEIGHT_PX}px;max-height:90vh"
    )
    frame = "position:absolute;inset:0;width:100%;height:100%;border:0"
    return (
        f'<div class="storymap-embed" style="{box}">\n'
        f'  <iframe src="{html.escape(src)}" title="{html.escape(title)}" loading="lazy"\n'
        '          allow="fullscreen" allowfullscreen\n'
        f'          style="{frame}"></iframe>\n'
        f"</div>\n"
    )
