"""The folium elements of a story page. Imports folium: import this module lazily.

branca's ``MacroElement.render`` wraps each macro's output in a new ``Element``, whose
constructor compiles that output as a Jinja template and renders it again. Output that
holds story text (the story JSON) must never be a template: ``{{ … }}`` in a title would
run. :class:`RawMacro` inserts its parts (``header``, ``html``, ``script``) as they are;
every element of ours that renders text takes it.

Our elements write their parts in Python rather than with Jinja macros, as folium's own do:
they are a few lines each, and compiling their templates took longer than a page takes to
write.
"""

from __future__ import annotations

from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import tojavascript
from markupsafe import escape


def _tojson(value: Any) -> str:
    """JSON safe in HTML, as Jinja's ``tojson`` filter writes it."""
    import json

    text = json.dumps(value, sort_keys=True)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, code)
    return text


class Raw(Element):
    """Text that goes into the page as it is."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class RawMacro(MacroElement):
    """A MacroElement whose parts are inserted once, never rendered as a template again: the
    text of :meth:`header_part`, :meth:`html_part` and :meth:`script_part` (None: no part).

    Put it last among a class's bases, so that folium's own ``render`` methods (which add
    children, then call ``super().render``) reach this one instead of branca's.
    """

    def header_part(self) -> str | None:
        return None

    def html_part(self) -> str | None:
        return None

    def script_part(self) -> str | None:
        return None

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        for text, target in (
            (self.header_part(), figure.header),
            (self.html_part(), figure.html),
            (self.script_part(), figure.script),
        ):
            if text is not None:
                target.add_child(Raw(text), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


def script_json(data: Any) -> str:
    """Compact, key-sorted JSON that is safe inside a <script> element: no <, >, & or '."""
    import json

    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, code)
    return text


class StoryFigure(Figure):
    """The HTML document: a language, an escaped title, and nothing fetched from elsewhere."""

    def __init__(self, title: str, lang: str = "en", dir: str = "ltr"):
        super().__init__(title=title)
        self.lang = lang  # a BCP 47 tag, checked when the story was read
        self.dir = dir
        self.header._children.pop("meta_http", None)  # the document declares the charset

    def render(self, **kwargs: Any) -> str:
        for child in self._children.values():
            child.render(**kwargs)
        return (
            f'<!DOCTYPE html>\n<html lang="{escape(self.lang)}" dir="{escape(self.dir)}">\n'
            f'<head>\n<meta charset="utf-8">\n<title>{escape(self.title)}</title>\n'
            f"{self.header.render(**kwargs)}\n</head>\n"
            f'<body class="sm-has-panel">\n{self.html.render(**kwargs)}\n'
            f"<script>\n{self.script.render(**kwargs)}\n</script>\n</body>\n</html>"
        )


class StoryMap(folium.Map, RawMacro):
    """folium's map without its CDN scripts and stylesheets (jQuery, Bootstrap, Font Awesome),
    and with a viewport that lets readers zoom the page."""

    default_js: list = []
    default_css: list = []

    def header_part(self) -> str:
        return (
            '\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<style>\n'
            "html, body { width: 100%; height: 100%; margin: 0; padding: 0; }\n</style>\n"
        )

    def html_part(self) -> str:
        return f'\n<div class="folium-map sm-map" id={_tojson(self.get_name())}></div>\n'

    def script_part(self) -> str:
        name = self.get_name()
        out = [
            f"\nvar {name} = L.map({_tojson(name)}, {{\n"
            f"    center: {_tojson(self.location)},\n"
            f"    crs: L.CRS.{self.crs},\n"
            f"    ...{tojavascript(self.options)}\n}});"
        ]
        if self.zoom_control_position:
            position = _tojson(self.zoom_control)
            out.append(f"\nL.control.zoom({{ position: {position} }}).addTo({name});")
        if self.control_scale:
            out.append(f"\nL.control.scale().addTo({name});")
        return "".join(out) + "\n"


class StoryLayer(RawMacro):
    """Inlines the scripts and styles, puts the story's HTML after the map's ``<div>`` (so a
    chapter id can never shadow the map's), and hands the map's data to ``storymap.init`` as
    JSON."""

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

    def header_part(self) -> str:
        styles = "".join(f"\n<style>\n{style}\n</style>" for style in self.styles)
        scripts = "".join(f"\n<script>\n{script}\n</script>" for script in self.scripts)
        return f"\n{self.links}{styles}{scripts}\n"

    def html_part(self) -> str:
        return f"\n{self.story_html}\n"

    def script_part(self) -> str:
        return f"\nstorymap.init({self._parent.get_name()}, {self.json});\n"
