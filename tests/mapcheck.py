"""Measuring a built page's map in Chromium: what is on screen, where, and over what.

Helpers of ``test_offline_map_browser.py``. Everything is read from the page in client
(CSS pixel) coordinates; rectangles are dicts with ``left``, ``top``, ``right`` and ``bottom``.

- :func:`open_story` and :func:`visit` open a page and move it to a chapter, then wait for
  the map to settle.
- :func:`snapshot` reads the map's rectangle, its controls, the stops, mode badges, place
  labels and town labels, and where each chapter's place is on screen.
- :func:`land_sea_mismatch` compares the page's land and sea fills, pixel by pixel, with
  Natural Earth's 1:10m land from :func:`storymap.basemap.basemap`.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from typing import Any

TITLE_CARD = -1

LAND_RGB = (0xF1, 0xEE, 0xE4)
SEA_RGB = (0xD4, 0xE4, 0xEF)
COLOUR_TOLERANCE = 8
"""A pixel is land or sea when no channel differs by more than this from that colour; the
hatch shown where the page has no data (#e6e8eb, #eef0f2) is further than this from both."""

SAMPLE_STEP = 8  # px between sampled pixels
COAST_MARGIN = 3.0  # px: pixels this close to the reference coast are not compared

# Everything but the sea and land fills: the basemap's lakes and rivers (path.sm-bm-water),
# coasts and borders (path.sm-bm-lines), and the labels, markers, routes and controls.
HIDE_ALL_BUT_LAND_AND_SEA = """
path.sm-bm-water, path.sm-bm-lines, .leaflet-sm-labels-pane,
.leaflet-marker-pane, .leaflet-shadow-pane, .leaflet-overlay-pane, .leaflet-tooltip-pane,
.leaflet-popup-pane, .leaflet-control-container { visibility: hidden !important; }
"""


# --- the page ---------------------------------------------------------------------------------


def open_story(page: Any, target: Any) -> None:
    page.open(target)
    page.wait_for_function("() => window.storymap && storymap.app && storymap.app.map")


def visit(page: Any, index: int) -> None:
    """Go to chapter ``index`` (0-based; -1 is the title card) and let the map settle."""
    page.evaluate("i => storymap.app.go(i)", index)
    page.wait_for_function("() => !storymap.app.moving")
    page.evaluate(
        "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())))"
    )
    page.wait_for_timeout(60)  # a label pass or a fade after the move


def chapter_name(data: dict, index: int) -> str:
    if index == TITLE_CARD:
        return "the title card"
    chapter = data["chapters"][index]
    return f"chapter {index + 1} ({chapter['title']!r}, at {chapter['place']['name']!r})"


# One pass over the DOM. An element is "shown" when it is rendered (not display:none) and
# not visibility:hidden; "on map" when its rectangle also meets the map's.
SNAPSHOT_JS = """
() => {
  const app = storymap.app;
  const map = app.map;
  const container = map.getContainer();
  const c = container.getBoundingClientRect();
  const mapRect = {left: c.left, top: c.top, right: c.right, bottom: c.bottom};
  function rect(el) {
    let r = el.getBoundingClientRect();
    let box = {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
    if (r.width > 0 && r.height > 0) return box;
    let found = false;  // a zero-size wrapper: the union of what it holds
    for (const child of el.querySelectorAll('*')) {
      const q = child.getBoundingClientRect();
      if (!(q.width > 0 && q.height > 0)) continue;
      if (!found) box = {left: q.left, top: q.top, right: q.right, bottom: q.bottom};
      else box = {left: Math.min(box.left, q.left), top: Math.min(box.top, q.top),
                  right: Math.max(box.right, q.right), bottom: Math.max(box.bottom, q.bottom)};
      found = true;
    }
    return box;
  }
  function shown(el) {
    if (!el.isConnected || el.getClientRects().length === 0) return false;
    const style = getComputedStyle(el);
    return style.visibility === 'visible' && style.display !== 'none';
  }
  function meets(r) {
    return r.right > mapRect.left && r.left < mapRect.right &&
           r.bottom > mapRect.top && r.top < mapRect.bottom;
  }
  function item(el, extra) {
    const r = rect(el);
    const s = shown(el);
    return Object.assign({text: el.textContent.trim(), rect: r, shown: s,
                          onMap: s && meets(r)}, extra || {});
  }
  const all = sel => [...container.querySelectorAll(sel)];
  const controls = all('.leaflet-control').map(el => item(el, {
    name: (el.className.baseVal !== undefined ? '' : el.className).split(/\\s+/)
      .filter(k => k && k !== 'leaflet-control').join('.') || el.tagName.toLowerCase()
  })).filter(x => x.shown && (x.rect.right - x.rect.left) > 0);
  const stops = all('.sm-stop').map(el => {
    const marker = el.closest('.leaflet-marker-icon') || el;
    return item(el, {
      current: !!(el.closest('.sm-stop-current') || el.classList.contains('sm-stop-current')),
      group: !!(el.closest('.sm-stop-group') || el.classList.contains('sm-stop-group')),
      title: marker.getAttribute('title') || '',
    });
  });
  const badges = all('.sm-badge').filter(el => !el.classList.contains('sm-vehicle'))
    .map(el => item(el));
  const labels = all('.sm-label').filter(el => !el.closest('.sm-town')).map(el => item(el));
  const towns = all('.sm-town').map(el => item(el));
  const places = app.data.chapters.map(ch => {
    const p = map.latLngToContainerPoint([ch.place.lat, ch.place.lon]);
    return {name: ch.place.name, x: p.x + c.left, y: p.y + c.top};
  });
  const bm = app.data.basemap;
  return {
    current: app.current, zoom: map.getZoom(),
    maxZoom: bm && bm.maxZoom !== undefined ? bm.maxZoom : null,
    map: mapRect, controls, stops, badges, labels, towns, places,
  };
}
"""


def snapshot(page: Any) -> dict:
    return page.evaluate(SNAPSHOT_JS)


# --- rectangles -------------------------------------------------------------------------------


def clip(r: dict, box: dict) -> dict:
    return {
        "left": max(r["left"], box["left"]),
        "top": max(r["top"], box["top"]),
        "right": min(r["right"], box["right"]),
        "bottom": min(r["bottom"], box["bottom"]),
    }


def overlap(a: dict, b: dict, tolerance: float = 0.5) -> bool:
    """Whether two rectangles share more than a sub-pixel sliver in both directions."""
    width = min(a["right"], b["right"]) - max(a["left"], b["left"])
    height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return width > tolerance and height > tolerance


def inside(r: dict, box: dict, tolerance: float = 0.5) -> bool:
    return (
        r["left"] >= box["left"] - tolerance
        and r["top"] >= box["top"] - tolerance
        and r["right"] <= box["right"] + tolerance
        and r["bottom"] <= box["bottom"] + tolerance
    )


def distance_to_rect(x: float, y: float, r: dict) -> float:
    dx = max(r["left"] - x, 0.0, x - r["right"])
    dy = max(r["top"] - y, 0.0, y - r["bottom"])
    return math.hypot(dx, dy)


def fmt(r: dict) -> str:
    return (
        f"[{r['left']:.0f},{r['top']:.0f} to {r['right']:.0f},{r['bottom']:.0f}]"
        if r
        else "[no box]"
    )


def stop_numbers(text: str) -> set[int]:
    """The chapter numbers a stop marker shows: "4", or a group such as "3–4" or "3, 5"."""
    numbers: set[int] = set()
    for a, b in re.findall(r"(\d+)\s*[–—-]\s*(\d+)", text):
        numbers.update(range(int(a), int(b) + 1))
    numbers.update(int(n) for n in re.findall(r"\d+", text))
    return numbers


# --- land and sea -----------------------------------------------------------------------------

MAX_LATITUDE = 85.0511287798  # where Leaflet's spherical Mercator ends


def mercator_pixels(lon: Any, lat: Any, zoom: float) -> tuple[Any, Any]:
    """World pixel coordinates of (lon, lat) at ``zoom``, as Leaflet's EPSG:3857 gives them."""
    import numpy as np

    scale = 256.0 * 2.0**zoom
    lat = np.clip(np.asarray(lat, dtype=float), -MAX_LATITUDE, MAX_LATITUDE)
    x = scale * (np.asarray(lon, dtype=float) / 360.0 + 0.5)
    y = scale * (0.5 - np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) / (2 * np.pi))
    return x, y


