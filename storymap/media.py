"""Video and sound in chapters: what kind a media item is, and where its player lives.

A media item's ``src`` is a local file or an http(s) link. Local pictures are embedded (see
:func:`storymap.story.embedded`); local video and sound files are embedded as data URIs up
to :data:`MAX_EMBEDDED_BYTES`, and larger ones are copied beside the page
(:func:`copies`). A YouTube or Vimeo link becomes a click-to-load player on the site's
privacy-enhanced host (:class:`VideoLink`); other links to video or sound files play in the
page's own ``<video>``/``<audio>`` elements, loaded only when the reader presses play.

Nothing here reads the network. The functions are pure, but for :func:`copy_media`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, quote, urlsplit

# The local files a chapter plays, by suffix: each one's kind and MIME type.
PLAYED: dict[str, tuple[str, str]] = {
    ".mp4": ("video", "video/mp4"),
    ".m4v": ("video", "video/mp4"),
    ".webm": ("video", "video/webm"),
    ".ogv": ("video", "video/ogg"),
    ".mp3": ("audio", "audio/mpeg"),
    ".m4a": ("audio", "audio/mp4"),
    ".ogg": ("audio", "audio/ogg"),
    ".oga": ("audio", "audio/ogg"),
    ".opus": ("audio", "audio/ogg"),
    ".wav": ("audio", "audio/wav"),
}
MAX_EMBEDDED_BYTES = 1_000_000  # a video or sound file up to this is inside the page
MAX_PLAYED_BYTES = 500_000_000  # a local video or sound file larger than this is refused

YOUTUBE_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "music.youtube.com",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
    }
)
YOUTU_BE = frozenset({"youtu.be", "www.youtu.be"})
VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_VIMEO_ID = re.compile(r"[0-9]{1,12}")
_VIMEO_HASH = re.compile(r"[0-9a-f]{6,20}")
_TIME = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", re.IGNORECASE)
YOUTUBE_FORMS = "youtube.com/watch?v=ID, youtu.be/ID, youtube.com/shorts/ID or /embed/ID"
VIMEO_FORMS = "vimeo.com/ID or player.vimeo.com/video/ID"


@dataclass(frozen=True)
class VideoLink:
    """A video on YouTube or Vimeo: its site, its id, and where to start (in seconds)."""

    site: str  # "youtube" or "vimeo"
    id: str
    start: int | None = None
    hash: str | None = None  # an unlisted Vimeo video's key

    @property
    def label(self) -> str:
        return "YouTube" if self.site == "youtube" else "Vimeo"

    @property
    def player(self) -> str:
        """The player's address on the site's privacy-enhanced host, playing at once."""
        if self.site == "youtube":
            start = f"&start={self.start}" if self.start else ""
            return f"https://www.youtube-nocookie.com/embed/{self.id}?autoplay=1{start}"
        key = f"&h={self.hash}" if self.hash else ""
        start = f"#t={self.start}s" if self.start else ""
        return f"https://player.vimeo.com/video/{self.id}?dnt=1&autoplay=1{key}{start}"

    @property
    def page(self) -> str:
        """The video's own page on its site: the link shown without JavaScript."""
        if self.site == "youtube":
            start = f"&t={self.start}s" if self.start else ""
            return f"https://www.youtube.com/watch?v={self.id}{start}"
        key = f"/{self.hash}" if self.hash else ""
        start = f"#t={self.start}s" if self.start else ""
        return f"https://vimeo.com/{self.id}{key}{start}"


def _seconds(value: str, url: str) -> int:
    """``90``, ``90s``, ``1m30s`` or ``1h2m3s`` as seconds; a ValueError otherwise."""
    match = _TIME.fullmatch(value.strip())
    if not value.strip() or not match or not any(match.groups()):
        raise ValueError(
            f"'{url[:100]}' starts at '{value[:20]}', which is not a time; "
            "write t=90, t=90s or t=1m30s"
        )
    h, m, s = (int(g or 0) for g in match.groups())
    return h * 3600 + m * 60 + s


def _start(query: dict[str, list[str]], fragment: str, url: str) -> int | None:
    for key in ("t", "start"):
        if key in query:
            return _seconds(query[key][0], url) or None
    if fragment.startswith("t="):
        return _seconds(fragment[2:], url) or None
    return None


