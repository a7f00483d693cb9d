"""The folium elements of a story page. Imports folium: import this module lazily."""

from __future__ import annotations

from importlib import resources
from typing import Any

import folium
import jinja2
from branca.element import Figure, MacroElement
from folium.template import Template


def _source(name: str) -> str:
    return resources.files("storymap").joinpath("templates", name).read_text(encoding="utf-8")


class StoryFigure(Figure):
    """The HTML document: a language, an escaped title, and nothing fetched from elsewhere."""

    _template = jinja2.Environment(autoescape=True).from_string(_source("page.html.j2"))

    def __init__(self, title: str):
        super().__init__(title=title)
        self.header._children.pop("meta_http", None)  # the template declares the charset


class StoryMap(folium.Map):
    """folium's map without its CDN scripts and stylesheets (jQuery, Bootstrap, Font Awesome),
    and with a viewport that lets readers zoom the page."""

    default_js: list = []
    default_css: list = []
    _template = Template(_source("map.html.j2"))


class StoryLayer(MacroElement):
    """Inlines the scripts and styles, and hands the story to ``storymap.init`` as JSON."""

    _template = Template(_source("story_layer.html.j2"))

    def __init__(self, data: dict[str, Any], *, scripts: tuple[str, ...], styles: tuple[str, ...]):
        super().__init__()
        self._name = "StoryLayer"
        self.data = data
        self.scripts = scripts
        self.styles = styles
