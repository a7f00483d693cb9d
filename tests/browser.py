"""Helpers of the browser tests: a watched page, and a local HTTP server.

The launch flags and the offline request rules live in ``scripts/chromium.py`` (conftest
puts ``scripts/`` on ``sys.path``), shared with ``scripts/screenshot.py``.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import chromium

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page


class WatchedPage:
    """A Playwright :class:`Page` in a fresh offline context, and what it did.

    Attribute access falls through to the Playwright page, so ``page.goto(...)`` and
    ``page.locator(...)`` work as usual; the raw page is ``page.page``.

    - ``console_errors``: console messages of type error, as ``"text (url:line)"``
    - ``page_errors``: uncaught exceptions in the page (``pageerror``)
    - ``requests``: every URL the page requested (beyond ``data:`` URLs, which never
      reach the router)
    - ``tile_requests``: map tile URLs, answered with a transparent 1x1 PNG
    - ``blocked``: URLs that were aborted because they would have left the machine

    The ``page`` fixture fails the test if ``errors`` is not empty at its end; a test that
    expects errors asserts on them and then calls :meth:`clear_errors`, or is marked
    ``@pytest.mark.allow_page_errors``.
    """

    def __init__(
        self,
        browser: Browser,
        *,
        tile_png: bytes = chromium.TRANSPARENT_PNG,
        tile_status: int = 200,
        **ctx,
    ):
        self.context: BrowserContext
        self.context, self.network = chromium.new_offline_context(
            browser, tile_png=tile_png, tile_status=tile_status, **ctx
        )
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.page: Page = self.context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_pageerror)

    # What happened ---------------------------------------------------------------------

    @property
    def requests(self) -> list[str]:
        return self.network.requests

    @property
    def tile_requests(self) -> list[str]:
        return self.network.tile_requests

    @property
    def blocked(self) -> list[str]:
        return self.network.blocked

    @property
    def errors(self) -> list[str]:
        """Console errors and page errors together: what fails a test."""
        return [*self.console_errors, *(f"uncaught: {e}" for e in self.page_errors)]

    def clear_errors(self) -> None:
        self.console_errors.clear()
        self.page_errors.clear()

    def _on_console(self, msg: ConsoleMessage) -> None:
        if msg.type == "error":
            loc = msg.location or {}
            where = f" ({loc.get('url')}:{loc.get('lineNumber')})" if loc.get("url") else ""
            self.console_errors.append(f"{msg.text}{where}")

    def _on_pageerror(self, error: Error) -> None:
        self.page_errors.append(str(error))

    # Doing things ----------------------------------------------------------------------

    def open(self, target: str | Path, *, wait_until: str = "load") -> None:
        """Open a local file (a :class:`Path` or path string) or a URL."""
        url = str(target)
        if isinstance(target, Path) or "://" not in url:
            url = Path(target).resolve().as_uri()
        self.page.goto(url, wait_until=wait_until)

    def open_stop(self, n: int) -> None:
        """Open stop ``n``'s popup as a keyboard user would. A stop that is grouped with
        nearby ones ("3–4") is reached through the group's marker, which zooms in until they
        part."""
        marker = self.page.locator(f".leaflet-marker-icon[title^='Stop {n}:']")
        for _ in range(4):
            if marker.is_visible():
                break
            self.page.evaluate("n => storymap.app.groupMarkers[n - 1].getElement().focus()", n)
            self.page.keyboard.press("Enter")
            self.page.wait_for_function(
                "n => !storymap.app.moving && !storymap.app.groupMarkers[n - 1]", arg=n
            )
        marker.focus()
        self.page.keyboard.press("Enter")

    def settle(self) -> None:
        """Let pending events (console messages, page errors) reach the lists."""
        self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")

    def close(self) -> None:
        self.context.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.page, name)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_directory(directory: str | Path) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 at a free port, in a thread.

    Yields the base URL (``http://127.0.0.1:PORT/``); the server stops on exit.
    """
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