def video_link(url: str) -> VideoLink | None:
    """The YouTube or Vimeo video that ``url`` names; None when ``url`` is on neither site.

    An address on one of them that names no single video, or a malformed id (a YouTube id is
    11 letters, digits, ``-`` or ``_``; a Vimeo id is digits), raises ValueError saying how
    to write it."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)
    if host in YOUTUBE_HOSTS or host in YOUTU_BE:
        found: str | None = None
        if host in YOUTU_BE:
            found = segments[0] if len(segments) == 1 else None
        elif segments == ["watch"]:
            found = query.get("v", [None])[0]
        elif len(segments) == 2 and segments[0] in ("shorts", "embed", "live", "v"):
            found = segments[1]
        if found is None:
            raise ValueError(
                f"'{url[:100]}' is a YouTube address but names no video; use {YOUTUBE_FORMS}"
            )
        if not _YOUTUBE_ID.fullmatch(found):
            raise ValueError(
                f"'{url[:100]}' names the YouTube video '{found[:40]}', which is not a video id "
                "(11 letters, digits, - or _); copy the address again from the video's page"
            )
        return VideoLink("youtube", found, _start(query, parts.fragment, url))
    if host in VIMEO_HOSTS:
        key = None
        if host == "player.vimeo.com":
            found = segments[1] if len(segments) == 2 and segments[0] == "video" else None
            key = query.get("h", [None])[0]
        else:
            found = segments[0] if 1 <= len(segments) <= 2 else None
            key = segments[1] if len(segments) == 2 else None
        if found is None:
            raise ValueError(
                f"'{url[:100]}' is a Vimeo address but names no video; use {VIMEO_FORMS}"
            )
        if not _VIMEO_ID.fullmatch(found):
            raise ValueError(
                f"'{url[:100]}' names the Vimeo video '{found[:40]}', which is not a video id "
                "(digits); copy the address again from the video's page"
            )
        if key is not None and not _VIMEO_HASH.fullmatch(key):
            raise ValueError(
                f"'{url[:100]}' has '{key[:40]}' where Vimeo's key of an unlisted video goes; "
                f"use {VIMEO_FORMS}"
            )
        return VideoLink("vimeo", found, _start(query, parts.fragment, url), key)
    return None


def played_kind(name: str) -> tuple[str, str] | None:
    """``("video" | "audio", MIME type)`` for a file or URL path that a chapter plays."""
    return PLAYED.get(PurePosixPath(name).suffix.lower())


def remote_kind(url: str) -> tuple[str, str] | None:
    """As :func:`played_kind`, for an http(s) link to a video or sound file."""
    return played_kind(urlsplit(url.strip()).path)


# The first bytes of each format, as its files begin.
def looks_like(suffix: str, head: bytes) -> bool:
    """Whether ``head`` (a file's first 12 bytes) begins a file of the format ``suffix`` says."""
    suffix = suffix.lower()
    if suffix in (".mp4", ".m4v", ".m4a"):
        return head[4:8] == b"ftyp"
    if suffix == ".webm":
        return head[:4] == b"\x1a\x45\xdf\xa3"
    if suffix in (".ogv", ".ogg", ".oga", ".opus"):
        return head[:4] == b"OggS"
    if suffix == ".wav":
        return head[:4] == b"RIFF" and head[8:12] == b"WAVE"
    if suffix == ".mp3":
        return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    return False


FORMAT_NAMES = {
    ".mp4": "an MP4",
    ".m4v": "an MP4",
    ".m4a": "an MP4 (M4A)",
    ".webm": "a WebM",
    ".ogv": "an Ogg",
    ".ogg": "an Ogg",
    ".oga": "an Ogg",
    ".opus": "an Ogg",
    ".wav": "a WAV",
    ".mp3": "an MP3",
}


def folder_name(page: Path) -> str:
    """The folder beside ``page`` that holds its larger video and sound files."""
    return f"{page.stem}_files"


def copies(sources: list[Path], page: Path) -> dict[Path, Path]:
    """Where each source file goes beside ``page``: ``<stem>_files/<its name>``, a name that
    two sources share numbered in the order given (``clip-2.mp4``). Deterministic."""
    folder = page.parent / folder_name(page)
    taken: set[str] = set()
    planned: dict[Path, Path] = {}
    for source in sources:
        if source in planned:
            continue
        name, n = source.name, 1
        while name.lower() in taken:
            n += 1
            name = f"{source.stem}-{n}{source.suffix}"
        taken.add(name.lower())
        planned[source] = folder / name
    return planned


def relative_href(target: Path, page: Path) -> str:
    """The address of ``target`` relative to ``page``, percent-encoded."""
    return quote(target.relative_to(page.parent).as_posix())


def copy_media(source: Path, target: Path) -> bool:
    """Copy ``source`` to ``target`` atomically, unless ``target`` is already that copy (the
    same size and modification time); returns whether it copied."""
    from storymap.files import copy_atomic

    try:
        have, want = target.stat(), source.stat()
        if have.st_size == want.st_size and have.st_mtime_ns == want.st_mtime_ns:
            return False
    except OSError:
        pass
    copy_atomic(source, target)
    return True
