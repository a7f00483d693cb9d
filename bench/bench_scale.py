"""Scale: stories of 10, 100 and 1,000 chapters and a 500,000-point GPS track, built and opened.

Usage: python bench/bench_scale.py [--runs 3] [--page-runs 5] [--no-browser]
                                   [--keep DIR] [--write docs/benchmarks.md]

The stories are made by ``bench/make_stories.py`` in a temporary folder (or in ``--keep DIR``,
which is kept). Then:

Build. For each story, ``storymap build`` and the plain folium script drawing the same points
(``bench/plain_folium.py``) run ``--runs`` times each, alternating, each as a whole process
started by a fresh wrapper interpreter that times it and reads
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` after it: the peak resident memory of that
one build. The plain script reads the GeoJSON that ``storymap export`` writes once before
timing; for the track story the drive's line in it is replaced by all the points of the GPX
file, so the plain script draws one folium PolyLine of 500,000 points, as a plain script
would (its time leaves out reading GPX, which storymap's includes). Reported: wall time
(median, min, max), peak memory (median), page size raw and gzip -9, and the points drawn.

Page. Headless Chromium (``scripts/chromium.py``: offline, pages from disk, tile requests
answered with a grey PNG) opens the 1,000-chapter page and the track page, each built with its
own tiles and with ``--tiles none``, in a fresh browser context per load, after a warm-up load.
With ``bench/bench_page.py``'s probe it records ``storymap:ready`` and the frames after it;
from the navigation start it sends raw mouse clicks, one after the other, to where the panel's
next button is, and records when one of them made ``storymap.app.current`` 0 (the title card
left for the first chapter): the page *interactive*. Then, with the page loaded: the number of
elements, ``storymap.app.go(500)`` (its own time, the next frame, the flight to the chapter and
its slowest frame), and opening the chapter list (a click on ``.sm-toc summary`` until there are
1,000 ``.sm-toc-item``, and the frame after).

With ``--write``, the section ``## Scale`` of the Markdown file is replaced (or added).
Standard library, and Playwright for the page.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))

import make_stories  # noqa: E402
from _report import write_section  # noqa: E402
from bench_build import child_env, machine  # noqa: E402

HEADING = "## Scale"
BUILD_TARGET_S = 5.0
PAGE_TARGET_BYTES = 3_000_000
RATIO_TARGET = 5.0
INTERACTIVE_TARGET_MS = 1000.0
GO_TO = 500  # the chapter (from 0) that storymap.app.go jumps to
LOAD_TIMEOUT_MS = 60_000

# Runs a command, then prints its wall time and the peak resident memory of its process tree.
WRAPPER = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
print(json.dumps({"rc": proc.returncode, "seconds": seconds, "peak": peak * scale}))
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- building ---------------------------------------------------------------------------------


@dataclass
class Build:
    label: str
    argv: list[str]
    output: Path
    points: int = 0
    seconds: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)

    def run(self, env: dict[str, str]) -> None:
        proc = subprocess.run(
            [sys.executable, "-c", WRAPPER, *self.argv],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        result = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {}
        if proc.returncode != 0 or result.get("rc") != 0:
            raise SystemExit(
                f"bench: {self.label} failed:\n  {' '.join(self.argv)}\n{proc.stderr.strip()}"
            )
        self.seconds.append(result["seconds"])
        self.peaks.append(result["peak"])

    def sizes(self) -> tuple[int, int]:
        data = self.output.read_bytes()
        return len(data), len(gzip.compress(data, compresslevel=9))


@dataclass
class Case:
    name: str
    story: Path
    storymap: Build
    plain: Build
    note: str = ""


def storymap_cli(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "storymap", *args], cwd=ROOT, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(f"bench: storymap {' '.join(args)} failed:\n{proc.stderr.strip()}")
    return proc


def line_points(features: list[dict[str, Any]]) -> int:
    count = 0
    for feature in features:
        geometry = feature["geometry"]
        if geometry["type"] == "LineString":
            count += len(geometry["coordinates"])
        elif geometry["type"] == "MultiLineString":
            count += sum(len(part) for part in geometry["coordinates"])
    return count


def gpx_lonlats(path: Path) -> list[list[float]]:
    """The track points of a GPX file written by make_stories, as [lon, lat]."""
    text = path.read_text(encoding="utf-8")
    found = re.findall(r'<trkpt lat="([^"]+)" lon="([^"]+)"', text)
    return [[float(lon), float(lat)] for lat, lon in found]


def haversine_km(coords: list[list[float]]) -> float:
    return math.fsum(
        make_stories.haversine_km((a[1], a[0]), (b[1], b[0]))
        for a, b in zip(coords, coords[1:], strict=False)
    )


def prepare_cases(stories: dict[str, Path], tmp: Path) -> tuple[list[Case], dict[str, Any]]:
    """The builds to time, and facts on the track (its points, lengths) for the report."""
    cases = []
    track: dict[str, Any] = {}
    for name, story in stories.items():
        geojson = tmp / f"{name}.geojson"
        storymap_cli("export", str(story), "-o", str(geojson))
        data = json.loads(geojson.read_text(encoding="utf-8"))
        drawn = line_points(data["features"])
        note = ""
        if name.startswith("track"):
            gpx = story.parent / "track.gpx"
            full = gpx_lonlats(gpx)
            for feature in data["features"]:
                if (
                    feature["geometry"]["type"] != "Point"
                    and feature["properties"]["mode"] == "car"
                ):
                    track["drawn"] = len(feature["geometry"]["coordinates"])
                    track["drawn_km"] = haversine_km(feature["geometry"]["coordinates"])
                    track["length_km"] = feature["properties"]["length_km"]
                    feature["geometry"] = {"type": "LineString", "coordinates": full}
            track["points"] = len(full)
            track["full_km"] = haversine_km(full)
            track["gpx_bytes"] = gpx.stat().st_size
            geojson.write_text(json.dumps(data), encoding="utf-8")
            note = f" (the drive: {track['drawn']:,} of {len(full):,} points)"
        plain_points = line_points(data["features"])
        built, plain_out = tmp / f"{name}.storymap.html", tmp / f"{name}.plain.html"
        cases.append(
            Case(
                name,
                story,
                Build(
                    "`storymap build`",
                    [sys.executable, "-m", "storymap", "build", str(story), "-o", str(built)],
                    built,
                    drawn,
                ),
                Build(
                    "plain folium script",
                    [
                        sys.executable,
                        str(ROOT / "bench" / "plain_folium.py"),
                        str(geojson),
                        str(plain_out),
                    ],
                    plain_out,
                    plain_points,
                ),
                note,
            )
        )
    return cases, track


def measure_builds(cases: list[Case], runs: int, env: dict[str, str]) -> None:
    # Warm-up: compile every module into the private bytecode cache, untimed.
    small = cases[0]
    log("warm-up: one build of each kind, untimed")
    for build in (small.storymap, small.plain):
        Build(build.label, build.argv, build.output).run(env)
    for case in cases:
        for round_no in range(runs):
            order = [case.storymap, case.plain]
            if round_no % 2:
                order.reverse()
            for build in order:
                build.run(env)
                log(
                    f"{case.name}: {build.label.strip('`')} run {round_no + 1}/{runs}: "
                    f"{build.seconds[-1]:.2f} s, {build.peaks[-1] / 1e6:,.0f} MB"
                )


# --- the page in Chromium --------------------------------------------------------------------

# Added after bench_page's probe: when the first chapter is entered.
CHAPTER_PROBE_JS = r"""
(() => {
  if (window.top !== window) return;
  document.addEventListener("pointerdown", (e) => {
    const bench = window.__smBench;
    const onNext = e.target && e.target.closest && e.target.closest(".sm-next");
    if (bench && onNext && bench.marks.clickSent === undefined) {
      bench.marks.clickSent = e.timeStamp; /* when the browser took the input */
      bench.marks.clickHandled = performance.now();
    }
  }, true);
  document.addEventListener("storymap:chapter", (e) => {
    const bench = window.__smBench;
    if (bench && e.detail.index === 0 && bench.marks.firstChapter === undefined) {
      bench.marks.firstChapter = performance.now();
    }
  });
})();
"""

AFTER_FRAME_JS = r"""
const afterNextFrame = () => new Promise((resolve) => {
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve(performance.now());
    channel.port2.postMessage(null);
  });
});
"""

COUNTS_JS = r"""
() => ({
  elements: document.getElementsByTagName("*").length,
  markers: document.querySelectorAll(".leaflet-marker-icon").length,
  svgPaths: document.querySelectorAll("path").length,
  chapters: window.storymap.app.data.chapters.length,
})
"""

GO_JS = (
    "(target) => {"
    + AFTER_FRAME_JS
    + r"""
  return new Promise((resolve) => {
    const app = window.storymap.app;
    const stamps = [];
    const t0 = performance.now();
    app.go(target);
    const sync = performance.now() - t0;
    let painted = null;
    afterNextFrame().then((t) => { painted = t - t0; });
    const loop = (ts) => {
      stamps.push(ts);
      const waited = performance.now() - t0;
      if ((app.moving || painted === null) && waited < 10000) requestAnimationFrame(loop);
      else {
        let worst = 0;
        for (let k = 1; k < stamps.length; k++) worst = Math.max(worst, stamps[k] - stamps[k - 1]);
        resolve({ start: t0, sync: sync, painted: painted, moved: waited, worst: worst,
                  current: app.current });
      }
    };
    requestAnimationFrame(loop);
  });
}"""
)

TOC_JS = (
    "(count) => {"
    + AFTER_FRAME_JS
    + r"""
  return new Promise((resolve) => {
    const toc = document.querySelector(".sm-toc");
    const summary = toc.querySelector("summary");
    let t0 = null;
    const done = (built) => afterNextFrame().then((t) => resolve({
      start: t0, built: built, painted: t - t0,
      items: document.querySelectorAll(".sm-toc-item").length,
      elements: document.getElementsByTagName("*").length,
    }));
    /* Added after the page's own listener, so it runs once the list is built. */
    toc.addEventListener("toggle", () => {
      const items = document.querySelectorAll(".sm-toc-item").length;
      if (items >= count) done(performance.now() - t0);
    }, { once: true });
    t0 = performance.now();
    summary.click();
    setTimeout(() => resolve(null), 10000);
  });
}"""
)


@dataclass
class PageVariant:
    label: str
    story: str  # the case's name
    tiles: str | None
    page: Path
    next_at: tuple[float, float] = (0.0, 0.0)
    loads: list[dict[str, Any]] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return self.page.stat().st_size


def long_frames_after(page: Any, start: float) -> float:
    frames = page.evaluate("() => window.__smBench.frames")
    return max((f["duration"] for f in frames if f["startTime"] >= start), default=0.0)


def next_button_centre(browser: Any, variant: PageVariant) -> tuple[float, float]:
    """Where the panel's next button is, from a load that is not measured."""
    import bench_page

    context, _ = bench_page.new_context(browser)
    try:
        page = context.new_page()
        page.goto(variant.page.as_uri(), wait_until="load", timeout=LOAD_TIMEOUT_MS)
        box = page.locator(".sm-next").bounding_box(timeout=LOAD_TIMEOUT_MS)
    finally:
        context.close()
    if box is None:
        raise SystemExit(f"bench: no next button in {variant.page.name}")
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def click_until_next(page: Any, variant: PageVariant) -> None:
    """Click where the next button will be, again and again, until chapter 1 is open.

    Raw mouse input, without Playwright's waiting for the element: each click is taken by
    the browser and handled when the page's main thread is free, so the first one that finds
    the button is handled as soon as the page can.
    """
    x, y = variant.next_at
    deadline = time.monotonic() + LOAD_TIMEOUT_MS / 1000
    check = "() => !!(window.storymap && window.storymap.app && window.storymap.app.current >= 0)"
    while time.monotonic() < deadline:
        page.mouse.click(x, y)
        if page.evaluate(check):
            break
    current = page.evaluate("() => window.storymap.app.current")
    if current != 0:
        raise SystemExit(f"bench: clicking next opened chapter {current + 1}, not 1")


