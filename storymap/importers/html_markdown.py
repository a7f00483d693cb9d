"""HTML to the Markdown storymap shows, and to plain text, for text made in other tools.

- :func:`html_to_markdown` turns HTML prose into Markdown (paragraphs, emphasis, http(s) and
  mailto links, lists, quotes, code) and names, in notes, what it could not keep. Raw HTML
  never passes through: scripts, styles and embeds are removed with a note.
- :func:`html_to_text` gives the plain text of a headline, name, caption or credit.
- :func:`parse` builds the forgiving tree both read; :func:`find` looks for an element in it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def show(value: Any, limit: int = 60) -> str:
    """A value for a note: text quoted, other JSON values as written; long ones shortened."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = one_line(text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text) if isinstance(value, str) else text


_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip
# Elements whose content is not story text: removed with a note.
_DROP = {
    "script", "style", "iframe", "object", "embed", "svg", "math", "audio", "video", "canvas",
    "template", "noscript", "head", "title", "select", "textarea", "button", "input", "form",
    "map", "meta", "link", "base", "source", "track", "param",
}  # fmt: skip
_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "figure",
    "figcaption", "address", "center", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul",
    "ol", "li", "pre", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "dl",
    "dt", "dd", "hr", "fieldset", "body", "html", "details", "summary", "menu",
}  # fmt: skip
_EMPHASIS = {"em": "*", "i": "*", "cite": "*", "dfn": "*", "var": "*", "strong": "**", "b": "**"}
_CODE = {"code", "tt", "kbd", "samp"}
_TRANSPARENT = {"span", "font", "small", "big", "abbr", "acronym", "time", "label", "bdi", "bdo"}
_TRANSPARENT |= {"data", "nobr", "wbr", "q", "a"}
_LOST_FORMAT = {"u", "ins", "s", "strike", "del", "sup", "sub", "mark", "blink", "marquee"}
_P_CLOSERS = _BLOCK - {"li", "td", "th", "tr", "dt", "dd", "body", "html"}
_BR = "\x00"  # a hard line break, while a paragraph is put together
_LINK_SCHEMES = ("http", "https", "mailto")


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)


MAX_NESTING = 60  # elements inside each other; deeper ones are left out, their text kept


def url_scheme(url: str) -> str | None:
    """The scheme of ``url``, lower case ("" for none); None for an address that cannot be
    read at all, such as ``http://[::1`` (an unclosed IPv6 bracket)."""
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        return None


