"""Page size of a story, raw and gzipped, with Leaflet inlined or from a CDN, with and without
the offline basemap.

Usage: python bench/bench_size.py [--story data/story.yaml] [--write docs/benchmarks.md]

With ``--write`` the section ``## Page size (flagship)`` of the Markdown file is replaced (or
added). Sizes are deterministic: the same story gives the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import write_section  # noqa: E402

HEADING = "## Page size (flagship)"
TARGET_RAW = 350 * 1024  # with the offline map's water, towns and 1:10m detail
TARGET_GZIP = 110 * 1024


def measure(story: Path) -> list[tuple[str, str, int, int]]:
    from storymap.build import load

    journey = load(story)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for resources in ("inline", "cdn"):
            for basemap in (True, False):
                out = Path(tmp) / f"{resources}-{basemap}.html"
                journey.save(out, resources=resources, basemap=basemap)
                data = out.read_bytes()
                rows.append(
                    (
                        resources,
                        "with" if basemap else "without",
                        len(data),
                        len(gzip.compress(data, compresslevel=9)),
                    )
                )
    return rows


def section(story: Path, rows: list[tuple[str, str, int, int]]) -> str:
    inline = next(r for r in rows if r[0] == "inline" and r[1] == "with")
    met = inline[2] < TARGET_RAW and inline[3] < TARGET_GZIP
    lines = [
        HEADING,
        "",
        f"Story: `{story}`. The page as `storymap build` writes it (default tiles), raw and "
        "compressed with gzip -9, as a web server would send it. *inline* holds Leaflet; *cdn* "
        "loads Leaflet 1.9.3 from unpkg.com (`--resources cdn`); *without* leaves out the "
        "offline basemap (`--no-basemap`).",
        "",
        "| Leaflet | offline basemap | page KB | gzip -9 KB |",
        "|---|---|---:|---:|",
    ]
    for resources, basemap, raw, packed in rows:
        lines.append(f"| {resources} | {basemap} | {raw / 1024:,.1f} | {packed / 1024:,.1f} |")
    verdict = "Target met" if met else "Target not met"
    lines += [
        "",
        f"**{verdict}**: with Leaflet inlined and the offline basemap the page is "
        f"{inline[2] / 1024:,.1f} KB (target: under {TARGET_RAW // 1024} KB) and "
        f"{inline[3] / 1024:,.1f} KB gzipped (target: under {TARGET_GZIP // 1024} KB).",
        "",
        "Reproduce with `python bench/bench_size.py --write docs/benchmarks.md`.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--story", type=Path, default=Path("data/story.yaml"))
    parser.add_argument("--write", type=Path, metavar="MARKDOWN")
    args = parser.parse_args(argv)
    text = section(args.story, measure(args.story))
    print(text)
    if args.write:
        write_section(args.write, text, HEADING)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
