"""Headless Chromium for screenshots and browser tests: one launch, one set of offline rules.

Both ``scripts/screenshot.py`` and the browser tests (``tests/browser.py``) import this
module, so the Chromium flags and the request-blocking rules exist in one place.

The browser is Debian's ``/usr/bin/chromium`` (``apt-get install chromium``), driven by
Playwright's sync API; Playwright's own browser downloads are never used. Set
``STORYMAP_CHROMIUM`` to use another Chromium binary.

Offline rules (:func:`go_offline`): a page may load ``file:``, ``data:``, ``blob:`` and
``about:`` URLs and anything served on the loopback interface; a map tile request (see
:data:`TILE_PATH`) is answered from memory with a PNG; every other request is aborted and
recorded, so nothing ever reaches the internet.
"""

from __future__ import annotations

import os
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:  # playwright is imported only where a browser is launched
    from playwright.sync_api import Browser, BrowserContext, Playwright, Request, Route

DEFAULT_CHROMIUM = "/usr/bin/chromium"

CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
)

# URL schemes a page may load without any network.
LOCAL_SCHEMES = frozenset({"file", "data", "blob", "about"})
# Hosts of the loopback interface: local test servers (e.g. a page embedded in an iframe).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# The path of a map tile: .../{z}/{x}/{y}.png (also @2x, jpg, jpeg, webp), or an ArcGIS
# style .../tile/{z}/{y}/{x} without an extension.
TILE_PATH = re.compile(
    r"/\d+/\d+/\d+(?:@[23]x)?\.(?:png|jpe?g|webp)$|/tile/\d+/\d+/\d+$", re.IGNORECASE
)


def chromium_path() -> Path:
    """The Chromium binary to launch: ``$STORYMAP_CHROMIUM`` or ``/usr/bin/chromium``."""
    return Path(os.environ.get("STORYMAP_CHROMIUM") or DEFAULT_CHROMIUM)


def chromium_available() -> bool:
    path = chromium_path()
    return path.is_file() and os.access(path, os.X_OK)


def launch(playwright: Playwright, **kwargs: Any) -> Browser:
    """Launch headless Chromium with :data:`CHROMIUM_ARGS` (extra ``args`` are appended)."""
    args = [*CHROMIUM_ARGS, *kwargs.pop("args", ())]
    return playwright.chromium.launch(
        executable_path=str(chromium_path()), headless=True, args=args, **kwargs
    )


# --- PNG without Pillow -------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def encode_png(width: int, height: int, rows: list[bytes]) -> bytes:
    """An RGBA PNG from ``height`` rows of ``width * 4`` bytes each."""
    if len(rows) != height or any(len(r) != width * 4 for r in rows):
        raise ValueError("rows do not match width x height RGBA")
    raw = b"".join(b"\x00" + r for r in rows)  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def solid_png(width: int, height: int, rgba: tuple[int, int, int, int]) -> bytes:
    row = bytes(rgba) * width
    return encode_png(width, height, [row] * height)


def grid_tile_png(
    size: int = 256,
    fill: tuple[int, int, int, int] = (0xEC, 0xEC, 0xEC, 0xFF),
    edge: tuple[int, int, int, int] = (0xDA, 0xDA, 0xDA, 0xFF),
) -> bytes:
    """A neutral light-grey tile with a faint line on its top and left edges, so that a
    screenshot shows where the tiles are without showing any real map."""
    body = bytes(edge) + bytes(fill) * (size - 1)
    return encode_png(size, size, [bytes(edge) * size] + [body] * (size - 1))


TRANSPARENT_PNG = solid_png(1, 1, (0, 0, 0, 0))
GREY_TILE_PNG = grid_tile_png()


# --- offline request routing --------------------------------------------------------------


def is_tile_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(TILE_PATH.search(parts.path))


def is_local_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOOPBACK_HOSTS


@dataclass
class NetworkLog:
    """What a browser context asked for. Lists of URLs, in the order of the requests."""

    requests: list[str] = field(default_factory=list)  # every request the router saw
    tile_requests: list[str] = field(default_factory=list)  # answered with the fake tile
    blocked: list[str] = field(default_factory=list)  # aborted: would have left the machine


def go_offline(
    context: BrowserContext,
    *,
    tile_png: bytes = TRANSPARENT_PNG,
    tile_status: int = 200,
    log: NetworkLog | None = None,
) -> NetworkLog:
    """Route every request of ``context`` by the offline rules and return the log of them.

    Local URLs go through, tile URLs are answered with ``tile_png``, everything else is
    aborted as blocked by the client (Chromium then logs a "Failed to load resource:
    net::ERR_BLOCKED_BY_CLIENT" console error, which browser tests treat as a failure).
    """
    log = log if log is not None else NetworkLog()

    def handle(route: Route, request: Request) -> None:
        url = request.url
        log.requests.append(url)
        if is_local_url(url):
            route.continue_()
        elif is_tile_url(url):
            log.tile_requests.append(url)
            route.fulfill(
                status=tile_status,  # e.g. 403, as a tile server that refuses the page
                body=tile_png if tile_status == 200 else b"refused",
                headers={
                    "Content-Type": "image/png",
                    "Access-Control-Allow-Origin": "*",
                    "Cache-Control": "no-store",
                },
            )
        else:
            log.blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", handle)
    # WebSockets bypass context.route: close any that are not local.
    context.route_web_socket(
        re.compile(r".*"),
        lambda ws: ws.connect_to_server() if is_local_url(ws.url) else _block_ws(ws, log),
    )
    return log


def _block_ws(ws: Any, log: NetworkLog) -> None:
    log.requests.append(ws.url)
    log.blocked.append(ws.url)
    ws.close(code=1008, reason="blocked: offline")


def new_offline_context(
    browser: Browser, *, tile_png: bytes = TRANSPARENT_PNG, tile_status: int = 200, **kwargs: Any
) -> tuple[BrowserContext, NetworkLog]:
    """A fresh context with service workers blocked and the offline rules installed."""
    kwargs.setdefault("service_workers", "block")
    context = browser.new_context(**kwargs)
    return context, go_offline(context, tile_png=tile_png, tile_status=tile_status)
