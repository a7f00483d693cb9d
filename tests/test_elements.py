"""storymap.elements: the folium elements of the page; story text is never run as a template."""

from __future__ import annotations

import json

import folium

from storymap.elements import Raw, StoryFigure, StoryLayer, StoryMap, script_json


def test_script_json_is_compact_sorted_and_safe_in_a_script() -> None:
    data = {"b": "</script><!-- & 'x'", "a": [1, 2.5, None], "ü": "é"}
    text = script_json(data)
    assert text.startswith('{"a":[1,2.5,null],"b":')
    assert not any(c in text for c in "<>&'")
    assert "é" in text  # not escaped to \\u00e9
    assert json.loads(text) == data


def test_raw_is_inserted_as_it_is() -> None:
    assert Raw("{{ 7*7 }} <b>").render() == "{{ 7*7 }} <b>"


def page(data: dict) -> str:
    figure = StoryFigure(title=data["title"])
    fmap = StoryMap(location=[0, 0], zoom_start=2, tiles=None)
    figure.add_child(fmap)
    StoryLayer(data, scripts=("var s = 1;",), styles=("p{}",)).add_to(fmap)
    return figure.render()


def test_story_text_in_the_layer_is_never_a_template() -> None:
    html = page({"title": "Sum {{ 7*7 }} {% raw %}"})
    assert "storymap.init(" in html
    assert "Sum {{ 7*7 }} {% raw %}" in html and "Sum 49" not in html


def test_the_figure_escapes_its_title_and_declares_its_language() -> None:
    html = page({"title": "<script>alert(1)</script>"})
    head = html.split("<body>")[0]
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in head
    assert "<html lang=" in head
    assert head.lower().count("charset") == 1  # the template's own, not folium's meta_http


def test_the_map_loads_nothing_from_elsewhere() -> None:
    html = page({"title": "t"})
    assert "<script src=" not in html and 'rel="stylesheet"' not in html
    assert StoryMap.default_js == [] and StoryMap.default_css == []
    assert "<style>\np{}\n</style>" in html and "var s = 1;" in html
    assert isinstance(StoryMap(location=[0, 0], tiles=None), folium.Map)
