"""The browser fixtures themselves, on tiny local pages (no storymap output involved)."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import urllib.request
import zlib
from pathlib import Path

import chromium
import pytest

HERE = Path(__file__).resolve().parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def write_page(directory: Path, body: str, name: str = "index.html") -> Path:
    path = directory / name
    path.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>t</title></head>"
        f"<body>{body}</body></html>",
        encoding="utf-8",
    )
    return path


def test_browser_launches(page, tmp_path):
    page.open(write_page(tmp_path, "<h1>Hello</h1><script>document.title = 'ok'</script>"))
    assert page.locator("h1").inner_text() == "Hello"
    assert page.title() == "ok"
    assert page.errors == []
    assert page.blocked == []


def test_console_error_and_uncaught_exception_are_recorded(page, tmp_path):
    page.open(
        write_page(
            tmp_path,
            "<script>console.error('boom', 42); console.warn('only a warning');"
            "setTimeout(() => { throw new Error('kaput'); }, 0);</script>",
        )
    )
    page.wait_for_timeout(50)
    page.settle()
    assert len(page.console_errors) == 1
    assert page.console_errors[0].startswith("boom 42")
    assert len(page.page_errors) == 1 and "kaput" in page.page_errors[0]
    assert len(page.errors) == 2
    page.clear_errors()  # expected: without this the fixture would fail the test
    assert page.errors == []


@pytest.mark.allow_page_errors
def test_marker_lets_a_test_keep_its_errors(page, tmp_path):
    page.open(write_page(tmp_path, "<script>console.error('tolerated')</script>"))
    page.settle()
    assert page.console_errors and "tolerated" in page.console_errors[0]


def test_remote_requests_are_blocked(page, tmp_path):
    failed: dict[str, str | None] = {}
    responses: list[str] = []
    page.on("requestfailed", lambda r: failed.__setitem__(r.url, r.failure))
    page.on("response", lambda r: responses.append(r.url))
    page.open(
        write_page(
            tmp_path,
            "<script>window.loaded = false</script>"
            "<script src='https://example.com/x.js' onload='window.loaded = true'></script>"
            "<script>fetch('http://example.org/data.json').then("
            "  () => { window.fetched = 'yes' }, () => { window.fetched = 'no' })</script>",
        )
    )
    page.wait_for_function("window.fetched !== undefined")
    assert page.blocked == ["https://example.com/x.js", "http://example.org/data.json"]
    assert page.evaluate("[window.loaded, window.fetched]") == [False, "no"]
    assert failed["https://example.com/x.js"].startswith("net::ERR_BLOCKED_BY_CLIENT")
    assert all(url.startswith("file://") for url in responses), responses
    assert page.tile_requests == []
    # Chromium reports a blocked subresource as a console error, so it fails a test unless
    # expected.
    page.settle()
    assert any("ERR_BLOCKED_BY_CLIENT" in e for e in page.console_errors)
    page.clear_errors()


def test_websockets_are_blocked(page, tmp_path):
    page.open(
        write_page(
            tmp_path,
            "<script>const ws = new WebSocket('wss://example.com/socket');"
            "ws.onclose = (e) => { window.closed = e.code };"
            "ws.onerror = () => { window.failed = true };</script>",
        )
    )
    page.wait_for_function("window.closed !== undefined || window.failed")
    assert page.blocked == ["wss://example.com/socket"]
    page.clear_errors()  # a refused WebSocket may log a console error


def test_tile_requests_get_a_transparent_png(page, tmp_path):
    tile = "https://tile.openstreetmap.org/3/6/2.png"
    retina = "https://a.basemaps.cartocdn.com/light_all/5/17/10@2x.png"
    page.open(
        write_page(
            tmp_path,
            f"<img id='a' src='{tile}'><img id='b' src='{retina}?key=1'>",
        )
    )
    size = page.evaluate(
        "[...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight])"
    )
    assert size == [[True, 1, 1], [True, 1, 1]]
    assert page.tile_requests == [tile, retina + "?key=1"]
    assert page.blocked == []
    body = page.evaluate(
        f"fetch('{tile}').then(r => r.arrayBuffer()).then(b => [...new Uint8Array(b)])"
    )
    assert bytes(body) == chromium.TRANSPARENT_PNG
    assert bytes(body).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    ("url", "tile"),
    [
        ("https://tile.openstreetmap.org/12/3551/1602.png", True),
        ("https://a.tile.opentopomap.org/7/110/50.png", True),
        ("https://tiles.stadiamaps.com/tiles/stamen_toner/4/13/6@2x.jpg", True),
        ("https://x.example/wmts/5/1/2.webp?token=abc", True),
        ("https://server.arcgisonline.com/ArcGIS/rest/services/X/MapServer/tile/3/2/6", True),
        ("https://example.com/3/2/1.js", False),
        ("https://example.com/x.png", False),
        ("https://unpkg.com/leaflet@1.9.3/dist/images/marker-icon.png", False),
        ("file:///tmp/1/2/3.png", False),
    ],
)
def test_tile_url_rule(url, tile):
    assert chromium.is_tile_url(url) is tile


def test_local_url_rule():
    for url in ("file:///tmp/a.html", "data:text/plain,x", "blob:null/1", "about:blank"):
        assert chromium.is_local_url(url), url
    for url in ("http://127.0.0.1:8000/", "http://localhost/x", "http://[::1]:9/"):
        assert chromium.is_local_url(url), url
    for url in ("https://example.com/", "http://10.0.0.1/", "http://127.0.0.1.nip.io/"):
        assert not chromium.is_local_url(url), url


def _decode_png(data: bytes) -> tuple[int, int, bytes]:
    assert data.startswith(PNG_SIGNATURE)
    pos, idat, size = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, chunk = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + chunk) == crc
        if kind == b"IHDR":
            size = struct.unpack(">II", chunk[:8])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    assert size is not None
    return size[0], size[1], zlib.decompress(idat)


def test_png_encoder():
    width, height, raw = _decode_png(chromium.GREY_TILE_PNG)
    assert (width, height) == (256, 256)
    assert len(raw) == 256 * (1 + 256 * 4)
    row = 1 + 256 * 4  # a filter byte, then RGBA pixels
    assert raw[1 : 1 + 4] == bytes([0xDA, 0xDA, 0xDA, 0xFF])  # the top edge
    assert raw[row + 1 : row + 1 + 4] == bytes([0xDA, 0xDA, 0xDA, 0xFF])  # the left edge
    assert raw[5 * row + 1 + 40 : 5 * row + 1 + 44] == bytes([0xEC, 0xEC, 0xEC, 0xFF])
    assert _decode_png(chromium.TRANSPARENT_PNG) == (1, 1, b"\x00\x00\x00\x00\x00")
    with pytest.raises(ValueError):
        chromium.encode_png(2, 1, [b"\x00" * 4])


def test_grey_tile_decodes_in_the_browser(page, tmp_path):
    import base64

    src = "data:image/png;base64," + base64.b64encode(chromium.GREY_TILE_PNG).decode()
    page.open(write_page(tmp_path, f"<img src='{src}'>"))
    pixel = page.evaluate(
        """() => { const img = document.images[0], c = document.createElement('canvas');
        c.width = c.height = 256; const g = c.getContext('2d'); g.drawImage(img, 0, 0);
        return [img.naturalWidth, [...g.getImageData(100, 100, 1, 1).data]]; }"""
    )
    assert pixel == [256, [0xEC, 0xEC, 0xEC, 0xFF]]


def test_http_server_serves_a_directory(http_server, tmp_path):
    write_page(tmp_path, "<p>served</p>", "inner.html")
    base = http_server(tmp_path)
    assert base.startswith("http://127.0.0.1:") and base.endswith("/")
    with urllib.request.urlopen(base + "inner.html", timeout=5) as response:
        assert response.status == 200
        assert b"<p>served</p>" in response.read()
    other = http_server(tmp_path)
    assert other != base  # each call: its own server on its own free port


def test_page_embedded_in_an_iframe_from_the_http_server(page, http_server, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    write_page(site, "<p id='x'>inside</p>", "embedded.html")
    base = http_server(site)
    page.open(write_page(tmp_path, f"<iframe src='{base}embedded.html'></iframe>"))
    frame = page.frame_locator("iframe")
    assert frame.locator("#x").inner_text() == "inside"
    assert base + "embedded.html" in page.requests
    assert page.blocked == []


def _run_without_chromium(ci: str | None) -> subprocess.CompletedProcess[str]:
    test = "test_browser_launches"
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["STORYMAP_CHROMIUM"] = "/nonexistent/chromium"
    if ci is not None:
        env["CI"] = ci
    args = ["-q", "-p", "no:cacheprovider", "-rs", f"{__file__}::{test}"]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=HERE.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(
    os.environ.get("STORYMAP_CHROMIUM") == "/nonexistent/chromium", reason="nested run"
)
def test_missing_chromium_skips_locally_and_fails_in_ci():
    local = _run_without_chromium(None)
    assert local.returncode == 0, local.stdout + local.stderr
    assert "1 skipped" in local.stdout and "Chromium not found" in local.stdout
    ci = _run_without_chromium("true")
    assert ci.returncode == 1, ci.stdout + ci.stderr
    assert "1 error" in ci.stdout and "CI=true" in ci.stdout