VIEW_JS = """
() => {
  const map = storymap.app.map;
  const size = map.getSize();
  const origin = map.containerPointToLayerPoint([0, 0]).add(map.getPixelOrigin());
  const b = map.getBounds();
  const probes = [[0, 0], [size.x, size.y], [size.x / 3, size.y / 2]].map(p => {
    const ll = map.containerPointToLatLng(p);
    return {x: p[0], y: p[1], lat: ll.lat, lon: ll.lng};
  });
  return {zoom: map.getZoom(), width: size.x, height: size.y, ox: origin.x, oy: origin.y,
          south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast(),
          probes};
}
"""


@dataclass
class LandSea:
    """How the page's land and sea compare with the reference at one view."""

    sampled: int = 0
    compared: int = 0  # land or sea on the page, and not near a coast
    near_coast: int = 0
    unclassified: int = 0  # neither land nor sea colour, away from coasts (e.g. the hatch)
    mismatched: int = 0
    examples: list[str] = field(default_factory=list)  # a few mismatched points

    @property
    def fraction(self) -> float:
        return self.mismatched / self.compared if self.compared else 1.0

    def summary(self) -> str:
        text = (
            f"{self.mismatched} of {self.compared} compared pixels disagree "
            f"({100 * self.fraction:.2f}%; {self.sampled} sampled, {self.near_coast} near a "
            f"coast, {self.unclassified} neither land nor sea)"
        )
        if self.examples:
            text += "; e.g. " + ", ".join(self.examples)
        return text