class _TreeBuilder(HTMLParser):
    """A forgiving HTML tree: stray end tags are ignored, unclosed ones closed at the end.
    Elements nested more than :data:`MAX_NESTING` deep are left out (their text is kept in
    the element around them), so that the walks over the tree stay shallow."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]
        self.skipping: list[str] = []  # open elements whose content is dropped
        self.dropped: list[str] = []  # notes about what was removed
        self.too_deep = False  # whether elements past MAX_NESTING were left out

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if self.skipping:
            if tag == self.skipping[-1] and tag not in _VOID:
                self.skipping.append(tag)
            return
        if tag in _DROP:
            self.dropped.append(_dropped(tag, attributes))
            if tag not in _VOID:
                self.skipping.append(tag)
            return
        if tag == "li":
            self._close_within("li", {"ul", "ol", "menu"})
        elif tag in ("dt", "dd"):
            self._close_within(("dt", "dd"), {"dl"})
        elif tag == "a":
            self._close_within("a", set())
        elif tag in ("td", "th"):
            self._close_within(("td", "th"), {"tr", "table"})
        elif tag == "tr":
            self._close_within("tr", {"table", "thead", "tbody", "tfoot"})
        if tag in _P_CLOSERS:
            self._close_within("p", {"li", "td", "th", "blockquote", "div", "dd", "body"})
        if len(self.stack) > MAX_NESTING:
            if not self.too_deep:
                self.too_deep = True
                self.dropped.append(
                    f"HTML nested more than {MAX_NESTING} elements deep; the deeper elements "
                    "were removed, their text is kept"
                )
            return
        node = Node(tag, attributes)
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def _close_within(self, tags: str | tuple[str, ...], boundary: set[str]) -> None:
        names = (tags,) if isinstance(tags, str) else tags
        for depth in range(len(self.stack) - 1, 0, -1):
            tag = self.stack[depth].tag
            if tag in names:
                del self.stack[depth:]
                return
            if tag in boundary:
                return

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        children = self.stack[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)


def _dropped(tag: str, attrs: dict[str, str]) -> str:
    src = attrs.get("src") or attrs.get("data") or attrs.get("href") or ""
    where = f" ({show(src)})" if src else ""
    if tag in ("script", "style"):
        return f"a <{tag}> element was removed (raw HTML never passes into the story)"
    return f"an embedded <{tag}>{where} has no counterpart in storymap's Markdown; removed"


def parse(html: str) -> tuple[Node, list[str]]:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root, builder.dropped


def collapse(text: str) -> str:
    return re.sub(r"[ \t\n\r\f\v]+", " ", text)


def escape(text: str) -> str:
    """Text that Markdown shows as itself (line starts are handled per line)."""
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([`*\[\]<])", r"\\\1", text)
    text = re.sub(r"(?<![^\W_])_|_(?![^\W_])", r"\\_", text)  # not inside a word
    return re.sub(r"&(?=#?[A-Za-z0-9]+;)", r"\\&", text)


def escape_line_start(line: str) -> str:
    line = re.sub(r"^([#>+=~-])", r"\\\1", line)
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", line)


def link_destination(url: str) -> str:
    for ch, code in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E")):
        url = url.replace(ch, code)
    return url


def wrap(inner: str, mark: str) -> str:
    match = re.match(r"^([ \x00]*)(.*?)([ \x00]*)$", inner, re.DOTALL)
    assert match is not None
    lead, core, trail = match.groups()
    if not core:
        return inner
    return f"{lead}{mark}{core}{mark}{trail}"


class _Markdown:
    """Renders a parsed HTML tree as the Markdown subset storymap shows."""

    def __init__(self) -> None:
        self.notes: list[str] = []

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    # blocks: (kind, text) with kind "p", "list" or "quote"

    def blocks(self, children: list[Node | str]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        inline: list[str] = []

        def flush() -> None:
            text = _paragraph(_concat(inline))
            inline.clear()
            if text:
                out.append(("p", text))

        for child in children:
            if isinstance(child, str):
                inline.append(escape(collapse(child)))
            elif child.tag in _BLOCK:
                flush()
                out.extend(self.block(child))
            else:
                inline.append(self.inline(child))
        flush()
        return out

    def block(self, node: Node) -> list[tuple[str, str]]:
        tag = node.tag
        if tag in ("ul", "ol", "menu"):
            return self.list(node)
        if tag == "li":
            return self.list(Node("ul", {}, [node]))
        if tag == "blockquote":
            inner = _join(self.blocks(node.children))
            if not inner:
                return []
            quoted = "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
            return [("quote", quoted)]
        if tag == "hr":
            self.note("a horizontal rule (<hr>) has no counterpart; the text around it is kept")
            return []
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.note(f"a heading (<{tag}>) is shown as bold text; storymap's text has no headings")
            return [
                (kind, wrap(text, "**") if kind == "p" else text)
                for kind, text in self.blocks(node.children)
            ]
        if tag == "pre":
            self.note("preformatted text (<pre>) is kept as ordinary text")
            lines = _text_of(node).strip("\n").split("\n")
            text = _BR.join(escape(line.strip()) for line in lines)
            text = _paragraph(text)
            return [("p", text)] if text else []
        if tag in ("table", "thead", "tbody", "tfoot"):
            self.note("a table has no counterpart; each row is kept as a line of text")
            return self.blocks(node.children)
        if tag == "tr":
            cells = [
                _paragraph(self.inline_children(c.children))
                if isinstance(c, Node)
                else _paragraph(escape(collapse(c)))
                for c in node.children
            ]
            text = " | ".join(c for c in cells if c)
            return [("p", text)] if text else []
        return self.blocks(node.children)

    def list(self, node: Node) -> list[tuple[str, str]]:
        ordered = node.tag == "ol"
        try:
            number = int(node.attrs.get("start", "1")) if ordered else 1
        except ValueError:
            number = 1
        items: list[str] = []
        for child in node.children:
            if isinstance(child, str):
                if not child.strip():
                    continue
                child = Node("li", {}, [child])
            elif child.tag != "li":
                child = Node("li", {}, [child])
            parts = self.blocks(child.children)
            if not parts:
                continue
            body = ""
            for kind, text in parts:
                if body:
                    body += "\n" if kind == "list" else "\n\n"
                body += text
            marker = f"{number}. " if ordered else "- "
            number += 1
            pad = " " * len(marker)
            lines = body.split("\n")
            items.append(
                "\n".join([marker + lines[0]] + [pad + line if line else "" for line in lines[1:]])
            )
        return [("list", "\n".join(items))] if items else []

    # inline

    def inline_children(self, children: list[Node | str]) -> str:
        parts = []
        for child in children:
            if isinstance(child, str):
                parts.append(escape(collapse(child)))
            elif child.tag in _BLOCK:
                parts.append(" " + self.inline_children(child.children) + " ")
            else:
                parts.append(self.inline(child))
        return _concat(parts)

    def inline(self, node: Node) -> str:
        tag = node.tag
        if tag == "br":
            return _BR
        if tag == "img":
            src = node.attrs.get("src", "")
            alt = collapse(node.attrs.get("alt", "")).strip()
            what = f" {show(src)}" if src else ""
            kept = f"; its alt text {show(alt)} is kept" if alt else ""
            self.note(f"an image inside the text{what} was removed{kept}; add it as media")
            return f" {escape(alt)} " if alt else ""
        if tag == "a":
            return self.link(node)
        inner = self.inline_children(node.children)
        if tag in _EMPHASIS:
            return wrap(inner, _EMPHASIS[tag])
        if tag in _CODE:
            code = collapse(_text_of(node))
            if not code.strip():
                return code
            fence = "`" * (max((len(m) for m in re.findall(r"`+", code)), default=0) + 1)
            pad = " " if code.startswith("`") or code.endswith("`") else ""
            return f"{fence}{pad}{code}{pad}{fence}"
        if tag == "q":
            return f"“{inner}”"
        if tag in _LOST_FORMAT:
            self.note(f"<{tag}> formatting has no counterpart; its text is kept")
        elif tag not in _TRANSPARENT:
            self.note(f"<{tag}> has no counterpart; its text is kept")
        return inner

    def link(self, node: Node) -> str:
        text = self.inline_children(node.children)
        href = node.attrs.get("href", "").strip()
        if href.startswith("//"):
            self.note(f"the link {show(href)} has no scheme; it is made https")
            href = "https:" + href
        scheme = url_scheme(href) if href else ""
        if scheme is None:
            self.note(f"the link {show(href)} is not a valid address; dropped, its text is kept")
            return text
        if href and scheme in _LINK_SCHEMES:
            match = re.match(r"^([ \x00]*)(.*?)([ \x00]*)$", text, re.DOTALL)
            assert match is not None
            lead, label, trail = match.groups()
            label = label or escape(href)
            return f"{lead}[{label}]({link_destination(href)}){trail}"
        if href:
            self.note(
                f"the link to {show(href)} was dropped (only http, https and mailto links are "
                "kept); its text is kept"
            )
        return text


def _concat(parts: list[str]) -> str:
    """Inline Markdown pieces joined so that emphasis runs meeting each other stay apart."""
    out = ""
    for part in parts:
        if out.endswith("*") and part.startswith("*") and not out.endswith("\\*"):
            end = len(out) - len(out.rstrip("*"))
            start = len(part) - len(part.lstrip("*"))
            if end == start:  # **a** + **b** is **ab**
                out, part = out[:-end], part[start:]
            else:
                out += "&#8203;"  # a zero-width space between the two runs
        out += part
    return out


def _text_of(node: Node) -> str:
    return "".join(c if isinstance(c, str) else _text_of(c) for c in node.children)


def _paragraph(text: str) -> str:
    text = re.sub(r" {2,}", " ", text)
    text = re.sub(rf" *{_BR} *", _BR, text).strip(f" {_BR}")
    text = re.sub(f"{_BR}+", _BR, text)
    return "\\\n".join(escape_line_start(line) for line in text.split(_BR)) if text else ""


def _join(blocks: list[tuple[str, str]]) -> str:
    return "\n\n".join(text for _, text in blocks)


def html_to_markdown(html: str | None) -> tuple[str, list[str]]:
    """Markdown for StoryMapJS's HTML text, and notes on what could not be kept."""
    if not html or not str(html).strip():
        return "", []
    root, dropped = parse(str(html))
    renderer = _Markdown()
    text = _join(renderer.blocks(root.children))
    return text, dropped + renderer.notes