def load_and_use(browser: Any, variant: PageVariant, chapters: int) -> dict[str, Any]:
    import bench_page

    context, net = bench_page.new_context(browser)
    context.add_init_script(CHAPTER_PROBE_JS)
    try:
        page = context.new_page()
        page.goto(variant.page.as_uri(), wait_until="commit", timeout=LOAD_TIMEOUT_MS)
        click_until_next(page, variant)
        bench_page.wait_until_complete(page)
        result = bench_page.load_metrics(page.evaluate(bench_page.COLLECT_JS))
        marks = page.evaluate("() => window.__smBench.marks")
        for key in ("firstChapter", "clickSent", "clickHandled"):
            result[key] = marks.get(key)
        result.update(page.evaluate(COUNTS_JS))
        if chapters > GO_TO:
            page.wait_for_function("() => !window.storymap.app.moving", timeout=LOAD_TIMEOUT_MS)
            page.wait_for_timeout(300)
            went = page.evaluate(GO_JS, GO_TO)
            if went["current"] != GO_TO:
                raise SystemExit(f"bench: go({GO_TO}) left the page at {went['current']}")
            page.wait_for_timeout(200)  # the observers deliver the last entries
            went["longFrame"] = long_frames_after(page, went["start"])
            result["go"] = went
            toc = page.evaluate(TOC_JS, chapters)
            if toc is None or toc["items"] != chapters:
                raise SystemExit(f"bench: the chapter list did not show {chapters} items")
            page.wait_for_timeout(200)
            toc["longFrame"] = long_frames_after(page, toc["start"])
            result["toc"] = toc
    finally:
        context.close()
    variant.blocked.extend(net.blocked)
    return result


