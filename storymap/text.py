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


def markdown_html(text: str | None) -> str:
    """Render Markdown to HTML that keeps only emphasis, links, lists, quotes and code.

    Raw HTML in the source is shown as text; links keep only http(s) and mailto
    targets and open in a new tab without access to this page.
    """
    if not text or not text.strip():
        return ""
    import nh3

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
