"""The folium elements of a story page. Imports folium: import this module lazily.

branca's ``MacroElement.render`` wraps each macro's output in a new ``Element``, whose
constructor compiles that output as a Jinja template and renders it again. Output that
holds story text (the story JSON) must never be a template: ``{{ … }}`` in a title would
run. :class:`RawMacro` renders the macros once and inserts their output as it is; every
element of ours that renders text takes it.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import folium
import jinja2
from branca.element import Element, Figure, MacroElement
from folium.template import Template


def _source(name: str) -> str:
    return resources.files("storymap").joinpath("templates", name).read_text(encoding="utf-8")


class Raw(Element):
    """Text that goes into the page as it is."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class RawMacro(MacroElement):
    """A MacroElement whose macro output is inserted once, never rendered as a template again.

    Put it last among a class's bases, so that folium's own ``render`` methods (which add
    children, then call ``super().render``) reach this one instead of branca's.
    """

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        module = self._template.module
        for part, target in (
            ("header", figure.header),
            ("html", figure.html),
            ("script", figure.script),
        ):
            macro = getattr(module, part, None)
            if macro is not None:
                target.add_child(Raw(str(macro(self, kwargs))), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


def script_json(data: Any) -> str:
    """Compact, key-sorted JSON that is safe inside a <script> element: no <, >, & or '."""
    import json

    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, escape)
    return text


class StoryFigure(Figure):
    """The HTML document: a language, an escaped title, and nothing fetched from elsewhere."""

    _template = jinja2.Environment(autoescape=True).from_string(_source("page.html.j2"))

    def __init__(self, title: str, lang: str = "en", dir: str = "ltr"):
        super().__init__(title=title)
        self.lang = lang  # a BCP 47 tag, checked when the story was read
        self.dir = dir
        self.header._children.pop("meta_http", None)  # the template declares the charset


class StoryMap(folium.Map, RawMacro):
    """folium's map without its CDN scripts and stylesheets (jQuery, Bootstrap, Font Awesome),
    and with a viewport that lets readers zoom the page."""

    default_js: list = []
    default_css: list = []
    _template = Template(_source("map.html.j2"))


class StoryLayer(RawMacro):
    """Inlines the scripts and styles, puts the story's HTML after the map's ``<div>`` (so a
    chapter id can never shadow the map's), and hands the map's data to ``storymap.init`` as
    JSON."""

    _template = Template(_source("story_layer.html.j2"))

    def __init__(
        self,
        data: dict[str, Any],
        *,
        html: str = "",
        scripts: tuple[str, ...],
        styles: tuple[str, ...],
        links: str = "",
    ):
        super().__init__()
        self._name = "StoryLayer"
        self.data = data
        self.story_html = html  # escaped and sanitized already: inserted as it is
        self.scripts = scripts
        self.styles = styles
        self.links = links  # <link> and <script src> tags, for resources from a CDN
        self.json = script_json(data)