def html_to_text(html: str | None, *, urls: bool = True) -> tuple[str, list[str], list[str]]:
    """Plain text of a headline, name, caption or credit; ``<small>`` parts; notes.

    With ``urls``, a link's address is kept in parentheses after its text; otherwise it
    is named in a note.
    """
    if html is None:
        return "", [], []
    root, notes = parse(str(html))
    smalls: list[str] = []
    formatted = [False]

    def walk(node: Node) -> str:
        parts = []
        for child in node.children:
            if isinstance(child, str):
                parts.append(child)
                continue
            if child.tag in ("br", "hr") or child.tag in _BLOCK:
                parts.append(" ")
            if child.tag == "small" and node is root:
                smalls.append(collapse(walk(child)).strip())
                continue
            if child.tag == "img":
                notes.append(f"an image {show(child.attrs.get('src', ''))} was removed")
                continue
            if child.tag not in ("span", "br", "small", "a", "p", "div"):
                formatted[0] = True
            inner = walk(child)
            if child.tag == "a":
                href = child.attrs.get("href", "").strip()
                shown = collapse(inner).strip()
                if href and urls and href != shown:
                    inner = f"{inner} ({href})" if shown else href
                    notes.append(f"the link {show(href)} is kept in parentheses after its text")
                elif href and not urls:
                    notes.append(f"the link to {show(href)} was dropped; its text is kept")
            parts.append(inner)
            if child.tag in _BLOCK:
                parts.append(" ")
        return "".join(parts)

    text = collapse(walk(root)).strip()
    if formatted[0]:
        notes.append("HTML formatting removed; this field is plain text in storymap")
    return text, [s for s in smalls if s], notes


def find(node: Node, tag: str) -> Node | None:
    for child in node.children:
        if isinstance(child, Node):
            if child.tag == tag:
                return child
            found = find(child, tag)
            if found is not None:
                return found
    return None
