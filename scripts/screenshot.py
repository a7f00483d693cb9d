"""Take a PNG screenshot of a local HTML page in headless Chromium, offline.

    python scripts/screenshot.py PAGE.html OUT.png [--width 1280] [--height 800]
                                 [--wait-for CSS_SELECTOR] [--full-page] [--fragment ID]

Map tiles are answered with a neutral light-grey tile and every other remote request is
blocked (see scripts/chromium.py), so the picture shows the page itself, never the
internet. Console errors, uncaught exceptions and blocked requests are reported on
standard error. Exit status: 0 on success, 1 when the page could not be captured, 2 for
bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import chromium


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Screenshot a local HTML page in headless Chromium, offline."
    )
    parser.add_argument("page", type=Path, help="the HTML file to open")
    parser.add_argument("out", type=Path, help="the PNG file to write")
    parser.add_argument("--width", type=int, default=1280, help="viewport width (1280)")
    parser.add_argument("--height", type=int, default=800, help="viewport height (800)")
    parser.add_argument(
        "--wait-for",
        default=".leaflet-container",
        metavar="CSS_SELECTOR",
        help="wait until this element is visible (default: .leaflet-container)",
    )
    parser.add_argument("--full-page", action="store_true", help="capture the whole page")
    parser.add_argument(
        "--fragment", default="", metavar="ID", help="open PAGE#ID, e.g. a chapter of a story"
    )
    parser.add_argument(
        "--color-scheme",
        choices=("light", "dark"),
        default="light",
        help="the reader's setting the page sees, for a story whose theme is auto (light)",
    )
    parser.add_argument(
        "--timeout", type=float, default=30, help="seconds to wait for the page (30)"
    )
    args = parser.parse_args(argv)
    if not args.page.is_file():
        parser.error(f"no such file: {args.page}")
    if args.width <= 0 or args.height <= 0:
        parser.error("--width and --height must be positive")
    return args


def screenshot(args: argparse.Namespace) -> list[str]:
    """Write the screenshot; return what went wrong in the page (errors, blocked URLs)."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    timeout_ms = args.timeout * 1000
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        try:
            context, network = chromium.new_offline_context(
                browser,
                tile_png=chromium.GREY_TILE_PNG,
                viewport={"width": args.width, "height": args.height},
                color_scheme=args.color_scheme,
            )
            page = context.new_page()
            page.set_default_timeout(timeout_ms)
            page.on(
                "console",
                lambda m: (
                    problems.append(f"console error: {m.text}") if m.type == "error" else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
            fragment = f"#{args.fragment}" if args.fragment else ""
            page.goto(args.page.resolve().as_uri() + fragment, wait_until="load")
            if args.wait_for:
                page.wait_for_selector(args.wait_for, state="visible")
            page.wait_for_load_state("networkidle")
            page.evaluate("document.fonts.ready.then(() => true)")
            page.wait_for_timeout(600)  # let Leaflet's tile fade-in and transitions finish
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out), full_page=args.full_page)
            problems += [f"blocked: {url}" for url in network.blocked]
            context.close()
        finally:
            browser.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not chromium.chromium_available():
        print(
            f"screenshot: Chromium not found at {chromium.chromium_path()}; "
            "install it with: apt-get install chromium",
            file=sys.stderr,
        )
        return 1
    try:
        problems = screenshot(args)
    except ImportError:
        print("screenshot: Playwright is missing: pip install playwright", file=sys.stderr)
        return 1
    except Exception as exc:  # a timeout, a crash: say which, without a traceback
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"screenshot: {args.page}: {first}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"screenshot: {args.page}: {problem}", file=sys.stderr)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
