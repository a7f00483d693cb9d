"""The pipeline from a story file to a page on disk: load, locate, route, render, write."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storymap.errors import Problem, StoryError
from storymap.files import refuse_inputs, write_atomic
from storymap.model import LAYOUTS, Leg, Route, Story

if TYPE_CHECKING:
    from storymap.geocode import Resolution

DEFAULT_STORY = Path("data/story.yaml")
DEFAULT_OUTPUT_DIR = Path("output")
UNSET: Any = object()  # "take the story's own tiles"


def default_stories() -> list[Path]:
    """The stories that ``storymap build`` with no STORY builds: ``data/story.yaml`` and every
    other ``data/story*.yaml`` file beside it (``data/story.ru.yaml``, one per language), that
    one first and the rest by name; just ``data/story.yaml`` when there is none, so that its
    absence is said as for any missing story."""
    found = sorted(p for p in DEFAULT_STORY.parent.glob("story*.yaml") if p.is_file())
    found.sort(key=lambda p: p != DEFAULT_STORY)  # stable: the rest stay in name order
    return found or [DEFAULT_STORY]


def prepare(
    story_path: str | Path,
    *,
    online: Callable[..., Any] | None = None,
    allow_outside: bool = False,
) -> Journey:
    """Load, locate and route a story, and find its warnings; raises StoryError with every
    problem found."""
    from storymap.doubts import doubts
    from storymap.geocode import resolve
    from storymap.routes import build_legs
    from storymap.story import load

    story = load(story_path, allow_outside=allow_outside)
    located = resolve(story, online=online, allow_outside=allow_outside)
    legs = build_legs(located.story)
    warnings = sorted((*located.warnings, *doubts(located.story, legs)), key=lambda p: p.line or 0)
    return Journey(located.story, legs, located.resolutions, tuple(warnings))


def output_path(story_path: str | Path, out: str | Path | None, *, suffix: str = ".html") -> Path:
    """Where the output goes: ``out`` itself, or ``<stem><suffix>`` inside the folder ``out``
    (one that exists, or any ``out`` written with a trailing slash; missing folders are made
    when the file is written), by default in ``output/``."""
    stem = Path(story_path).stem + suffix
    if out is None:
        return DEFAULT_OUTPUT_DIR / stem
    folder = str(out).endswith(("/", os.sep))  # before Path() drops the trailing slash
    out = Path(out)
    if folder or os.path.isdir(out):  # False also for a name too long to be a folder
        return out / stem
    return out


_FILE_KINDS = {"video": "a video file", "audio": "a sound file"}


def read_files(story: Story) -> list[tuple[Path, str]]:
    """The files a build reads, each with what it is: the story, its route files and local
    images, and the geocoding cache beside it. An output must be none of them."""
    from storymap.geocode import CACHE_NAME

    if story.path is None:
        return []
    base = Path(story.path).parent
    files = [(Path(story.path), "the story"), (base / CACHE_NAME, "the story's geocoding cache")]
    for chapter in story.chapters:
        if chapter.route is not None:
            files.append((Path(chapter.route), "a route file of the story"))
        for media in chapter.media:
            if "://" not in media.src:
                what = _FILE_KINDS.get(media.kind, "an image")
                files.append((base / media.src, f"{what} of the story"))
    return files


def large_media(story: Story) -> list[Path]:
    """The local video and sound files too large to embed, in story order: each is copied
    beside the page (:func:`storymap.media.copies`)."""
    return list(
        dict.fromkeys(
            media.file
            for chapter in story.chapters
            for media in chapter.media
            if media.kind in ("video", "audio") and media.file is not None and media.data is None
        )
    )


@dataclass
class Journey:
    """A located story and its legs: what a page is rendered from.

    ``story`` is the checked, located :class:`~storymap.model.Story`; ``legs`` its legs in
    order, one per chapter after the first; ``resolutions`` what each looked-up place was
    resolved to (:class:`~storymap.geocode.Resolution`); ``warnings`` what may be wrong
    without making the story invalid (:mod:`storymap.doubts`), as problems. Once
    :meth:`save` (or :func:`build`) has written the page, ``page`` is the path it was written
    to and ``size`` its size in bytes; before, both are None.

    In Jupyter it shows itself as the page (``_repr_html_``), made by the same rendering
    as ``storymap build``.
    """

    story: Story
    legs: tuple[Leg, ...]
    resolutions: tuple[Resolution, ...] = ()
    warnings: tuple[Problem, ...] = ()
    page: Path | None = field(default=None, init=False, compare=False)
    size: int | None = field(default=None, init=False, compare=False)
    picture: Path | None = field(default=None, init=False, compare=False)
    copied: tuple[Path, ...] = field(default=(), init=False, compare=False)

    @cached_property
    def route(self) -> Route:
        """The legs with the chapters' positions, the bounds and the length of the journey."""
        from storymap.routes import routed

        return routed(self.story, self.legs)

    def render(
        self,
        *,
        tiles: str | None = UNSET,
        tiles_key: str | None = None,
        basemap: bool = True,
        resources: str = "inline",
        earlier: Path | None = None,
        url: str | None = UNSET,
        image: str | None = None,
        layout: str | None = None,
        media_files: dict[Path, str] | None = None,
    ) -> str:
        """The page as a string; the options are those of :func:`build`. ``earlier`` is a page
        this one replaces: its offline map is reused if nothing it was made from changed.
        ``image`` is the absolute address of the journey's picture, for the share cards;
        ``media_files`` the addresses, relative to the page, of video and sound files copied
        beside it (without, such a file is named by its ``file:`` address)."""
        from storymap.render import PageOptions, earlier_basemap, earlier_picture, render

        url = public_url(self.story, url)

        name = self.story.tiles if tiles is UNSET else tiles
        if name is not None:
            from storymap.tiles import provider

            try:
                provider(name, tiles_key)
            except ValueError as exc:
                where = self.story.path or "<story>"
                raise StoryError.at(where, None, "tiles", str(exc)) from None
        reused = earlier_basemap(earlier) if basemap and earlier is not None else None
        picture = earlier_picture(earlier) if earlier is not None else None
        options = PageOptions(
            tiles=name,
            tiles_key=tiles_key,
            basemap=basemap,
            resources=resources,
            earlier=reused,
            earlier_picture=picture,
            url=url,
            image=image if url else None,
            layout=layout,
            media_files=media_files,
        )
        return render(self.story, self.route, options)

    def save(self, path: str | Path, *, url: str | None = UNSET, **options: Any) -> int:
        """Write the page to ``path`` (atomically); returns its size in bytes.

        The options are those of :meth:`render`. Sets ``page`` and ``size``. With a public
        address (``url``, by default the story's ``url:``), the picture of the journey is
        written beside the page (``<page's stem>.png``, set as ``picture``) and the page's
        share cards name it by its absolute address. Video and sound files too large to embed
        are copied beside the page first, into ``<page's stem>_files/`` (set as ``copied``),
        and the page names them relatively: publish the folder with the page. A ``path``
        that is one of the files the story is read from (the story itself, a route file, an
        image) is refused with :class:`~storymap.files.InputOverwriteError`, an
        ``OutputError``.
        """
        from storymap.media import copies, copy_media, relative_href
        from storymap.render import image_address

        target = Path(path)
        inputs = read_files(self.story)
        refuse_inputs(target, inputs)
        url = public_url(self.story, url)
        image = None
        if url:
            from storymap.image import journey_image

            picture = target.with_name(target.stem + ".png")
            refuse_inputs(picture, inputs)
            image = image_address(url, picture.name)
        planned = copies(large_media(self.story), target)
        for copy in planned.values():
            refuse_inputs(copy, inputs)
        media_files = {source: relative_href(copy, target) for source, copy in planned.items()}
        page = self.render(
            earlier=target, url=url, image=image, media_files=media_files, **options
        ).encode("utf-8")
        for source, copy in planned.items():  # first: the page never names a lack
            copy_media(source, copy)
        self.copied = tuple(planned.values())
        if url:
            write_atomic(picture, journey_image(self))  # first: the page never names a lack
            self.picture = picture
        write_atomic(target, page)
        self.page, self.size = target, len(page)
        return self.size

    def to_geojson(self) -> dict[str, Any]:
        from storymap.export import to_geojson

        return to_geojson(self.story, self.legs)

    def _repr_html_(self) -> str:
        import html

        page = self.render()
        return (
            f'<iframe srcdoc="{html.escape(page)}" title="{html.escape(self.story.title)}" '
            'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox" '
            'style="width:100%;height:560px;border:0"></iframe>'
        )


