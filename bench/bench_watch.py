"""Watch mode: the time from saving the story to the rebuilt page on disk, beside a cold build.

Usage: python bench/bench_watch.py [--story STORY] [--runs 20] [--write docs/benchmarks.md]

Runs ``storymap watch`` as a real process on a copy of the story, then saves an edited title
again and again, timing each save until the page on disk holds the new title; and times
``storymap build`` as a whole process for comparison. With ``--write`` the section
``## Rebuild in watch mode (flagship)`` of the Markdown file is replaced (or added).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import write_section  # noqa: E402

from storymap.watch import POLL_SECONDS  # noqa: E402

HEADING = "## Rebuild in watch mode (flagship)"
TARGET_MS = 50


def environment(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as a user's machine: bytecode cached
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def measure_watch(story: Path, runs: int, tmp: Path) -> list[float]:
    folder = tmp / "story"
    shutil.copytree(story.parent, folder)
    copy = folder / story.name
    page = tmp / "page.html"
    process = subprocess.Popen(
        [sys.executable, "-m", "storymap", "watch", str(copy), "-o", str(page), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(tmp),
    )
    try:
        for line in process.stdout:
            if line.startswith("storymap watch:"):
                break
        original = copy.read_text(encoding="utf-8")
        title = next(x for x in original.splitlines() if x.startswith("title:"))
        times = []
        for n in range(runs):
            marker = f"edit {n}"
            copy.write_text(original.replace(title, f"{title} ({marker})", 1), encoding="utf-8")
            saved = time.perf_counter()
            deadline = saved + 10
            while marker not in page.read_text(encoding="utf-8"):
                if time.perf_counter() > deadline:
                    raise RuntimeError("the page was not rebuilt within 10 s")
                time.sleep(0.001)
            times.append((time.perf_counter() - saved) * 1000)
            time.sleep(0.2)
        return times
    finally:
        process.terminate()
        process.wait(timeout=10)


def measure_cold(story: Path, runs: int, tmp: Path) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "storymap", "build", str(story), "-o", str(tmp / "cold.html")],
            check=True,
            capture_output=True,
            env=environment(tmp),
        )
        times.append((time.perf_counter() - started) * 1000)
    return times


def section(story: Path, watch: list[float], cold: list[float]) -> str:
    median = statistics.median(watch)
    verdict = "Target met" if median < TARGET_MS else "Target not met"
    return "\n".join(
        [
            HEADING,
            "",
            f"Story: `{story}`. `storymap watch` runs as a real process on a copy of the story; "
            "the story's title is edited and saved, and the clock runs until the page on disk "
            "holds the new title (that includes noticing the save: the files are looked at "
            f"every {POLL_SECONDS * 1000:.0f} ms). A cold build is `storymap build` as a whole "
            "process.",
            "",
            "| | runs | median ms | min ms | max ms |",
            "|---|---:|---:|---:|---:|",
            f"| save → rebuilt page (watch) | {len(watch)} | {median:,.0f} | {min(watch):,.0f} | "
            f"{max(watch):,.0f} |",
            f"| cold build (whole process) | {len(cold)} | {statistics.median(cold):,.0f} | "
            f"{min(cold):,.0f} | {max(cold):,.0f} |",
            "",
            f"**{verdict}**: the median rebuild in watch mode is {median:,.0f} ms "
            f"(target: under {TARGET_MS} ms).",
            "",
            "Reproduce with `python bench/bench_watch.py --write docs/benchmarks.md`.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--story", type=Path, default=Path("data/story.yaml"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--write", type=Path, metavar="MARKDOWN")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        watch = measure_watch(args.story.resolve(), args.runs, Path(tmp))
        cold = measure_cold(args.story.resolve(), max(3, args.runs // 4), Path(tmp))
    text = section(args.story, watch, cold)
    print(text)
    if args.write:
        write_section(args.write, text, HEADING)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
