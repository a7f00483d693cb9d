"""Importing StoryMapJS stories: whole files import, validate and build; nothing is lost quietly."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from storymap.build import build
from storymap.errors import StoryError
from storymap.importers.storymapjs import (
    MODE,
    Conversion,
    convert,
    html_to_markdown,
    load_file,
    parse_date,
    to_yaml,
)
from storymap.story import load
from storymap.text import markdown_html

FIXTURES = Path(__file__).parent / "fixtures" / "storymapjs"


def fixture(name: str) -> Path:
    return FIXTURES / name


def located(slide: Any) -> bool:
    location = slide.get("location") if isinstance(slide, dict) else None
    return isinstance(location, dict) and all(
        isinstance(location.get(k), (int, float)) for k in ("lat", "lon")
    )


def expected_chapters(data: dict) -> list[int]:
    """Indexes of the slides that become chapters: all with coordinates but a first overview."""
    slides = data["storymap"]["slides"]
    return [
        i
        for i, s in enumerate(slides)
        if located(s) and not (i == 0 and s.get("type") == "overview")
    ]


def slides_story(*slides: dict, **top: Any) -> dict:
    return {"storymap": {"slides": list(slides), **top}}


def slide(headline: str = "A stop", lat: float = 40.0, lon: float = -74.0, **extra: Any) -> dict:
    return {
        "text": {"headline": headline, "text": ""},
        "location": {"lat": lat, "lon": lon},
        **extra,
    }


OVERVIEW = {"type": "overview", "text": {"headline": "The story", "text": "<p>Intro</p>"}}


def write_and_load(conversion: Conversion, tmp_path: Path) -> Path:
    path = tmp_path / "story.yaml"
    path.write_text(to_yaml(conversion), encoding="utf-8")
    load(path)  # raises StoryError if the import does not validate
    return path


def has(notes: list[str], *fragments: str) -> bool:
    return any(all(f in note for f in fragments) for note in notes)


# --- Three StoryMapJS files (tests/fixtures/storymapjs) -----------------------------------------


@pytest.mark.parametrize(
    ("name", "chapters"), [("walk.json", 8), ("storm.json", 6), ("river.json", 10)]
)
def test_story_files_import_validate_and_build(name: str, chapters: int, tmp_path: Path) -> None:
    path = fixture(name)
    data = load_file(path)
    conversion = convert(data, source_name=path.name)
    story = conversion.story

    assert list(story)[0] == "title" and list(story)[-2:] == ["places", "journey"]
    indexes = expected_chapters(data)
    assert len(story["journey"]) == len(indexes) == chapters
    first_slide = data["storymap"]["slides"][indexes[0]]["location"]
    first_place = story["places"][story["journey"][0]["at"]]
    assert (first_place["lat"], first_place["lon"]) == (first_slide["lat"], first_slide["lon"])
    assert first_place["source"] == f"StoryMapJS file {name}"
    assert "by" not in story["journey"][0]
    assert all(chapter["by"] == MODE for chapter in story["journey"][1:])
    assert has(conversion.notes, "journey:", f"by: {MODE}")
    for chapter in story["journey"]:
        assert chapter["title"]
        assert not re.search(r"(?<!\\)<[a-zA-Z/]", chapter.get("text", "")), chapter["text"]

    yaml_path = write_and_load(conversion, tmp_path)
    journey = build(yaml_path, tmp_path / "page.html", tiles=None)
    assert journey.page.is_file() and journey.size == journey.page.stat().st_size > 0
    assert len(journey.story.chapters) == chapters and len(journey.legs) == chapters - 1


def test_walk_notes_name_what_has_no_counterpart() -> None:
    path = fixture("walk.json")
    conversion = convert(load_file(path), source_name=path.name)
    notes = conversion.notes
    story = conversion.story
    assert story["title"] == "A Lighthouse Walk"
    assert story["intro"].startswith("*1902*\n\nEleven lamps, one coast and a **long** week")
    assert "storymap.theme 'dark': no counterpart in storymap; dropped" in notes
    assert has(notes, "storymap.map_type is not given", "stamen:toner-lite", "OpenStreetMap.Mapnik")
    assert has(notes, "background on slides 3, 6-7", "colour #0b1d2a", "dropped")
    assert has(notes, "location.zoom on slides 1-8", "dropped")
    assert has(notes, "location.icon on slides 1-8", "red-pin.png")
    assert has(notes, "slides.0.location", "overview")
    assert has(notes, "slides.1.media.url: a tweet; kept as a link in the text")
    assert has(notes, "slides.3.media.url: a YouTube video; kept as a link in the text")
    assert has(notes, "slides.7.media.alt", "Image for: <chapter title>")
    # Two slides at the same coordinates share a place; a repeated name gets a numbered id.
    at = [chapter["at"] for chapter in story["journey"]]
    assert at[1] == at[5] and len(set(at)) == 7
    assert {"point-saint-yves", "point-saint-yves-2"} <= set(story["places"])
    assert has(notes, "'Point Saint-Yves' names 2 different coordinates")
    # The headline-less slide 3 takes its date as its title; its caption is kept with its link.
    third = story["journey"][2]
    assert third["title"] == "1904"
    assert third["text"].startswith("A keeper’s son walks the last mile with them.")
    assert (
        "[Video on YouTube](https://www.youtube.com/watch?v=AbCdEfGhIjK) — Film of the cove"
        in third["text"]
    )


def test_storm_keeps_its_closing_overview_slide_and_html_lists() -> None:
    path = fixture("storm.json")
    conversion = convert(load_file(path), source_name=path.name)
    story, notes = conversion.story, conversion.notes
    assert story["title"] == "The Track of Storm Ada"
    assert (
        "[Article on Wikipedia](https://en.wikipedia.org/wiki/Tropical_cyclone)" in story["intro"]
    )
    last = story["journey"][-1]
    assert last["title"] == "Oct 8" and last["at"] == story["journey"][-2]["at"]
    assert has(notes, "slides.6.type", "imported as a chapter")
    assert story["journey"][1]["text"] == "- Winds reach 65 km/h.\n- Ada turns west-north-west."
    assert "**heavy** rain" in story["journey"][4]["text"]
    assert has(notes, "date on slides 1-6", "begins the chapter's title")
    assert all("date" not in chapter for chapter in story["journey"])
    assert has(notes, "slides.1.background", "sea1.jpg", "dropped")
    assert has(notes, "'Storm centre' names 5 different coordinates")


def test_river_title_subtitle_tiles_and_credits() -> None:
    path = fixture("river.json")
    conversion = convert(load_file(path), source_name=path.name)
    story, notes = conversion.story, conversion.notes
    assert story["title"] == "River Towns"
    assert story["subtitle"] == "Where the ferry stopped"
    assert story["tiles"] == "OpenStreetMap.Mapnik"
    assert not has(notes, "map_type")  # osm:standard is OpenStreetMap.Mapnik itself
    media = story["journey"][2]["media"][0]
    assert media["credit"] == "County archive (https://example.org/archive/item/42)"
    assert has(notes, "slides.3.media.credit", "kept in parentheses")
    last = story["journey"][-1]["text"]
    assert "[river towns guide](https://example.org/river/today)" in last
    assert "[Video on YouTube](https://www.youtube.com/watch?v=ZyXwVuTsRqP) — " in last
    assert has(notes, "media.url on slides 7, 9: a SoundCloud track")
    assert has(notes, "slides.4.media.url: a Flickr photo page")


def test_yaml_has_the_source_and_every_note_as_comments(tmp_path: Path) -> None:
    path = fixture("storm.json")
    conversion = convert(load_file(path), source_name=path.name)
    text = to_yaml(conversion)
    assert text.startswith("# Imported from the StoryMapJS story storm.json.\n")
    comments = " ".join(
        line.lstrip("# -").strip() for line in text.splitlines() if line.startswith("#")
    )
    for note in conversion.notes:
        assert note in comments
    assert f"    by: {MODE}  # set by the import: StoryMapJS has no means of travel" in text
    assert "    text: |-\n" in text
    assert yaml.safe_load(text) == conversion.story
    write_and_load(conversion, tmp_path)


# --- HTML to Markdown ---------------------------------------------------------------------------

HTML_CASES = [
    ("<p>One</p><p>Two<br>three</p>", "One\n\nTwo\\\nthree"),
    ("<p>A <a href='https://x.org/a b'>link</a>.</p>", "A [link](https://x.org/a%20b)."),
    ("<a href='mailto:a@b.org'>mail</a>", "[mail](mailto:a@b.org)"),
    ("<a href='javascript:alert(1)'>click</a> here", "click here"),
    ("<em>it</em> <i> sp </i> <strong>b</strong><b>bb</b>", "*it* *sp* **bbb**"),
    ("<b>bold <i>both</i></b>", "**bold *both***"),
    ("<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>", "- a\n- b\n  - c"),
    ("<ol start='3'><li>x<li>y</ol>", "3. x\n4. y"),
    ("<ul><li>unclosed</li><ul>", "- unclosed"),
    ("<blockquote><p>q1</p><p>q2</p></blockquote>after", "> q1\n>\n> q2\n\nafter"),
    ("x<script>alert(1)</script>y", "xy"),
    ("Fish &amp; chips &lt;b&gt; &copy; &amp;copy;", "Fish & chips \\<b> © \\&copy;"),
    ("5 * 3 [x] a_b __init__", "5 \\* 3 \\[x\\] a_b \\_\\_init\\_\\_"),
    ("# one<br>- two<br>1. three", "\\# one\\\n\\- two\\\n1\\. three"),
    ("<p>Done.</p> <span class='vco-note'>A note</span></p>.", "Done.\n\nA note."),
    ("<h2>Head</h2><p>x <code>a*b</code></p>", "**Head**\n\nx `a*b`"),
    ("plain\ntext   with  spaces", "plain text with spaces"),
]


@pytest.mark.parametrize(("html", "markdown"), HTML_CASES)
def test_html_becomes_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html)[0] == markdown


@pytest.mark.parametrize(
    ("html", "rendered"),
    [
        ("5 * 3 [x] a_b __init__ `c`", "<p>5 * 3 [x] a_b __init__ `c`</p>"),
        ("&lt;http://example.org&gt;", "<p>&lt;http://example.org&gt;</p>"),
        ("# one<br>&gt; two", "<p># one<br>\n&gt; two</p>"),
        ("<i>a</i><b>b</b>", "<p><em>a</em>\u200b<strong>b</strong></p>"),
    ],
)
def test_text_renders_as_itself(html: str, rendered: str) -> None:
    assert markdown_html(html_to_markdown(html)[0]) == rendered


@pytest.mark.parametrize(
    ("html", "note"),
    [
        ("<a href='javascript:alert(1)'>x</a>", "the link to 'javascript:alert(1)' was dropped"),
        ("<a href='/relative'>x</a>", "the link to '/relative' was dropped"),
        ("a<script>alert(1)</script>", "a <script> element was removed"),
        ("a<style>p {}</style>", "a <style> element was removed"),
        ("<iframe src='https://e.org/x'></iframe>", "an embedded <iframe> ('https://e.org/x')"),
        ("<img src='https://e.org/p.jpg' alt='A dog'>", "an image inside the text"),
        ("x<sup>2</sup>", "<sup> formatting has no counterpart; its text is kept"),
        ("<hr>", "a horizontal rule"),
        ("<table><tr><td>a</td></tr></table>", "a table has no counterpart"),
    ],
)
def test_what_html_loses_is_noted(html: str, note: str) -> None:
    markdown, notes = html_to_markdown(html)
    assert has(notes, note), notes
    assert "<script" not in markdown and "<iframe" not in markdown


def test_html_in_slides_is_converted_and_noted() -> None:
    data = slides_story(
        OVERVIEW,
        {
            **slide("A <em>bold</em> move"),
            "text": {
                "headline": "A <em>bold</em> move",
                "text": "<p>Hi<script>steal()</script></p>",
            },
        },
    )
    conversion = convert(data)
    chapter = conversion.story["journey"][0]
    assert chapter["title"] == "A bold move"
    assert chapter["text"] == "Hi"
    assert has(conversion.notes, "slides.1.text.headline: HTML formatting removed")
    assert has(conversion.notes, "slides.1.text.text: a <script> element was removed")


# --- Media -------------------------------------------------------------------------------------


def test_image_media_keeps_credit_and_caption_and_derives_alt() -> None:
    data = slides_story(
        OVERVIEW,
        slide(
            "Harbour",
            media={
                "url": "https://e.org/harbour.JPG?size=large",
                "caption": "The <em>harbour</em> at dawn",
                "credit": "A. Photographer",
            },
        ),
        slide("Pier", lat=41, media={"url": "https://e.org/pier.png", "caption": ""}),
    )
    conversion = convert(data)
    first, second = conversion.story["journey"]
    assert first["media"] == [
        {
            "src": "https://e.org/harbour.JPG?size=large",
            "alt": "The harbour at dawn",
            "caption": "The harbour at dawn",
            "credit": "A. Photographer",
        }
    ]
    assert "text" not in first
    assert second["media"] == [{"src": "https://e.org/pier.png", "alt": "Image for: Pier"}]
    assert has(conversion.notes, "slides.1.media.alt", "taken from the caption")
    assert has(conversion.notes, "slides.2.media.alt", "Image for: <chapter title>")


@pytest.mark.parametrize(
    ("url", "line", "what"),
    [
        ("https://www.youtube.com/watch?v=abc", "[Video on YouTube](https://www.youtube.com/watch?v=abc)", "a YouTube video"),  # noqa: E501
        ("https://youtu.be/abc", "[Video on YouTube](https://youtu.be/abc)", "a YouTube video"),
        ("https://vimeo.com/1", "[Video on Vimeo](https://vimeo.com/1)", "a Vimeo video"),
        ("https://twitter.com/a/status/1", "[Post on Twitter](https://twitter.com/a/status/1)", "a tweet"),  # noqa: E501
        ("https://en.wikipedia.org/wiki/X", "[Article on Wikipedia](https://en.wikipedia.org/wiki/X)", "a Wikipedia article"),  # noqa: E501
        ("https://soundcloud.com/a/b", "[Audio on SoundCloud](https://soundcloud.com/a/b)", "a SoundCloud track"),  # noqa: E501
        ("http://www.flickr.com/photos/a/1/", "[Photo on Flickr](http://www.flickr.com/photos/a/1/)", "a Flickr photo page"),  # noqa: E501
        ("https://example.org/page", "[Web page on example.org](https://example.org/page)", "a web page"),  # noqa: E501
    ],
)  # fmt: skip
def test_other_media_becomes_a_link_in_the_text(url: str, line: str, what: str) -> None:
    media = {"url": url, "caption": "A <b>clip</b>", "credit": "Someone"}
    conversion = convert(slides_story(OVERVIEW, slide("Clip", media=media)))
    chapter = conversion.story["journey"][0]
    assert "media" not in chapter
    assert chapter["text"] == f"{line} — A **clip** (credit: Someone)"
    assert f"slides.1.media.url: {what}; kept as a link in the text" in conversion.notes


def test_unusable_media_urls_are_noted() -> None:
    conversion = convert(
        slides_story(
            OVERVIEW,
            slide("Relative", media={"url": "images/a.jpg"}),
            slide("Schemeless", lat=41, media={"url": "//e.org/b.jpg"}),
            slide("Quote", lat=42, media={"url": "<blockquote>Said <i>so</i></blockquote>"}),
        )
    )
    first, second, third = conversion.story["journey"]
    assert "media" not in first
    assert has(conversion.notes, "slides.1.media.url: 'images/a.jpg' is not an http(s) URL")
    assert second["media"][0]["src"] == "https://e.org/b.jpg"
    assert has(conversion.notes, "slides.2.media.url: has no scheme; it is made https")
    assert third["text"] == "> Said *so*"
    assert has(conversion.notes, "slides.3.media.url: HTML (a quote or embed)")


# --- Dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2005-08-28", dt.date(2005, 8, 28)),
        ("2005-08-28T10:00:00Z", dt.date(2005, 8, 28)),
        ("August 28, 2005", dt.date(2005, 8, 28)),
        ("Aug. 28, 2005", dt.date(2005, 8, 28)),
        ("28 August 2005", dt.date(2005, 8, 28)),
        ("Monday, August 29, 2005", dt.date(2005, 8, 29)),
        ("Sept 3rd, 2001", dt.date(2001, 9, 3)),
        ("1835", None),
        ("Aug 23", None),
        ("1790-2010", None),
        ("08/09/2005", None),  # day and month cannot be told apart
        ("February 30, 2005", None),
        ("Smarch 3, 2005", None),
    ],
)
def test_dates_convert_only_when_they_name_one_day(text: str, day: dt.date | None) -> None:
    assert parse_date(text) == day


def test_chapter_dates_and_dates_kept_as_text(tmp_path: Path) -> None:
    data = slides_story(
        {**OVERVIEW, "date": "August 23, 2005"},
        slide("Landfall", date="August 29, 2005"),
        slide("Before", lat=41, date="1835", text={"headline": "Before", "text": "Born."}),
        slide("1851", lat=42, date="1851"),
    )
    conversion = convert(data)
    story = conversion.story
    assert story["date"] == dt.date(2005, 8, 23)
    first, second, third = story["journey"]
    assert first["date"] == dt.date(2005, 8, 29)
    assert second["text"] == "*1835*\n\nBorn." and "date" not in second
    assert "date" not in third and "text" not in third
    assert has(conversion.notes, "slides.2.date", "kept as italic text")
    assert has(conversion.notes, "slides.3.date", "begins the chapter's title")
    write_and_load(conversion, tmp_path)


# --- Slides, places and what has no counterpart --------------------------------------------------


def test_slides_without_coordinates_are_skipped_with_a_note(tmp_path: Path) -> None:
    data = slides_story(
        OVERVIEW,
        slide("First"),
        {"text": {"headline": "Nowhere", "text": "lost"}},
        {**slide("Bad"), "location": {"lat": 91, "lon": 0}},
        {**slide("Text"), "location": {"lat": "41.5", "lon": "-73"}},
        "not a slide",
    )
    conversion = convert(data)
    journey = conversion.story["journey"]
    assert [c["title"] for c in journey] == ["First", "Text"]
    notes = conversion.notes
    skipped = [n for n in notes if re.match(r"slides\.\d+: .*; skipped", n)]
    assert len(journey) + len(skipped) == len(data["storymap"]["slides"]) - 1  # all but overview
    assert has(notes, "slides.2: has no location ('Nowhere'); skipped")
    assert has(notes, "slides.3: has location.lat 91, not a number from -90 to 90")
    assert has(notes, "slides.5: is text, not a slide; skipped")
    assert conversion.story["places"][journey[1]["at"]]["lat"] == 41.5
    write_and_load(conversion, tmp_path)


def test_no_overview_takes_the_title_from_the_first_slide(tmp_path: Path) -> None:
    conversion = convert(
        slides_story(slide("Start", uniqueid="start"), slide("End", lat=41, uniqueid="start")),
        source_name="trip.json",
    )
    story = conversion.story
    assert story["title"] == "Start" and "intro" not in story
    assert [c.get("id") for c in story["journey"]] == ["start", None]
    assert has(conversion.notes, "slides.0 is not an overview slide")
    assert has(conversion.notes, "slides.1.uniqueid", "not a usable chapter id")
    write_and_load(conversion, tmp_path)


def test_unsupported_fields_are_noted_not_dropped_silently() -> None:
    data = slides_story(
        {**OVERVIEW, "background": {"url": "https://e.org/bg.jpg", "opacity": 40}},
        slide(
            "One",
            background={"color": "#123456"},
            autolink=True,
            location={
                "lat": 40,
                "lon": -74,
                "zoom": 9,
                "line": False,
                "icon": "https://e.org/i.png",
            },
            media={"url": "https://e.org/a.jpg", "caption": "A", "link": "https://e.org"},
        ),
        map_type="stamen:toner-lite",
        language="fr",
        line_color="#ff0000",
        call_to_action=False,
        call_to_action_text="",
    )
    notes = convert(data).notes
    assert has(notes, "slides.0.background", "https://e.org/bg.jpg", "opacity 40", "dropped")
    assert has(notes, "slides.1.background: (colour #123456) has no counterpart")
    assert has(notes, "slides.1.autolink: true has no counterpart")
    assert has(notes, "slides.1.location.zoom", "dropped")
    assert has(notes, "slides.1.location.line: false", "drawn anyway")
    assert has(notes, "slides.1.location.icon", "https://e.org/i.png")
    assert has(notes, "slides.1.media.link: 'https://e.org' has no counterpart")
    assert has(notes, "storymap.map_type 'stamen:toner-lite'", "Stadia.StamenTonerLite")
    assert has(notes, "storymap.language 'fr'")
    assert has(notes, "storymap.line_color '#ff0000': no counterpart in storymap; dropped")
    assert not has(notes, "call_to_action")  # false and empty: nothing is lost


@pytest.mark.parametrize(
    ("map_type", "fragment"),
    [
        ("osm:standard", None),
        ("mapbox:nuknightlab.abc", "needs an access token"),
        ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", "not tile URLs"),
        ("stamen:watercolor", "Stadia.StamenWatercolor"),
    ],
)
def test_map_types_become_tiles(map_type: str, fragment: str | None) -> None:
    conversion = convert(slides_story(OVERVIEW, slide(), map_type=map_type))
    assert conversion.story["tiles"] == "OpenStreetMap.Mapnik"
    if fragment is None:
        assert not has(conversion.notes, "map_type")
    else:
        assert has(conversion.notes, "storymap.map_type", fragment)


@pytest.mark.parametrize(
    "top", [{"map_as_image": True}, {"map_type": "zoomify", "zoomify": {"path": "x/"}}]
)
def test_gigapixel_stories_are_refused(top: dict) -> None:
    with pytest.raises(StoryError) as info:
        convert(slides_story(OVERVIEW, slide(), **top), source_name="giga.json")
    assert str(info.value) == (
        "giga.json: storymap.map_as_image: a StoryMapJS Gigapixel story (map_as_image) is not "
        "a map; storymap cannot import it (its points are positions on an image, not on the Earth)"
    )


def test_a_story_with_no_located_slide_is_refused() -> None:
    with pytest.raises(StoryError, match="no slide has a location with lat and lon"):
        convert(slides_story(OVERVIEW, {"text": {"headline": "x"}}), source_name="s.json")


# --- Reading the file ---------------------------------------------------------------------------


def test_invalid_json_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"storymap": {\n  "slides": [,]\n}}', encoding="utf-8")
    with pytest.raises(StoryError) as info:
        load_file(path)
    (problem,) = info.value.problems
    assert (problem.file, problem.line) == (str(path), 2)
    assert problem.message.startswith("not valid JSON: Expecting value (column 14)")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("[1, 2]", "not a StoryMapJS story: the JSON is a list"),
        ('{"title": "x"}', "storymap: not a StoryMapJS story: no 'storymap' object"),
        ('{"events": []}', "it looks like a TimelineJS timeline"),
        ('{"storymap": {"slides": []}}', "storymap.slides: not a StoryMapJS story: the slides are an empty list"),  # noqa: E501
        ('{\n"storymap": {"map_type": "osm:standard"}}', "other.json:2: storymap.slides: not a StoryMapJS story: the slides are missing"),  # noqa: E501
    ],
)  # fmt: skip
def test_json_that_is_not_a_storymapjs_story(content: str, fragment: str, tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(StoryError) as info:
        load_file(path)
    assert str(info.value).startswith(str(path))
    assert fragment in str(info.value)


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(StoryError, match="no such file"):
        load_file(tmp_path / "missing.json")
    path = tmp_path / "latin1.json"
    path.write_bytes(
        '{"storymap": {"slides": [{"text": {"headline": "Caf\xe9"}}]}}'.encode("latin-1")
    )
    with pytest.raises(StoryError, match="is not UTF-8 text"):
        load_file(path)


def test_load_file_returns_the_json(tmp_path: Path) -> None:
    data = slides_story(OVERVIEW, slide())
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_file(path) == data
