"""storymap.text: Markdown as safe HTML, and labels that read the same on every machine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storymap.text import (
    _markdown,
    _plain_markdown,
    date_label,
    hours_label,
    km_label,
    markdown_html,
)

LINK = 'target="_blank" rel="noopener noreferrer"'


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("*a* and **b**", "<p><em>a</em> and <strong>b</strong></p>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("1. one", "<ol>\n<li>one</li>\n</ol>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("`x < y`", "<p><code>x &lt; y</code></p>"),
        ("[a](https://ok.example/)", f'<p><a href="https://ok.example/" {LINK}>a</a></p>'),
        ("[m](mailto:a@b.org)", f'<p><a href="mailto:a@b.org" {LINK}>m</a></p>'),
        ("# Heading", "Heading"),  # no headings: the text stays, the tag goes
        (
            "<b>raw</b> <script>x</script>",
            "<p>&lt;b&gt;raw&lt;/b&gt; &lt;script&gt;x&lt;/script&gt;</p>",
        ),
        ("", ""),
        ("  \n ", ""),
        (None, ""),
    ],
)
def test_markdown_html(markdown: str | None, html: str) -> None:
    assert markdown_html(markdown) == html


def test_markdown_links_keep_only_safe_schemes() -> None:
    html = markdown_html("[a](javascript:alert(1)) [b](data:text/html,x) [c](https://ok.example/)")
    assert "javascript:" not in html.replace("](javascript:", "")
    assert 'href="data:' not in html and 'href="javascript:' not in html
    assert f'<a href="https://ok.example/" {LINK}>c</a>' in html


def test_date_label_is_spelled_out_in_english() -> None:
    assert date_label(dt.date(2021, 2, 24)) == "24 February 2021"
    assert date_label(dt.date(1872, 12, 1)) == "1 December 1872"
    assert date_label(None) is None


@pytest.mark.parametrize(
    ("km", "label"),
    [(0.0, "0 m"), (0.456, "460 m"), (1.234, "1.2 km"), (9.96, "10.0 km"), (12345.6, "12,346 km")],
)
def test_km_label(km: float, label: str) -> None:
    assert km_label(km) == label


@pytest.mark.parametrize(
    ("hours", "label"),
    [
        (None, None),
        (0.5, "30 min"),
        (2, "2 h"),
        (32.25, "32 h 15 min"),
        (1 / 60, "1 min"),
        (47.5, "47 h 30 min"),
        (48, "2 d"),
        (120, "5 d"),
        (7 * 24 + 14.4, "7 d 14 h"),
    ],
)
def test_hours_label(hours: float | None, label: str | None) -> None:
    assert hours_label(hours) == label


# --- the plain-paragraph fast path gives markdown-it's very HTML -----------------------------

_PIECES = st.sampled_from(
    [
        "word",
        "Москва",
        "Ünïcödé",
        "2021",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\n \n",
        "   ",
        "\t",
        ".",
        ",",
        ";",
        ":",
        "?",
        "!",
        '"',
        "'",
        "(",
        ")",
        "–",
        "-",
        "+",
        "=",
        "#",
        ">",
        "<",
        "&",
        "&amp;",
        "*",
        "**",
        "_",
        "__",
        "`",
        "~",
        "|",
        "\\",
        "[",
        "]",
        "1.",
        "3)",
        "[label](https://example.org/a_b?c=d#e)",
        "[x](http://EXAMPLE.org/%41%zz)",
        "[m](mailto:a@b.org)",
        "[j](javascript:alert)",
        "[s](https://ex.org/a b)",
        "[p](https://ex.org/(x))",
        "[q](https://ex.org/'*~)",
        "[](https://ex.org/)",
        "**bold**",
        "**two words**",
        "** spaced **",
        "**x**y",
        "a**b**",
        "(**p**)",
        '"**q**"',
        "**ø**",
        "**1**.",
        "**a**_",
        "    code",
        "---",
        "===",
        "> q",
        "- li",
        "* li",
        "\r",
        "\x00",
        "\u00a0",
        "\u2003",
        "\ufeff",
        "é",
        "×",
    ]
)


@given(st.lists(_PIECES, max_size=30).map("".join))
@settings(max_examples=3000, deadline=None)
def test_plain_paragraphs_render_as_markdown_it_does(text: str) -> None:
    fast = _plain_markdown(text)
    if fast is not None:
        assert fast == _markdown().render(text)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
@settings(max_examples=2000, deadline=None)
def test_plain_paragraphs_of_any_characters(text: str) -> None:
    fast = _plain_markdown(text)
    if fast is not None:
        assert fast == _markdown().render(text)


def test_the_flagship_takes_the_fast_path() -> None:
    from storymap.story import load

    story = load(Path(__file__).resolve().parent.parent / "data" / "story.yaml")
    texts = [story.intro, *(chapter.text for chapter in story.chapters)]
    for text in texts:
        assert _plain_markdown(text) == _markdown().render(text)
    assert any("<strong>" in _plain_markdown(t) for t in texts)
    assert any('<a href="' in _plain_markdown(t) for t in texts)
