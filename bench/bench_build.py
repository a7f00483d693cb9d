"""Time `storymap build` against a plain folium script, as whole processes, side by side.

Usage: python bench/bench_build.py [--story STORY] [--runs 15] [--baseline REF]
                                   [--write docs/benchmarks.md]

Three commands run in a fresh interpreter each (``sys.executable``):

* ``storymap build STORY -o OUT.html``;
* ``bench/plain_folium.py STORY.geojson OUT.html``, the same stops and lines drawn with
  folium alone, from the GeoJSON that ``storymap export`` writes once before timing;
* ``python -c "import folium"``, the floor both of them pay;
* with ``--baseline REF``, also ``storymap build`` as it was at the git revision ``REF``
  (extracted with ``git archive`` into a temporary folder), on the same story, so that a
  change is timed side by side with what came before it.

After warm-up rounds, every round runs each command once, in an order that rotates from
round to round. Reported: wall time (median, min, max), the ratio of the medians of the
two builds, and the size of each page, raw and gzipped. With ``--write``, the section
``## Build time and size (flagship)`` of the Markdown file is replaced (or added); the
rest of the file is kept as it is. Standard library only.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = Path("data/story.yaml")
FALLBACK = Path("tests/fixtures/mini/story.yaml")
HEADING = "## Build time and size (flagship)"
TARGET = 1.25


@dataclass
class Command:
    label: str
    argv: list[str]
    output: Path | None = None
    times: list[float] = field(default_factory=list)
    cwd: Path = ROOT
    fresh: bool = False  # remove the output before each run: no earlier page to reuse

    def run(self, env: dict[str, str]) -> float:
        if self.fresh and self.output is not None:
            self.output.unlink(missing_ok=True)
        start = time.perf_counter()
        proc = subprocess.run(self.argv, cwd=self.cwd, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(
                f"bench: {self.label} failed (exit {proc.returncode}):\n"
                f"  {' '.join(self.argv)}\n{proc.stderr.strip()}"
            )
        return elapsed

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def child_env(pycache: Path | None = None) -> dict[str, str]:
    """The environment of the timed processes: bytecode is cached, in ``pycache`` if given.

    Whether the caller's environment writes bytecode (PYTHONDONTWRITEBYTECODE) would
    otherwise decide whether storymap's own modules are compiled anew in every run, while
    folium's come precompiled from site-packages. With a private cache folder every module
    is compiled once, in the warm-up rounds, and the source tree is left alone.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if pycache is not None:
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def storymap(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "storymap", *args], cwd=ROOT, capture_output=True, text=True
    )


def choose_story(explicit: str | None) -> tuple[Path, str]:
    """The story to time and a note on why; the flagship unless it does not validate."""
    if explicit is not None:
        path = Path(explicit).resolve()
        check = storymap("validate", str(path))
        if check.returncode != 0:
            raise SystemExit(f"bench: {path} does not validate:\n{check.stderr.strip()}")
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        return path, f"`{shown}`"
    if (ROOT / FLAGSHIP).exists():
        check = storymap("validate", str(FLAGSHIP))
        if check.returncode == 0:
            return FLAGSHIP, f"`{FLAGSHIP}`, the flagship"
        reason = "does not validate"
    else:
        reason = "does not exist"
    return FALLBACK, f"`{FALLBACK}`, the mini fixture, because `{FLAGSHIP}` {reason}"


def machine() -> dict[str, str]:
    return {
        **_report.machine(),
        "folium": metadata.version("folium"),
        "branca": metadata.version("branca"),
        "storymap": metadata.version("storymap"),
    }


