"""The page's stylesheet, read as text: every block is closed where it should be.

A rule left open swallows every rule after it into its block (a print or phone media query), so
those rules apply nowhere else; the browser reports nothing."""

from __future__ import annotations

import re
from pathlib import Path

CSS = Path(__file__).resolve().parent.parent / "storymap" / "static" / "story.css"


def depths() -> list[tuple[int, int, str]]:
    """Each line's number, the nesting depth before it, and the line."""
    out, depth = [], 0
    text = re.sub(
        r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), CSS.read_text("utf-8"), flags=re.S
    )
    for n, line in enumerate(text.split("\n"), 1):
        out.append((n, depth, line))
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"story.css:{n}: a block closed that was not open"
    return out


def test_every_block_is_closed() -> None:
    n, depth, line = depths()[-1]
    assert depth + line.count("{") - line.count("}") == 0, "story.css ends inside a block"


def test_each_section_begins_outside_every_block() -> None:
    """A section's heading comment (a line starting with '/* ' at the left margin) opens a new
    part of the file, for one feature; nothing before it may still be open."""
    raw = CSS.read_text("utf-8").split("\n")
    open_at = {n: depth for n, depth, _ in depths()}
    headings = [n for n, line in enumerate(raw, 1) if line.startswith("/* ")]
    assert len(headings) > 5
    inside = [(n, raw[n - 1][:50]) for n in headings if open_at[n] != 0]
    assert not inside, f"sections that begin inside a block: {inside}"