def measure_pages(variants: list[PageVariant], runs: int, warmup: int) -> str:
    import chromium
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        try:
            version = browser.version
            for variant in variants:
                variant.next_at = next_button_centre(browser, variant)
            for round_no in range(warmup + runs):
                shift = round_no % len(variants)
                for variant in variants[shift:] + variants[:shift]:
                    chapters = 1000 if variant.story == "chapters-1000" else 0
                    result = load_and_use(browser, variant, chapters)
                    if round_no >= warmup:
                        variant.loads.append(result)
                    what = "warm-up" if round_no < warmup else f"load {round_no - warmup + 1}"
                    log(
                        f"chromium: {variant.story}, {variant.label}, {what}: interactive "
                        f"{result['firstChapter']:,.0f} ms "
                        f"(click sent {result['clickSent']:,.0f} ms), "
                        f"ready {result['ready']:,.0f} ms"
                    )
        finally:
            browser.close()
    blocked = sorted({url for v in variants for url in v.blocked})
    if blocked:
        raise SystemExit("bench: the page asked for the network:\n  " + "\n  ".join(blocked))
    return version


# --- reporting --------------------------------------------------------------------------------


def num(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def size_mb(size: int) -> str:
    return f"{size / 1e6:,.2f}" if size >= 1e5 else f"{size / 1e6:,.3f}"


def spread(values: list[float], fmt=num) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def build_table(cases: list[Case]) -> list[str]:
    rows = [
        "| story | command | wall s, median (min–max) | peak memory MB | page MB | gzip -9 MB "
        "| points in lines | plain page ÷ storymap page |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for case in cases:
        raw, packed = case.storymap.sizes()
        plain_raw, _ = case.plain.sizes()
        for build in (case.storymap, case.plain):
            b_raw, b_packed = build.sizes()
            factor = plain_raw / raw
            ratio = f"{factor:,.1f}×" if factor >= 1 else f"{factor:.2f}×"
            ratio = ratio if build is case.storymap else ""
            rows.append(
                f"| {case.name}{case.note if build is case.storymap else ''} | {build.label} | "
                f"{spread(build.seconds, lambda v: num(v, 2))} | "
                f"{num(statistics.median(build.peaks) / 1e6)} | {size_mb(b_raw)} | "
                f"{size_mb(b_packed)} | {build.points:,} | {ratio} |"
            )
    return rows


PAGE_ROWS: list[tuple[str, str]] = [
    ("dcl", "DOMContentLoaded end, ms"),
    ("ready", "`storymap:ready` fired, ms"),
    ("readyPainted", "next frame after `storymap:ready` rendered, ms"),
    ("legsPainted", "first frame with the legs rendered, ms"),
    ("clickSent", "the click on the next button reaches the browser, ms"),
    ("clickHandled", "the page's first listener runs, ms"),
    (
        "firstChapter",
        "**interactive**: a click on the next button has opened chapter 1, ms",
    ),
    ("load", "load event end, ms"),
]


def med(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def page_table(variants: list[PageVariant]) -> list[str]:
    head = " | ".join(f"{v.story}, {v.label}" for v in variants)
    rows = [f"| median (min–max) of the loads | {head} |", "|---" + "|---:" * len(variants) + "|"]

    def row(label: str, cells: list[str]) -> None:
        rows.append(f"| {label} | " + " | ".join(cells) + " |")

    row("page MB", [size_mb(v.size) for v in variants])
    for key, label in PAGE_ROWS:
        row(label, [spread([r[key] for r in v.loads]) for v in variants])
    row(
        "long tasks during load: count; longest ms",
        [
            f"{num(med([r['longTasks'] for r in v.loads]))}; "
            f"{spread([r['longestTask'] for r in v.loads])}"
            for v in variants
        ],
    )
    row(
        "elements in the page after load",
        [num(med([r["elements"] for r in v.loads])) for v in variants],
    )
    row(
        "of them marker icons (stops, mode badges, place labels)",
        [num(med([r["markers"] for r in v.loads])) for v in variants],
    )

    def action(key: str, field_: str) -> list[str]:
        out = []
        for v in variants:
            values = [r[key][field_] for r in v.loads if key in r]
            out.append(spread(values) if values else "–")
        return out

    row(f"`storymap.app.go({GO_TO})`: the call itself, ms", action("go", "sync"))
    row(f"`go({GO_TO})`: the next frame rendered, ms", action("go", "painted"))
    row(f"`go({GO_TO})`: the flight to the chapter, until the map stops, ms", action("go", "moved"))
    row(f"`go({GO_TO})`: slowest frame of the flight, ms", action("go", "worst"))
    row(
        f"`go({GO_TO})`: longest animation frame over 50 ms (LoAF; 0: none), ms",
        action("go", "longFrame"),
    )
    row(
        "chapter list: click on *All chapters* until its 1,000 items are built, ms",
        action("toc", "built"),
    )
    row("chapter list: until the frame that shows it is rendered, ms", action("toc", "painted"))
    row(
        "chapter list: longest animation frame over 50 ms (LoAF; 0: none), ms",
        action("toc", "longFrame"),
    )
    row("elements in the page with the list open", action("toc", "elements"))
    return rows


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def report(
    cases: list[Case],
    track: dict[str, Any],
    variants: list[PageVariant],
    runs: int,
    page_runs: int,
    info: dict[str, str],
    browser: str | None,
) -> str:
    by_name = {c.name: c for c in cases}
    big = by_name["track-500k"]
    build_s = statistics.median(big.storymap.seconds)
    raw, _ = big.storymap.sizes()
    plain_raw, _ = big.plain.sizes()
    targets = [
        f"- the 500,000-point story builds in under {BUILD_TARGET_S:g} s: "
        f"{verdict(build_s < BUILD_TARGET_S)} "
        f"(median {build_s:.2f} s, fastest {min(big.storymap.seconds):.2f} s; peak memory "
        f"{statistics.median(big.storymap.peaks) / 1e6:,.0f} MB).",
        f"- its page is under {PAGE_TARGET_BYTES / 1e6:g} MB: {verdict(raw < PAGE_TARGET_BYTES)} "
        f"({size_mb(raw)} MB).",
        f"- its page is at least {RATIO_TARGET:g}× smaller than the plain folium page: "
        f"{verdict(plain_raw / raw >= RATIO_TARGET)} ({size_mb(plain_raw)} MB against "
        f"{size_mb(raw)} MB, {plain_raw / raw:,.1f}×).",
    ]
    thousand = [v for v in variants if v.story == "chapters-1000"]
    for v in thousand:
        t = med([r["firstChapter"] for r in v.loads])
        targets.append(
            f"- the 1,000-chapter page ({v.label}) is interactive in under "
            f"{INTERACTIVE_TARGET_MS / 1000:g} s in Chromium: {verdict(t < INTERACTIVE_TARGET_MS)} "
            f"(median {t:,.0f} ms from the navigation start to a click on the next button opening "
            f"chapter 1; `storymap:ready` at {med([r['ready'] for r in v.loads]):,.0f} ms, "
            f"the frame after it rendered at {med([r['readyPainted'] for r in v.loads]):,.0f} ms)."
        )
    if not thousand:
        targets.append("- the 1,000-chapter page in Chromium: not measured (`--no-browser`).")

    lines = [
        HEADING,
        "",
        "Stories made by `bench/make_stories.py` (seeded, so every run builds the same ones): "
        "an expedition across Eurasia in 10, 100 and 1,000 chapters (made-up places along a "
        "wandering path, a short Markdown text each, legs cycling through walk, bus, car, "
        "train, ferry and flight with durations, every third ground leg through a waypoint), "
        f"and a 2,000 km drive whose leg is a GPX track of {track['points']:,} points "
        f"({track['gpx_bytes'] / 1e6:,.0f} MB: a point every 4 m or so, with elevation and "
        "time, on a road-like curve with a slowly drifting GPS error of a couple of metres), "
        "followed by a train and a ferry.",
        "",
        "### Build",
        "",
        f"Each command runs {runs} time{'' if runs == 1 else 's'} as a whole process (the two "
        "alternating), started by a "
        "fresh wrapper interpreter that reads `getrusage(RUSAGE_CHILDREN).ru_maxrss` after it: "
        "*peak memory* is the peak resident size of that one process. The plain folium script "
        "(`bench/plain_folium.py`) reads the GeoJSON of `storymap export`, written once before "
        "timing: a marker with a popup per chapter and a polyline per leg, on folium's default "
        "tiles, with Leaflet from its CDN. For the track story its drive is the whole GPX "
        f"track, one PolyLine of {track['points']:,} points, as a plain script would draw it; "
        "it reads them from GeoJSON, so its time leaves out parsing the GPX file, which "
        "`storymap build`'s includes. `storymap build` writes the page with its own tiles, "
        "Leaflet and the offline basemap inlined. MB are 10⁶ bytes.",
        "",
        *build_table(cases),
        "",
        f"The drive is drawn with {track['drawn']:,} of its {track['points']:,} points; its "
        f"length, {track['length_km']:,.1f} km in the page and the export, is that of the full "
        f"track (a haversine sum gives {track['full_km']:,.1f} km over all the points and "
        f"{track['drawn_km']:,.1f} km over the drawn ones).",
        "",
    ]
    if variants:
        lines += [
            "### Page in Chromium",
            "",
            "Each page is built with its own tiles (grey stand-ins from memory) and with "
            "`--tiles none` (the offline basemap), and opened from disk in headless Chromium at "
            f"1280×720, in a fresh browser context for each of {page_runs} "
            f"load{'' if page_runs == 1 else 's'} after a "
            "warm-up load, the pages taking turns. Times are from the navigation start "
            "(`bench/bench_page.py`'s probe: `storymap:ready`, the frames after it, the first "
            "drawn legs, long tasks). *Interactive*: from the navigation start, raw mouse "
            "clicks (`page.mouse.click`, one after the other, each waiting for the browser to "
            "take it) go to where the panel's next button is, until one of them has opened "
            "chapter 1; the time is that of its `storymap:chapter` event, and the rows before "
            "it give when that click reached the browser (its `pointerdown` event's "
            "`timeStamp`) and when the page's first listener ran. A click is sent as soon as "
            "the one before it is taken, so the first that finds the button shows when the "
            "page first answers one; it may come before the frame that shows the button. "
            "After the load, the same page measures "
            f"`storymap.app.go({GO_TO})` (from chapter 1: the call, the next rendered frame, "
            "the flight to the chapter until `moveend`, and its slowest frame) and opening "
            "the chapter list, which is built when first opened. Long animation frames (LoAF) "
            "are from a PerformanceObserver.",
            "",
            *page_table(variants),
            "",
        ]
    lines += [
        "### Targets",
        "",
        *targets,
        "",
        f"Machine: {info['nproc']} CPUs, {info['python']}, folium {info['folium']}, "
        f"storymap {info['storymap']}"
        + (f", Chromium {browser} (headless, software rendering)" if browser else "")
        + f", {info['platform']}; load average {info['load']} before the run. "
        f"Run on {info['date']}. On a busy machine the numbers move; compare runs made "
        "together.",
        "",
        "Reproduce with `python bench/bench_scale.py --write docs/benchmarks.md`.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="builds per command (default: 3)")
    parser.add_argument(
        "--page-runs", type=int, default=5, help="Chromium loads per page (default: 5)"
    )
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium part")
    parser.add_argument("--keep", metavar="DIR", help="make the stories and pages in DIR, kept")
    parser.add_argument("--write", metavar="MD", help="replace the section in this Markdown file")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.page_runs < 1:
        parser.error("--runs and --page-runs must be at least 1")
    if not args.no_browser:
        import chromium

        if not chromium.chromium_available():
            raise SystemExit(f"bench: no Chromium at {chromium.chromium_path()} (or --no-browser)")

    started = time.perf_counter()
    info = machine()  # before the run, for the load average
    with tempfile.TemporaryDirectory(prefix="storymap-scale-") as tmp_name:
        tmp = Path(args.keep).resolve() if args.keep else Path(tmp_name)
        tmp.mkdir(parents=True, exist_ok=True)
        log(f"making the stories in {tmp}")
        stories = make_stories.make_all(tmp / "stories", log=log)
        for story in stories.values():
            storymap_cli("validate", str(story))
        cases, track = prepare_cases(stories, tmp)
        measure_builds(cases, args.runs, child_env(tmp / "pycache"))

        variants: list[PageVariant] = []
        browser = None
        if not args.no_browser:
            for name in ("chapters-1000", "track-500k"):
                story = stories[name]
                for label, tiles in (("own tiles", None), ("`--tiles none`", "none")):
                    page = tmp / f"{name}.{tiles or 'tiles'}.html"
                    extra = ["--tiles", tiles] if tiles else []
                    log(f"building {page.name}")
                    storymap_cli("build", str(story), "-o", str(page), *extra)
                    variants.append(PageVariant(label, name, tiles, page))
            browser = measure_pages(variants, args.page_runs, warmup=1)
        section = report(cases, track, variants, args.runs, args.page_runs, info, browser)
    print(section)
    log(f"done in {time.perf_counter() - started:,.0f} s")
    if args.write:
        write_section(Path(args.write), section, HEADING)
        log(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
