"""Shared fixtures. Browser fixtures drive Debian's /usr/bin/chromium through Playwright.

- ``browser`` (session): a headless Chromium. Without Chromium or Playwright the test is
  skipped, or fails when ``CI=true``.
- ``page``: a :class:`browser.WatchedPage` in a fresh offline context; the test fails if
  the page logged a console error or threw an uncaught exception.
- ``page_factory``: ``page_factory(**context_options)`` makes more such pages (e.g. with
  another ``viewport``), each checked in the same way.
- ``http_server``: ``http_server(directory)`` serves a directory on 127.0.0.1 and returns
  the base URL ``http://127.0.0.1:PORT/``.

Stories, made once per session and shared (treat them as read-only):

- ``mini_journey``: ``tests/fixtures/mini/story.yaml`` loaded, located and routed
  (a :class:`storymap.Journey`, not saved).
- ``flagship_journey``: ``data/story.yaml`` the same way.
- ``flagship_built``: the flagship built with its own tiles into ``story.html`` in a folder
  of its own (the Journey, with ``page`` and ``size``). Tests may add files beside it.

Tests that use ``browser``, ``page`` or ``page_factory`` get the ``browser`` marker, so
``pytest -m "not browser"`` runs the rest.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

import storymap

TESTS = Path(__file__).resolve().parent
MINI_STORY = TESTS / "fixtures" / "mini" / "story.yaml"
FLAGSHIP_STORY = TESTS.parent / "data" / "story.yaml"
for _path in (str(TESTS.parent / "scripts"), str(TESTS)):  # chromium.py, browser.py
    if _path not in sys.path:
        sys.path.insert(0, _path)

import chromium  # noqa: E402
from browser import WatchedPage, serve_directory  # noqa: E402

IN_CI = os.environ.get("CI") == "true"
BROWSER_FIXTURES = {"browser", "page", "page_factory"}
PAGE_TIMEOUT_MS = 15_000


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real headless Chromium")
    config.addinivalue_line(
        "markers",
        "allow_page_errors: console errors and uncaught exceptions do not fail the test",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"rep_{report.when}", report)  # lets fixtures see whether the test failed
    return report


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not chromium.chromium_available():
        _unavailable(f"Chromium not found at {chromium.chromium_path()} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (python3 -m pip install -e '.[test]')")
    playwright = sync_playwright().start()
    try:
        chrome = chromium.launch(playwright)
    except Exception:
        playwright.stop()
        raise
    yield chrome
    chrome.close()
    playwright.stop()


@pytest.fixture
def page_factory(browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., WatchedPage]]:
    pages: list[WatchedPage] = []

    scripted: dict[int, bool] = {}

    def make(**context_options) -> WatchedPage:
        watched = WatchedPage(browser, **context_options)
        watched.page.set_default_timeout(PAGE_TIMEOUT_MS)
        pages.append(watched)
        scripted[id(watched)] = context_options.get("java_script_enabled", True)
        return watched

    yield make

    errors: list[str] = []
    for watched in pages:
        try:
            # The last look waits for a frame's callback, which a page without script never runs.
            if not watched.page.is_closed() and scripted[id(watched)]:
                watched.settle()
        except Exception:  # a crashed or closed page has nothing more to say
            pass
        errors += watched.errors
        watched.close()
    if not errors or request.node.get_closest_marker("allow_page_errors"):
        return
    message = "the page logged errors:\n  " + "\n  ".join(errors)
    call = getattr(request.node, "rep_call", None)
    if call is not None and call.failed:
        print(message, file=sys.stderr)  # shown with the failure, not as a second one
    else:
        pytest.fail(message, pytrace=False)


@pytest.fixture
def page(page_factory) -> WatchedPage:
    return page_factory()


@pytest.fixture
def http_server() -> Iterator[Callable[[str | Path], str]]:
    with ExitStack() as servers:
        yield lambda directory: servers.enter_context(serve_directory(directory))


@pytest.fixture(scope="session")
def mini_journey() -> storymap.Journey:
    return storymap.load(MINI_STORY)


@pytest.fixture(scope="session")
def flagship_journey() -> storymap.Journey:
    return storymap.load(FLAGSHIP_STORY)


@pytest.fixture(scope="session")
def flagship_built(tmp_path_factory: pytest.TempPathFactory) -> storymap.Journey:
    return storymap.build(FLAGSHIP_STORY, tmp_path_factory.mktemp("flagship") / "story.html")
