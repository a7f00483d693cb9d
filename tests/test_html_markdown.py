"""The HTML-to-Markdown and HTML-to-text conversion that importers share."""

from __future__ import annotations

import pytest

from storymap.importers.html_markdown import (
    escape,
    escape_line_start,
    find,
    html_to_markdown,
    html_to_text,
    link_destination,
    one_line,
    parse,
    show,
    wrap,
)
from storymap.text import markdown_html


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("", ""),
        ("   ", ""),
        ("<p>One</p><p>Two<br>three</p>", "One\n\nTwo\\\nthree"),
        ("<p>unclosed<p>second", "unclosed\n\nsecond"),
        ("<dl><dt>term<dd>meaning</dl>", "term\n\nmeaning"),
        ("<table><tr><td>a<td>b</tr><tr><th>c</th></tr></table>", "a | b\n\nc"),
        ("<pre>  one\n  two</pre>", "one\\\ntwo"),
        ("<q>quoted</q>", "“quoted”"),
        ("<code>a`b</code>", "``a`b``"),
        ("<a href='//example.org/x'>x</a>", "[x](https://example.org/x)"),
        ("<a href='https://e.org/(a)'></a>", "[https://e.org/(a)](https://e.org/%28a%29)"),
        ("<div><video src='v.mp4'><p>inside</p></video>after</div>", "after"),
    ],
)
def test_html_becomes_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html)[0] == markdown


def test_nothing_raw_passes_and_each_loss_is_noted_once() -> None:
    html = "<p><u>a</u> <u>b</u><object data='x.swf'></object><blink>c</blink></p>"
    markdown, notes = html_to_markdown(html)
    assert markdown == "a bc"
    assert notes == [
        "an embedded <object> ('x.swf') has no counterpart in storymap's Markdown; removed",
        "<u> formatting has no counterpart; its text is kept",
        "<blink> formatting has no counterpart; its text is kept",
    ]
    assert "<" not in markdown_html(markdown).replace("<p>", "").replace("</p>", "")


def test_html_to_text_keeps_links_small_parts_and_notes_formatting() -> None:
    text, smalls, notes = html_to_text(
        "Up <em>the</em> <a href='https://r.org'>river</a><small>1835</small>"
    )
    assert text == "Up the river (https://r.org)"
    assert smalls == ["1835"]
    assert notes == [
        "the link 'https://r.org' is kept in parentheses after its text",
        "HTML formatting removed; this field is plain text in storymap",
    ]
    assert html_to_text("<a href='https://r.org'>river</a>", urls=False) == (
        "river",
        [],
        ["the link to 'https://r.org' was dropped; its text is kept"],
    )
    assert html_to_text(None) == ("", [], [])


def test_the_helpers() -> None:
    root, dropped = parse("<div><p>a<iframe src='https://e.org/v'></iframe></p></div>")
    assert dropped == [
        "an embedded <iframe> ('https://e.org/v') has no counterpart in storymap's Markdown; "
        "removed"
    ]
    assert find(root, "p") is not None and find(root, "iframe") is None
    assert one_line("  a\n\tb  ") == "a b"
    assert show("x" * 70) == repr("x" * 59 + "…")
    assert show({"a": 1}) == '{"a": 1}'
    assert escape("a*b_c d_") == "a\\*b_c d\\_"
    assert escape_line_start("1. x") == "1\\. x"
    assert wrap(" bold ", "**") == " **bold** "
    assert link_destination("https://e.org/a b") == "https://e.org/a%20b"