class ReferenceFailed(Exception):
    """The reference land could not be made for a view."""


def reference_land(bounds: list[list[float]]) -> Any:
    """Natural Earth 1:10m land, unsimplified, around ``bounds`` (longitudes may pass ±180),
    as a shapely geometry in (lon, lat); empty where there is no land."""
    import shapely
    from shapely.geometry import shape

    from storymap.basemap import basemap

    collection = basemap(bounds, margin=0, tolerance=0, scale="10m")
    lands = [f for f in collection["features"] if f["properties"]["kind"] == "land"]
    if not lands:
        return shapely.Polygon()
    return shape(lands[0]["geometry"])


def land_sea_mismatch(page: Any, step: int = SAMPLE_STEP) -> LandSea:
    """Screenshot the map with only its land and sea fills showing (the caller injects
    :data:`HIDE_ALL_BUT_LAND_AND_SEA`), and compare a grid of its pixels with the reference.

    Each sampled pixel is land or sea by its nearest colour (or neither); its point is
    compared with the reference land projected to the screen by the map's own zoom and pixel
    origin (checked against ``containerPointToLatLng``), and left out within
    :data:`COAST_MARGIN` pixels of the reference's outline.
    """
    import numpy as np
    import shapely
    from PIL import Image

    view = page.evaluate(VIEW_JS)
    zoom, ox, oy = view["zoom"], view["ox"], view["oy"]
    for probe in view["probes"]:  # our projection is the map's
        px, py = mercator_pixels(probe["lon"], probe["lat"], zoom)
        if abs(float(px) - ox - probe["x"]) > 0.5 or abs(float(py) - oy - probe["y"]) > 0.5:
            raise AssertionError(f"the test's Mercator projection is off the map's: {probe}")

    png = page.locator(".leaflet-container").first.screenshot(animations="disabled")
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    height, width = image.shape[:2]
    xs, ys = np.meshgrid(np.arange(step // 2, width, step), np.arange(step // 2, height, step))
    xs, ys = xs.ravel(), ys.ravel()
    pixels = image[ys, xs]
    land_far = np.abs(pixels - np.array(LAND_RGB)).max(axis=1)
    sea_far = np.abs(pixels - np.array(SEA_RGB)).max(axis=1)
    page_land = (land_far <= COLOUR_TOLERANCE) & (land_far <= sea_far)
    page_sea = (sea_far <= COLOUR_TOLERANCE) & (sea_far < land_far)

    bounds = [[view["south"], view["west"]], [view["north"], view["east"]]]
    try:
        land = reference_land(bounds)
    except Exception as exc:  # reported per chapter, so that the other chapters are measured
        raise ReferenceFailed(f"basemap({bounds}, scale='10m') raised {exc!r}") from exc

    def to_screen(coords: Any) -> Any:
        x, y = mercator_pixels(coords[:, 0], coords[:, 1], zoom)
        return np.column_stack([x - ox, y - oy])

    land_px = shapely.transform(land, to_screen)
    shapely.prepare(land_px)
    px = xs + 0.5  # the pixel's centre
    py = ys + 0.5
    ref_land = shapely.contains_xy(land_px, px, py)
    outline = shapely.clip_by_rect(
        shapely.boundary(land_px), -10.0, -10.0, width + 10.0, height + 10.0
    )
    shapely.prepare(outline)
    near = shapely.dwithin(outline, shapely.points(px, py), COAST_MARGIN)

    result = LandSea(sampled=len(xs))
    classified = page_land | page_sea
    result.near_coast = int(near.sum())
    result.unclassified = int((~classified & ~near).sum())
    compare = classified & ~near
    result.compared = int(compare.sum())
    wrong = compare & (page_land != ref_land)
    result.mismatched = int(wrong.sum())
    for k in np.flatnonzero(wrong)[:4]:
        lat, lon = _latlon(float(px[k]) + ox, float(py[k]) + oy, zoom)
        what = "land" if page_land[k] else "sea"
        result.examples.append(
            f"({xs[k]}, {ys[k]}) px = {lat:.3f}, {lon:.3f}: page {what}, Natural Earth "
            f"{'land' if ref_land[k] else 'sea'}"
        )
    return result


def _latlon(x: float, y: float, zoom: float) -> tuple[float, float]:
    scale = 256.0 * 2.0**zoom
    lon = (x / scale - 0.5) * 360.0
    lat = math.degrees(2 * math.atan(math.exp((0.5 - y / scale) * 2 * math.pi)) - math.pi / 2)
    return lat, lon


PANES_JS = """
() => {
  const container = storymap.app.map.getContainer();
  const panes = [...container.querySelectorAll('.leaflet-pane')]
    .filter(p => !p.classList.contains('leaflet-map-pane'))
    .map(p => [...p.classList].filter(k => k !== 'leaflet-pane').join(' '));
  const stroked = {};
  for (const path of container.querySelectorAll('path')) {
    const s = getComputedStyle(path);
    if (s.visibility !== 'visible' || path.getClientRects().length === 0) continue;
    if (s.stroke === 'none' || !(parseFloat(s.strokeWidth) > 0)) continue;
    if (!(parseFloat(s.strokeOpacity) > 0) || !(parseFloat(s.opacity) > 0)) continue;
    const key = path.getAttribute('class') || '?';
    stroked[key] = (stroked[key] || 0) + 1;
  }
  return {panes, stroked};
}
"""


def panes(page: Any) -> dict:
    """The map's panes (their classes but ``leaflet-pane``), and how many stroked paths
    still show, by their class: after :data:`HIDE_ALL_BUT_LAND_AND_SEA`, there should be none."""
    return page.evaluate(PANES_JS)


# --- water at a point -------------------------------------------------------------------------

WATER_NEAR_JS = """
([lat, lon]) => {
  const map = storymap.app.map;
  const c = map.getContainer().getBoundingClientRect();
  const p = map.latLngToContainerPoint([lat, lon]);
  const x = p.x + c.left, y = p.y + c.top;
  const paths = [...document.querySelectorAll('path.sm-bm-water')];
  let best = Infinity, stroke = null, count = 0;
  for (const path of paths) {
    const length = path.getTotalLength ? path.getTotalLength() : 0;
    const m = path.getScreenCTM();
    if (!length || !m) continue;
    count++;
    const svg = path.ownerSVGElement;
    const steps = Math.min(20000, Math.ceil(length / 2));
    for (let k = 0; k <= steps; k++) {
      const q = path.getPointAtLength((length * k) / steps);
      const pt = svg.createSVGPoint();
      pt.x = q.x; pt.y = q.y;
      const s = pt.matrixTransform(m);
      const d = Math.hypot(s.x - x, s.y - y);
      if (d < best) { best = d; stroke = getComputedStyle(path).stroke; }
    }
  }
  return {paths: paths.length, drawn: count, distance: best === Infinity ? null : best, stroke};
}
"""


def water_near(page: Any, lat: float, lon: float) -> dict:
    """The basemap's water paths, and the least screen distance from their lines to a point."""
    return page.evaluate(WATER_NEAR_JS, [lat, lon])