def sizes(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    return len(data), len(gzip.compress(data, compresslevel=9))


def baseline(ref: str, story: Path, tmpdir: Path) -> Command:
    """``storymap build`` at the git revision ``ref``, from a copy of its tree."""
    tree = tmpdir / "baseline"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref], cwd=ROOT, capture_output=True, check=False
    )
    if archive.returncode != 0:
        raise SystemExit(f"bench: git archive {ref} failed:\n{archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    out = tmpdir / "baseline.html"
    rev = subprocess.run(
        ["git", "rev-parse", "--short", ref], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    argv = [sys.executable, "-m", "storymap", "build", str(story), "-o", str(out)]
    # Run from the copy: `python -m` puts the working folder first on the path.
    return Command(f"`storymap build` at {rev}", argv, out, cwd=tree)


def measure(commands: list[Command], runs: int, warmup: int, env: dict[str, str]) -> None:
    total = warmup + runs
    for round_no in range(total):
        shift = round_no % len(commands)
        order = commands[shift:] + commands[:shift]  # A B F, B F A, F A B, ...
        for command in order:
            elapsed = command.run(env)
            if round_no >= warmup:
                command.times.append(elapsed)
        if sys.stderr.isatty():
            print(f"\rround {round_no + 1}/{total}", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def kb(size: int) -> str:
    return f"{size / 1024:,.1f}"


def report(
    commands: list[Command], story_note: str, runs: int, warmup: int, info: dict[str, str]
) -> str:
    build, plain, floor, first, *baseline = commands
    ratio = build.median / plain.median
    met = ratio <= TARGET
    rows = [
        "| command | median ms | min ms | max ms | above floor ms | page KB | gzip -9 KB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for command in commands:
        if command.output is not None:
            raw, packed = sizes(command.output)
            size_cells = f"{kb(raw)} | {kb(packed)}"
        else:
            size_cells = "– | –"
        above = "–" if command is floor else ms(command.median - floor.median)
        if command is first and command.output is not None:
            size_cells = "as above | as above"
        rows.append(
            f"| {command.label} | {ms(command.median)} | {ms(min(command.times))} | "
            f"{ms(max(command.times))} | {above} | {size_cells} |"
        )
    best = min(build.times) / min(plain.times)
    verdict = (
        f"**Target {'met' if met else 'not met'}**: the median of `storymap build` is "
        f"{ratio:.2f}× that of the plain folium script (target: at most {TARGET}×); "
        f"the ratio of the fastest runs, less sensitive to other load on the machine, "
        f"is {best:.2f}×."
    )
    if baseline:
        before = baseline[0]
        for this in (build, first):
            slower = this.median / before.median
            verdict += (
                f"\n\n**{this.label} no slower than {before.label}: "
                f"{'met' if slower <= 1.0 else 'not met'}**: its median is {slower:.2f}× that "
                f"of {before.label} on the same story ({ms(this.median)} ms against "
                f"{ms(before.median)} ms; fastest runs {ms(min(this.times))} ms against "
                f"{ms(min(before.times))} ms)."
            )
    lines = [
        HEADING,
        "",
        f"Story: {story_note}. Each command runs as a whole process in a fresh interpreter; "
        f"{plural(runs, 'timed round')} after {plural(warmup, 'warm-up round')}, "
        "the order of the commands rotating from round to round. The plain folium script "
        "(`bench/plain_folium.py`) reads the GeoJSON that `storymap export` writes once "
        "before timing, and draws a marker with a popup per chapter and a polyline per leg "
        "on folium's default tiles. `storymap build` writes over the page of the round "
        "before, whose offline map it reuses when nothing it was made from changed (as a "
        "rebuild after an edit of the text does); *no earlier page* removes the page before "
        "each run, so that the offline map is clipped anew. `storymap build` also inlines "
        "Leaflet, the story's script "
        "and stylesheet, the chapter texts and media, and fetches nothing but the tiles. "
        "Bytecode is cached in a private folder for all three, so the numbers do not depend "
        "on whether the caller's environment writes it. On a busy machine the spread is wide "
        "and a difference of a few tens of milliseconds is noise; the min column is the "
        "least disturbed.",
        "",
        *rows,
        "",
        verdict,
        "",
        f"Machine: {info['nproc']} CPUs, {info['python']}, folium {info['folium']}, "
        f"branca {info['branca']}, storymap {info['storymap']}, {info['platform']}; "
        f"load average {info['load']} before the run. Run on {info['date']}.",
        "",
        "Reproduce with `python bench/bench_build.py --write docs/benchmarks.md`.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--story", help=f"the story (default: {FLAGSHIP}, else {FALLBACK})")
    parser.add_argument("--runs", type=int, default=15, help="timed rounds (default: 15)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed rounds (default: 2)")
    parser.add_argument("--write", metavar="MD", help="replace the section in this Markdown file")
    parser.add_argument(
        "--baseline", metavar="REF", help="also time storymap build at this git revision"
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")

    info = machine()  # before the run, for the load average
    story, note = choose_story(args.story)
    print(f"story: {note.replace('`', '')}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="storymap-bench-") as tmp:
        tmpdir = Path(tmp)
        geojson = tmpdir / "story.geojson"
        export = storymap("export", str(story), "-o", str(geojson))
        if export.returncode != 0:
            raise SystemExit(f"bench: storymap export failed:\n{export.stderr.strip()}")
        built, plain_out = tmpdir / "storymap.html", tmpdir / "plain.html"
        first_out = tmpdir / "first.html"
        commands = [
            Command(
                "`storymap build`",
                [sys.executable, "-m", "storymap", "build", str(story), "-o", str(built)],
                built,
            ),
            Command(
                "plain folium script",
                [
                    sys.executable,
                    str(ROOT / "bench" / "plain_folium.py"),
                    str(geojson),
                    str(plain_out),
                ],
                plain_out,
            ),
            Command("`import folium` (floor)", [sys.executable, "-c", "import folium"]),
            Command(
                "`storymap build`, no earlier page",
                [sys.executable, "-m", "storymap", "build", str(story), "-o", str(first_out)],
                first_out,
                fresh=True,
            ),
        ]
        if args.baseline:
            commands.append(baseline(args.baseline, Path(story).resolve(), tmpdir))
        measure(commands, args.runs, args.warmup, child_env(tmpdir / "pycache"))
        section = report(commands, note, args.runs, args.warmup, info)
    print(section)
    if args.write:
        _report.write_section(Path(args.write), section, HEADING)
        print(f"wrote {args.write}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