def public_url(story: Story, url: str | None = UNSET) -> str | None:
    """The page's public address: ``url`` (None for none), else the story's ``url:``."""
    if url is UNSET:
        return story.url
    return None if url is None else check_url(url)


def check_url(url: str) -> str:
    """``url`` when it is an absolute http(s) address; else a ValueError that says so."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"'{url}' is not an absolute http(s) address, such as "
            "https://example.org/maps/story.html"
        )
    return url.strip()


def load(
    story_path: str | Path,
    *,
    online: Callable[..., Any] | None = None,
    allow_outside: bool = False,
) -> Journey:
    """Load, check, locate and route a story: the :class:`Journey` to render or save.

    Raises :class:`StoryError` with every problem found. ``online`` is a geocoder for places
    that have no coordinates and are not known offline (by default none: no request is made).
    """
    return prepare(story_path, online=online, allow_outside=allow_outside)


def build(
    story_path: str | Path = DEFAULT_STORY,
    out: str | Path | None = None,
    *,
    tiles: str | None = UNSET,
    tiles_key: str | None = None,
    basemap: bool = True,
    resources: str = "inline",
    online: Callable[..., Any] | None = None,
    allow_outside: bool = False,
    strict: bool = False,
    url: str | None = UNSET,
    layout: str | None = None,
) -> Journey:
    """Build the page for ``story_path`` and return the :class:`Journey`, with ``page`` (the
    path written: ``out``, or ``<stem>.html`` inside the folder ``out``, by default in
    ``output/``) and ``size`` (in bytes) set.

    ``tiles`` overrides the story's ``tiles:`` (None for no tiles); ``basemap`` embeds the
    offline vector basemap; ``resources="cdn"`` loads Leaflet from a CDN instead of inlining it.
    ``strict`` makes the story's warnings errors: nothing is written. ``url`` is the page's
    public address (by default the story's ``url:``): the page then carries share cards, and
    the picture of the journey is written beside it (``picture``). ``layout`` (``"panel"`` or
    ``"scroll"``) overrides the story's ``layout:``.
    Raises :class:`StoryError` (every problem of the story at once), :class:`GeocodingError`
    (an online geocoder failed) or :class:`OutputError` (the page cannot be written; an
    earlier page at ``out`` is then left as it was).
    """
    if layout is not None and layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    target = output_path(story_path, out)
    refuse_inputs(target, [(story_path, "the story")])
    if url is not UNSET and url is not None:
        url = check_url(url)  # before the story is read
    if basemap and not target.is_file():  # else its offline map may well be reused
        from storymap.basemap import prefetch

        prefetch()  # the offline map's data decodes while the story loads and its legs are routed
    journey = load(story_path, online=online, allow_outside=allow_outside)
    if strict and journey.warnings:
        raise StoryError(journey.warnings)
    journey.save(
        target,
        url=url,
        tiles=tiles,
        tiles_key=tiles_key,
        basemap=basemap,
        resources=resources,
        layout=layout,
    )
    return journey
