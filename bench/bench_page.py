"""Time the built page in headless Chromium: first drawn map, interactive panel, playback.

Usage: python bench/bench_page.py [--story STORY] [--runs 10] [--warmup 2] [--speed 1]
                                  [--with-none] [--write docs/benchmarks.md]

The story is built once into a temporary folder with its own tiles (by default
OpenStreetMap), in the panel layout and in the scroll layout (``--layout scroll``), and with
``--with-none`` also with ``--tiles none``; each page is a column of the tables. Chromium is
Debian's ``/usr/bin/chromium``, launched and kept offline by ``scripts/chromium.py``: the page is
opened from disk (``file:``), tile requests are answered from memory with a grey PNG, and
any other request is aborted.

Loading: every run opens the page in a fresh browser context (one browser for all runs)
after warm-up runs that are not counted. A script added to the context before the page's
own records, with ``performance.now()`` (0 is the start of the navigation):

* *legs drawn*: a MutationObserver sees the first ``path.sm-leg`` (the SVG line of a leg)
  in the DOM, then the first frame after it has been rendered (a task posted from that
  frame's requestAnimationFrame callback runs once the frame's paint is done);
* *panel interactive*: ``storymap:ready`` (panel built, listeners attached), and likewise
  the end of the next frame;
* first contentful paint (the ``paint`` entry's ``presentationTime`` where the browser
  gives it), DOMContentLoaded and load from the navigation entry, the first tile loaded,
  and long tasks (``longtask``) with long animation frames (``long-animation-frame``).

Playback: in one more fresh context per page, after the idle frame rate of ``about:blank``
and of the story page itself are measured, ``storymap.app.setSpeed(SPEED)`` and ``play()``
run the whole journey while a requestAnimationFrame loop records every frame until
``storymap:playend``; long tasks and long animation frames in that window are counted, and
slow frames are matched with the ``storymap:leg`` events (a leg beginning).

With ``--write``, the section ``## Page in Chromium (flagship)`` of the Markdown file is
replaced (or added); the rest of the file is kept as it is.

Standard library and Playwright for Python only.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))

import _report  # noqa: E402
import chromium  # noqa: E402
from _report import write_section  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

FLAGSHIP = Path("data/story.yaml")
HEADING = "## Page in Chromium (flagship)"
FIRST_MAP_TARGET_MS = 300.0
LONG_FRAME_MS = 20.0
FPS_TOLERANCE = 0.05  # playback within 5% of the idle frame rate counts as "at the rate"
VIEWPORT = {"width": 1280, "height": 720}
IDLE_SECONDS = 2.0
LOAD_TIMEOUT_MS = 30_000

# Added to every context before the page's own scripts; keeps what it sees in
# window.__smBench. Times are performance.now(), whose origin is the navigation start.
PROBE_JS = r"""
(() => {
  if (window.top !== window) return;
  const bench = { marks: {}, longtasks: [], frames: [] };
  window.__smBench = bench;
  const now = () => performance.now();
  /* The end of the next frame: rAF runs at its start, a message posted from there
     runs after its style, layout and paint. */
  const afterNextFrame = (key) => {
    requestAnimationFrame((frameTime) => {
      bench.marks[key + "Frame"] = frameTime; /* the same in every callback of a frame */
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        bench.marks[key + "Painted"] = now();
      };
      channel.port2.postMessage(null);
    });
  };
  const observer = new MutationObserver(() => {
    if (!document.querySelector("path.sm-leg")) return;
    bench.marks.legsInDom = now();
    observer.disconnect();
    afterNextFrame("legs");
  });
  observer.observe(document, { childList: true, subtree: true });
  document.addEventListener("storymap:ready", () => {
    bench.marks.ready = now();
    afterNextFrame("ready");
  });
  document.addEventListener(
    "load",
    (event) => {
      const t = event.target;
      if (t && t.classList && t.classList.contains("leaflet-tile")) {
        if (bench.marks.firstTile === undefined) bench.marks.firstTile = now();
      }
    },
    true
  );
  const observe = (type, sink) => {
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) sink.push(e.toJSON());
      }).observe({ type: type, buffered: true });
    } catch (e) {
      /* entry type not supported */
    }
  };
  observe("longtask", bench.longtasks);
  observe("long-animation-frame", bench.frames);
  /* Legs and panel rendered, the load event over, the first contentful paint reported
     (it comes once the frame is presented) and, if the map has tiles, one loaded. */
  bench.complete = () => {
    const nav = performance.getEntriesByType("navigation")[0];
    return (
      bench.marks.legsPainted !== undefined &&
      bench.marks.readyPainted !== undefined &&
      (bench.marks.firstTile !== undefined || !document.querySelector("img.leaflet-tile")) &&
      nav !== undefined && nav.loadEventEnd > 0 &&
      (performance.getEntriesByName("first-contentful-paint").length > 0 ||
        now() > nav.loadEventEnd + 5000)
    );
  };
})();
"""

COLLECT_JS = r"""
() => {
  const bench = window.__smBench;
  const nav = performance.getEntriesByType("navigation")[0];
  const paint = {};
  for (const e of performance.getEntriesByType("paint")) paint[e.name] = e.toJSON();
  return {
    marks: bench.marks,
    nav: { dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
           domInteractive: nav.domInteractive, responseEnd: nav.responseEnd },
    paint: paint,
    longtasks: bench.longtasks,
    frames: bench.frames,
    legs: document.querySelectorAll("path.sm-leg").length,
  };
}
"""

IDLE_RAF_JS = r"""
(seconds) => new Promise((resolve) => {
  const stamps = [];
  const loop = (ts) => {
    stamps.push(ts);
    if (ts - stamps[0] < seconds * 1000) requestAnimationFrame(loop);
    else resolve(stamps);
  };
  requestAnimationFrame(loop);
})
"""

PLAY_JS = r"""
(speed) => new Promise((resolve) => {
  const app = window.storymap.app;
  const stamps = [];
  const legs = [];
  let running = true;
  const loop = (ts) => {
    stamps.push(ts);
    if (running) requestAnimationFrame(loop);
  };
  const onLeg = (e) => legs.push({ t: performance.now(), index: e.detail.index });
  document.addEventListener("storymap:leg", onLeg);
  document.addEventListener("storymap:playend", () => {
    running = false;
    document.removeEventListener("storymap:leg", onLeg);
    resolve({ start: start, end: performance.now(), stamps: stamps, legs: legs,
              journeySeconds: app.journeySeconds });
  }, { once: true });
  app.setSpeed(speed);
  const start = performance.now();
  requestAnimationFrame(loop);
  app.play();
})
"""


@dataclass
class Variant:
    label: str
    tiles: str | None  # None: the story's own tiles
    page: Path
    layout: str = "panel"
    runs: list[dict[str, Any]] = field(default_factory=list)
    tile_requests: int = 0
    blocked: list[str] = field(default_factory=list)
    play: dict[str, Any] | None = None


# --- building and choosing --------------------------------------------------------------


def storymap(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "storymap", *args], cwd=ROOT, capture_output=True, text=True
    )


def choose_story(explicit: str | None) -> tuple[Path, str]:
    if explicit is None:
        return ROOT / FLAGSHIP, f"`{FLAGSHIP}`, the flagship"
    path = Path(explicit).resolve()
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    return path, f"`{shown}`"


def build(story: Path, out: Path, tiles: str | None, layout: str) -> None:
    extra = ["--tiles", tiles] if tiles else []
    proc = storymap("build", str(story), "-o", str(out), "--layout", layout, *extra)
    if proc.returncode != 0:
        raise SystemExit(f"bench: storymap build failed:\n{proc.stderr.strip()}")


def machine(browser_version: str) -> dict[str, str]:
    return {
        **_report.machine(),
        "chromium": browser_version,
        "playwright": metadata.version("playwright"),
        "storymap": metadata.version("storymap"),
    }


def new_context(browser: Browser):
    context, log = chromium.new_offline_context(
        browser, tile_png=chromium.GREY_TILE_PNG, viewport=VIEWPORT, device_scale_factor=1
    )
    context.add_init_script(PROBE_JS)
    return context, log


def wait_until_complete(page: Page) -> None:
    """Wait for the legs, the panel, the load event and, with tiles, the first tile."""
    page.wait_for_function(
        "() => window.__smBench && window.__smBench.complete()", timeout=LOAD_TIMEOUT_MS
    )


def load_once(browser: Browser, variant: Variant) -> dict[str, Any]:
    context, log = new_context(browser)
    try:
        page = context.new_page()
        page.goto(variant.page.as_uri(), wait_until="load", timeout=LOAD_TIMEOUT_MS)
        wait_until_complete(page)
        result = page.evaluate(COLLECT_JS)
    finally:
        context.close()
    variant.tile_requests = max(variant.tile_requests, len(log.tile_requests))
    variant.blocked.extend(log.blocked)
    if not result["legs"]:
        raise SystemExit(f"bench: no path.sm-leg in {variant.page.name}")
    return result


def load_metrics(result: dict[str, Any]) -> dict[str, Any]:
    """The figures of one load, in ms since the navigation start."""
    marks, nav, paint = result["marks"], result["nav"], result["paint"]
    fcp = paint.get("first-contentful-paint", {})
    load_end = nav["load"]
    during_load = [t for t in result["longtasks"] if t["startTime"] < load_end]
    return {
        "sameFrame": marks.get("legsFrame") == marks.get("readyFrame"),
        "responseEnd": nav["responseEnd"],
        "dcl": nav["dcl"],
        "ready": marks.get("ready"),
        "readyPainted": marks.get("readyPainted"),
        "legsInDom": marks.get("legsInDom"),
        "legsPainted": marks.get("legsPainted"),
        "fcpPaint": fcp.get("paintTime", fcp.get("startTime")),
        "fcp": fcp.get("presentationTime") or fcp.get("startTime"),
        "firstTile": marks.get("firstTile"),
        "load": load_end,
        "longTasks": float(len(during_load)),
        "longestTask": max((t["duration"] for t in during_load), default=0.0),
    }


def rate(stamps: list[float]) -> float:
    return (len(stamps) - 1) / (stamps[-1] - stamps[0]) * 1000 if len(stamps) > 1 else 0.0


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of ``values``, nearest rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[rank]


def cause_of(frame: dict[str, Any]) -> str:
    """What took most of a long animation frame: a script, the rendering, or the work before."""
    end = frame["startTime"] + frame["duration"]
    render = end - frame["renderStart"] if frame.get("renderStart") else 0.0
    scripts = frame.get("scripts") or []
    top = max(scripts, key=lambda s: s["duration"], default=None)
    if top is not None and top["duration"] >= render:
        name = top.get("sourceFunctionName") or top.get("invoker") or "?"
        return f"script `{name}` ({top.get('invokerType', '?')})"
    if render >= frame["duration"] / 2:
        return "rendering (style, layout, paint)"
    return "work before rendering"


def playback(browser: Browser, variant: Variant, speed: float) -> dict[str, Any]:
    context, log = new_context(browser)
    try:
        page = context.new_page()
        page.goto("about:blank")
        blank = page.evaluate(IDLE_RAF_JS, IDLE_SECONDS)
        page.goto(variant.page.as_uri(), wait_until="load", timeout=LOAD_TIMEOUT_MS)
        wait_until_complete(page)
        page.wait_for_timeout(500)  # let the first tiles settle
        idle = page.evaluate(IDLE_RAF_JS, IDLE_SECONDS)
        tiles_before = len(log.tile_requests)
        played = page.evaluate(PLAY_JS, speed)
        tiles = len(log.tile_requests) - tiles_before
        page.wait_for_timeout(200)  # let the observers deliver the last entries
        seen = page.evaluate("() => ({ longtasks: __smBench.longtasks, frames: __smBench.frames })")
    finally:
        context.close()
    variant.blocked.extend(log.blocked)
    start, end = played["start"], played["end"]
    stamps = played["stamps"]
    gaps = [b - a for a, b in pairwise(stamps)]
    tasks = [t for t in seen["longtasks"] if start <= t["startTime"] <= end]
    frames = [f for f in seen["frames"] if start <= f["startTime"] <= end]
    idle_gap = 1000 / rate(idle)
    leg_times = [leg["t"] for leg in played["legs"]]
    slow = [(a, b) for a, b in pairwise(stamps) if b - a > LONG_FRAME_MS]
    return {
        "blank_fps": rate(blank),
        "idle_fps": rate(idle),
        "fps": rate(stamps),
        "seconds": (end - start) / 1000,
        "journey": played["journeySeconds"],
        "frames": len(stamps),
        "p99_gap": percentile(gaps, 0.99),
        "worst_gap": max(gaps),
        "over": len(slow),
        "over_at_leg": sum(any(a <= t <= b for t in leg_times) for a, b in slow),
        "slow": [(a - start, b - a) for a, b in slow],
        "missed": sum(max(0, round(g / idle_gap) - 1) for g in gaps),
        "tasks": len(tasks),
        "task_ms": sum(t["duration"] for t in tasks),
        "longest_task": max((t["duration"] for t in tasks), default=0.0),
        "long_frames": frames,
        "legs": played["legs"],
        "tiles": tiles,
        "start": start,
    }


def measure(browser: Browser, variants: list[Variant], runs: int, warmup: int) -> None:
    total = warmup + runs
    for round_no in range(total):
        shift = round_no % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            result = load_once(browser, variant)
            if round_no >= warmup:
                variant.runs.append(load_metrics(result))
        if sys.stderr.isatty():
            print(f"\rround {round_no + 1}/{total}", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)


# --- reporting --------------------------------------------------------------------------


def ms(value: float) -> str:
    return f"{value:,.0f}"


def spread(values: list[float | None], fmt=ms) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return "–"
    med = statistics.median(present)
    lo, hi = min(present), max(present)
    return f"{fmt(med)} ({fmt(lo)}–{fmt(hi)})"


LOAD_ROWS = [
    ("responseEnd", "page read (response end; the request passes the offline router)"),
    ("dcl", "DOMContentLoaded end"),
    ("ready", "`storymap:ready` fired (panel built, listeners attached)"),
    ("readyPainted", "**panel interactive**: next frame after `storymap:ready` rendered"),
    ("legsPainted", "**legs drawn**: first frame with a `path.sm-leg` rendered"),
    ("fcpPaint", "first contentful paint, paint time"),
    ("fcp", "first contentful paint, presented"),
    ("firstTile", "first tile loaded (grey stand-in, from memory through the router)"),
    ("load", "load event end"),
]


def first_map(variant: Variant) -> tuple[float, int]:
    """The median time of the first drawn map, and in how many runs it is not the FCP.

    The legs are in the first contentful frame when they were in the DOM before it was
    painted; then its presentation time counts, else the end of the frame after them.
    """
    values = []
    later = 0
    for run in variant.runs:
        if run["fcp"] is not None and run["legsInDom"] <= (run["fcpPaint"] or 0):
            values.append(max(run["legsPainted"], run["fcp"]))
        else:
            values.append(run["legsPainted"])
            later += 1
    return statistics.median(values), later


def causes(play: dict[str, Any]) -> str:
    grouped: dict[str, list[float]] = {}
    for frame in play["long_frames"]:
        grouped.setdefault(cause_of(frame), []).append(frame["duration"])
    return "; ".join(
        f"{what} {len(d)}× (longest {ms(max(d))} ms)"
        for what, d in sorted(grouped.items(), key=lambda kv: -sum(kv[1]))
    )


def play_ok(play: dict[str, Any]) -> tuple[bool, bool]:
    return play["fps"] >= play["idle_fps"] * (1 - FPS_TOLERANCE), play["tasks"] == 0


def report(
    variants: list[Variant], story_note: str, runs: int, warmup: int, speed: float, info: dict
) -> str:
    labels = " | ".join(v.label for v in variants)
    align = "|---:" * len(variants)
    rows = [f"| ms after navigation start, median (min–max) | {labels} |", f"|---{align}|"]
    for key, label in LOAD_ROWS:
        cells = [spread([r[key] for r in v.runs]) for v in variants]
        if any(c != "–" for c in cells):
            rows.append(f"| {label} | " + " | ".join(cells) + " |")
    rows.append(
        "| long tasks during load: count (median); longest ms | "
        + " | ".join(
            f"{statistics.median(r['longTasks'] for r in v.runs):.0f}; "
            f"{spread([r['longestTask'] for r in v.runs])}"
            for v in variants
        )
        + " |"
    )

    played = [v for v in variants if v.play is not None]
    plays = [v.play for v in played]

    def prow(label: str, cell: Any) -> str:
        return f"| {label} | " + " | ".join(cell(p) for p in plays) + " |"

    play_rows = [
        f"| playback at speed {speed:g} | " + " | ".join(v.label for v in played) + " |",
        "|---" + "|---:" * len(played) + "|",
        prow("idle frame rate, `about:blank`", lambda p: f"{p['blank_fps']:.1f} fps"),
        prow("idle frame rate, the story page", lambda p: f"{p['idle_fps']:.1f} fps"),
        prow("whole journey: wall time; frames", lambda p: f"{p['seconds']:.1f} s; {p['frames']}"),
        prow("**mean frame rate**", lambda p: f"**{p['fps']:.1f} fps**"),
        prow(
            "frame interval: 99th percentile; worst",
            lambda p: f"{p['p99_gap']:.1f} ms; {p['worst_gap']:.1f} ms",
        ),
        prow(
            f"frame intervals over {LONG_FRAME_MS:.0f} ms (of them, where a leg begins)",
            lambda p: f"{p['over']:,} ({p['over_at_leg']:,})",
        ),
        prow("frames missed at the idle rate", lambda p: f"{p['missed']:,}"),
        prow("tiles requested during playback", lambda p: f"{p['tiles']:,}"),
        prow(
            "**long tasks** (over 50 ms): count; total; longest",
            lambda p: f"**{p['tasks']}**; {ms(p['task_ms'])} ms; {ms(p['longest_task'])} ms",
        ),
    ]

    verdicts = []
    for flagship in [v for v in variants if v.tiles is None]:  # each layout, own tiles
        first, later = first_map(flagship)
        painted = statistics.median(r["legsPainted"] for r in flagship.runs)
        same = sum(r["sameFrame"] for r in flagship.runs)
        fastest = min(r["fcp"] or r["legsPainted"] for r in flagship.runs)
        if verdicts:
            verdicts.append("")
        verdicts.append(
            f"**First map, {flagship.layout} layout: target "
            f"{'met' if first < FIRST_MAP_TARGET_MS else 'not met'}** "
            f"(under {FIRST_MAP_TARGET_MS:.0f} ms): the legs are rendered {ms(painted)} ms and "
            f"on screen {ms(first)} ms after the navigation starts (medians, the page with its "
            "own tiles)"
            + (
                f"; in {later} of {len(flagship.runs)} runs they came after the first "
                "contentful paint, and there the end of their frame counts as on screen"
                if later
                else ""
            )
            + f"; in the fastest run, {ms(fastest)} ms. The story became interactive in the "
            f"same frame in {same} of {len(flagship.runs)} runs."
        )
    for v in played:
        fps_ok, tasks_ok = play_ok(v.play)
        n = v.play["tasks"]
        text = (
            f"**Playback, {v.label}: target {'met' if fps_ok and tasks_ok else 'not met'}**: "
            f"{v.play['fps']:.1f} fps against an idle rate of {v.play['idle_fps']:.1f} fps "
            f"({'within' if fps_ok else 'more than'} {FPS_TOLERANCE:.0%} below it), "
            f"{n} long task{'' if n == 1 else 's'}."
        )
        if v.play["long_frames"]:
            text += f" Long animation frames, by what took most of each: {causes(v.play)}"
            scripted = any(f.get("scripts") for f in v.play["long_frames"])
            text += "." if scripted else "; no script ran over 5 ms in any of them."
        verdicts += ["", text]

    with_none = any(v.tiles == "none" for v in variants)
    flagship = variants[0]
    lines = [
        HEADING,
        "",
        f"Story: {story_note}, built with its own tiles ({flagship.tile_requests} tile "
        "requests for the first view, answered from memory with a grey PNG: nothing leaves "
        "the machine) in the panel layout and in the scroll layout (`--layout scroll`)"
        + (", and with `--tiles none`" if with_none else "")
        + f", opened from disk (`file:`) in headless Chromium at {VIEWPORT['width']}×"
        f"{VIEWPORT['height']}, in a fresh browser context for each of {runs} timed loads "
        f"after {warmup} warm-up loads"
        + f", the {len(variants)} pages taking turns"
        + ". A script added before the page's own takes `performance.now()` (0 is the "
        "navigation start) when a MutationObserver first sees a `path.sm-leg` and when "
        "`storymap:ready` fires, and at the end of the next frame after each (a task posted "
        "from its requestAnimationFrame callback), beside the paint and navigation timing "
        "entries; *on screen* is the presentation time of the first contentful paint, the "
        "frame that first shows the legs. Playback runs the whole journey "
        f"(`journeySeconds` {plays[0]['journey']:.1f} s) at speed {speed:g} in a fresh page, "
        "recording every requestAnimationFrame and, with PerformanceObservers, long tasks and "
        "long animation frames; on a busy machine the numbers move, so compare runs made "
        "together.",
        "",
        *rows,
        "",
        *play_rows,
        "",
        *verdicts,
        "",
        f"Machine: {info['nproc']} CPUs, Chromium {info['chromium']} (headless, software "
        f"rendering), Playwright {info['playwright']}, storymap {info['storymap']}, "
        f"{info['platform']}; load average {info['load']} before the run and "
        f"{_report.load_average()} after it. Run on {info['date']}.",
        "",
        "Reproduce with `python bench/bench_page.py"
        + (" --with-none" if with_none else "")
        + " --write docs/benchmarks.md`.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--story", help=f"the story (default: {FLAGSHIP})")
    parser.add_argument("--runs", type=int, default=10, help="timed loads (default: 10)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed loads (default: 2)")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="playback speed factor (default: 1)"
    )
    parser.add_argument(
        "--with-none", action="store_true", help="also time the page built with --tiles none"
    )
    parser.add_argument("--write", metavar="MD", help="replace the section in this Markdown file")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0 or args.speed <= 0:
        parser.error("--runs must be at least 1, --warmup at least 0 and --speed above 0")
    if not chromium.chromium_available():
        raise SystemExit(f"bench: no Chromium at {chromium.chromium_path()}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise SystemExit("bench: Playwright for Python is not installed") from None

    story, note = choose_story(args.story)
    print(f"story: {note.replace('`', '')}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="storymap-bench-") as tmp:
        tmpdir = Path(tmp)
        variants = [
            Variant("panel layout, own tiles (grey stand-ins)", None, tmpdir / "story.html"),
            Variant("scroll layout, own tiles", None, tmpdir / "scroll.html", "scroll"),
        ]
        if args.with_none:
            none = Variant("`--tiles none` (offline basemap)", "none", tmpdir / "none.html")
            variants.append(none)
        for variant in variants:
            build(story, variant.page, variant.tiles, variant.layout)
        with sync_playwright() as playwright:
            browser = chromium.launch(playwright)
            try:
                info = machine(browser.version)  # before the run, for the load average
                measure(browser, variants, args.runs, args.warmup)
                for variant in variants:
                    print(f"playback, {variant.label}, speed {args.speed:g}", file=sys.stderr)
                    variant.play = playback(browser, variant, args.speed)
            finally:
                browser.close()
    blocked = sorted({url for v in variants for url in v.blocked})
    if blocked:
        raise SystemExit("bench: the page asked for the network:\n  " + "\n  ".join(blocked))
    section = report(variants, note, args.runs, args.warmup, args.speed, info)
    print(section)
    for variant in variants:
        play = variant.play
        for at, gap in play["slow"]:
            print(f"{variant.label}: frame at {at / 1000:.2f} s: {gap:.1f} ms", file=sys.stderr)
        for frame in play["long_frames"]:
            print(
                f"{variant.label}: long animation frame at "
                f"{(frame['startTime'] - play['start']) / 1000:.2f} s: "
                f"{frame['duration']:.0f} ms, {cause_of(frame)}",
                file=sys.stderr,
            )
    if args.write:
        write_section(Path(args.write), section, HEADING)
        print(f"wrote {args.write}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
