"""Story text as safe HTML: a small Markdown subset, sanitized, and plain-text labels."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

ALLOWED_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "br"}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    # "commonmark" with raw HTML off: a < in the text stays text.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


# The plain-paragraph fast path: text whose Markdown is no more than paragraphs, inline links
# to http(s) or mailto addresses and **strong** words is rendered here, to the very HTML that
# markdown-it gives it; anything else goes to markdown-it. A story's text is mostly such
# text, and this keeps markdown-it (and its import) out of most builds.
_PLAIN = r"[^\x00-\x1f\x7f*_`\\\[\]<>&!~|\s]|[ ]"  # a character that is text, whatever its place
_WORD = r"[^\W_]"  # a letter or digit, to flank **
_DEST = r"(?:https?://|mailto:)(?:[A-Za-z0-9\-.~:/?#@$+,;=*'_]|%[0-9A-Fa-f]{2})+"
_INLINE = (
    rf"(?:{_PLAIN})"  # text
    rf"|\[(?:{_PLAIN})+\]\({_DEST}\)"  # a link
    rf"|(?<![^ (\"])\*\*{_WORD}(?:(?:{_PLAIN})*{_WORD})?\*\*(?![^ .,;:)?!\"'])"  # **strong**
)
_BLOCK_START = r"(?:[#>\-+*=_`~|<]|\d+[.)]|    )"  # a line that may begin some other block


@lru_cache(maxsize=1)
def _plain_line():
    import re

    return re.compile(rf"(?! {{0,3}}{_BLOCK_START})(?:{_INLINE})*(?<! )")


@lru_cache(maxsize=1)
def _inline_parts():
    import re

    return re.compile(rf"\[((?:{_PLAIN})+)\]\(({_DEST})\)|\*\*([^*]+)\*\*")


def _escape(text: str) -> str:
    return text.replace('"', "&quot;")  # &, < and > never reach here


def _plain_markdown(text: str) -> str | None:
    """``text`` rendered as markdown-it renders it, when it is plain paragraphs (see above);
    None for any other text."""
    lines = text.split("\n")
    match = _plain_line().fullmatch
    if not all(match(line) for line in lines):
        return None
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.strip(" "):
            paragraphs[-1].append(line.strip(" "))
        elif paragraphs[-1]:
            paragraphs.append([])
    parts = _inline_parts()

    def inline(found) -> str:
        label, href, strong = found.groups()
        if strong is not None:
            return f"<strong>{_escape(strong)}</strong>"
        return f'<a href="{_escape(href)}">{_escape(label)}</a>'

    html = []
    for paragraph in paragraphs:
        if paragraph:
            body = "\n".join(paragraph)
            pieces, at = [], 0
            for found in parts.finditer(body):
                pieces += [_escape(body[at : found.start()]), inline(found)]
                at = found.end()
            pieces.append(_escape(body[at:]))
            html.append(f"<p>{''.join(pieces)}</p>\n")
    return "".join(html)


def markdown_html(text: str | None) -> str:
    """Render Markdown to HTML that keeps only emphasis, links, lists, quotes and code.

    Raw HTML in the source is shown as text; links keep only http(s) and mailto
    targets and open in a new tab without access to this page.
    """
    if not text or not text.strip():
        return ""
    import nh3

    html = _plain_markdown(text)
    if html is None:
        html = _markdown().render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
    ).strip()


def date_label(day: dt.date | None) -> str | None:
    """'24 February 2021': the same on every machine, whatever its locale."""
    if day is None:
        return None
    months = _MONTHS
    return f"{day.day} {months[day.month - 1]} {day.year}"


def km_label(km: float) -> str:
    if km < 1:
        return f"{round(km * 1000, -1):,.0f} m"
    if km < 10:
        return f"{km:.1f} km"
    return f"{km:,.0f} km"


def hours_label(hours: float | None) -> str | None:
    """'45 min', '32 h 15 min'; from two days up, days and whole hours: '7 d 14 h'."""
    if hours is None:
        return None
    if hours >= 48:
        d, h = divmod(round(hours), 24)
        return f"{d} d {h} h" if h else f"{d} d"
    minutes = round(hours * 60)
    h, m = divmod(minutes, 60)
    if h and m:
        return f"{h} h {m} min"
    return f"{h} h" if h else f"{m} min"
