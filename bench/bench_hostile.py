"""Large inputs: "did you mean" over a story of many places, and ``draft`` of a long article.

Usage: python bench/bench_hostile.py [--places 10000] [--bad 300] [--article-kb 1200]
                                     [--write docs/benchmarks.md]

Suggestions. A story of ``--places`` made-up places (``bench/make_stories.py``'s names) whose
journey names ``--bad`` of them misspelt (a letter dropped, changed or added) is loaded with
``storymap.story.load``; every bad reference is a problem with a "did you mean". Reported: the
time of the load and how many problems carry a suggestion, for a quarter, a half and all of
the places, so that the growth shows.

Draft. An article is generated from sentences that travel between towns of the offline
gazetteer and talk about buses, trains, flights and ferries (a new town every few sentences,
cue words in most), in paragraphs, up to ``--article-kb`` kilobytes; a second names a town at
its start and one at its end, with only cue-laden sentences between them; a third is the seed
article (``../shared/seed/article.txt`` when present, else a built-in paragraph) repeated to
the same size. ``storymap.draft.draft`` runs on each at a quarter, a half and the whole size.
Reported: characters, places and chapters found, and the time.

Each time is the best of ``--runs`` (3). With ``--write``, the section ``## Large inputs`` of the
Markdown file is replaced (or added). Standard library and storymap.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import make_stories  # noqa: E402
from _report import machine, write_section  # noqa: E402

HEADING = "## Large inputs"
SUGGEST_TARGET_S = 5.0  # 10,000 places, 300 bad references
DRAFT_TARGET_S = 10.0  # a 1.2 MB article
SEED = ROOT.parent / "shared" / "seed" / "article.txt"
FALLBACK_SEED = (
    "Eight diplomats left Pyongyang by train and reached Tumangang after a day. From there "
    "they pushed a rail car over the bridge over the Tumannaya River to Khasan, where a bus "
    "took them to the airport in Vladivostok. They flew on to Moscow the next morning.\n\n"
)


def best_of(runs: int, work) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


# --- suggestions -----------------------------------------------------------------------------


def misspelt(rng: random.Random, word: str, known: set[str]) -> str:
    while True:
        k = rng.randrange(1, len(word))
        letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
        bad = rng.choice(
            [
                word[:k] + word[k + 1 :],
                word[:k] + letter + word[k + 1 :],
                word[:k] + letter + word[k:],
            ]
        )
        if bad not in known:
            return bad


def suggestion_story(folder: Path, places: int, bad: int, seed: int = 12) -> Path:
    rng = random.Random(seed)
    used: set[str] = set()
    names = [make_stories.place_name(rng, used) for _ in range(places)]
    ids = [make_stories.slug(name) for name in names]
    known = set(ids)
    lines = ["title: Many places", "places:"]
    for k, (pid, name) in enumerate(zip(ids, names, strict=True)):
        lines.append(f"  {pid}: {{name: {name}, lat: {k % 170 - 85}, lon: {k % 350 - 175}}}")
    lines += ["journey:", f"  - at: {ids[0]}", "    title: Start"]
    for k in range(bad):
        lines += [f"  - at: {misspelt(rng, rng.choice(ids), known)}", f"    title: C{k}"]
        lines.append("    by: car")
    path = folder / f"places-{places}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bench_suggestions(places: int, bad: int, runs: int) -> list[dict]:
    from storymap.errors import StoryError
    from storymap.story import load

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in (places // 4, places // 2, places):
            story = suggestion_story(Path(tmp), count, bad)

            def work(story=story):
                try:
                    load(story)
                except StoryError as e:
                    return e.problems
                return []

            seconds, problems = best_of(runs, work)
            rows.append(
                {
                    "places": count,
                    "bad": bad,
                    "problems": len(problems),
                    "hinted": sum("did you mean" in p.message for p in problems),
                    "seconds": seconds,
                }
            )
    return rows


# --- draft -----------------------------------------------------------------------------------

TRAVEL = [
    "On day {day} the group left {a} by bus and reached {b} before dark.",
    "From {a} they took the night train to {b}, sharing a compartment with soldiers.",
    "The flight from {a} landed in {b} two hours late.",
    "A ferry carried them across the bay from {a} to {b}.",
    "They walked the last miles from {a} into {b} along the railway.",
    "In {b} the car that had brought them from {a} broke down at last.",
]
FILLER = [
    "The bus was crowded and the driver smoked without a pause.",
    "Nobody on the train knew when the next flight would leave.",
    "A ferry horn sounded somewhere behind the warehouses.",
    "They talked about the trolley, the truck and the taxi they had missed.",
    "Officials checked their papers twice, once at the station and once on the platform.",
    "It was snowing, and the road to the airport was closed for the night.",
]


def towns(count: int) -> list[str]:
    from storymap.draft import COMMON_WORDS, FUNCTION_WORDS
    from storymap.geocode import Gazetteer

    out, seen = [], set()
    for entry in Gazetteer.load().entries:
        name = entry.name
        words = name.split()
        if (
            len(words) == 1
            and name.isalpha()
            and name[0].isupper()
            and name.lower() not in COMMON_WORDS
            and name.lower() not in FUNCTION_WORDS
            and name not in seen
        ):
            seen.add(name)
            out.append(name)
        if len(out) == count:
            break
    return out


def travel_article(size: int, seed: int = 12) -> str:
    rng = random.Random(seed)
    names = towns(600)
    parts = ["Across the continent by every means\n\n"]
    length, day, here = len(parts[0]), 1, names[0]
    while length < size:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            if rng.random() < 0.35:
                there = rng.choice(names)
                sentences.append(rng.choice(TRAVEL).format(day=day, a=here, b=there))
                here, day = there, day + 1
            else:
                sentences.append(rng.choice(FILLER))
        paragraph = " ".join(sentences) + "\n\n"
        parts.append(paragraph)
        length += len(paragraph)
    return "".join(parts)[:size]


def seed_article(size: int) -> str:
    seed = SEED.read_text(encoding="utf-8") if SEED.exists() else FALLBACK_SEED
    body = seed if seed.endswith("\n\n") else seed.rstrip("\n") + "\n\n"
    return (body * (size // len(body) + 1))[:size]


def long_leg_article(size: int, seed: int = 12) -> str:
    """A town at the start, another at the end, and between them only the ways of getting
    there: one leg whose words are full of cues."""
    rng = random.Random(seed)
    start, end = towns(2)
    head = f"From {start} to the coast\n\nThe group set out from {start} at dawn.\n\n"
    tail = f"\n\nAt last they reached {end}.\n"
    parts, length = [head], len(head) + len(tail)
    while length < size:
        paragraph = " ".join(rng.choice(FILLER) for _ in range(rng.randint(3, 6))) + "\n\n"
        parts.append(paragraph)
        length += len(paragraph)
    return "".join(parts)[: size - len(tail)] + tail


def bench_draft(size_kb: int, runs: int) -> list[dict]:
    from storymap.draft import draft

    rows = []
    kinds = (
        ("travel", travel_article),
        ("one long leg", long_leg_article),
        ("seed repeated", seed_article),
    )
    for kind, make in kinds:
        for size in (size_kb * 1000 // 4, size_kb * 1000 // 2, size_kb * 1000):
            text = make(size)
            seconds, result = best_of(runs, lambda text=text: draft(text))
            rows.append(
                {
                    "article": kind,
                    "chars": len(text),
                    "places": len(result.found),
                    "chapters": len(result.story["journey"]),
                    "seconds": seconds,
                }
            )
    return rows


# --- report ----------------------------------------------------------------------------------


def section(suggestions: list[dict], drafts: list[dict], runs: int) -> str:
    m = machine()
    last = suggestions[-1]
    whole = [r for r in drafts if r["chars"] == max(d["chars"] for d in drafts)]
    lines = [
        HEADING,
        "",
        f"Measured with `python bench/bench_hostile.py` on {m['date']} ({m['python']}, "
        f"{m['platform']}, {m['nproc']} CPUs, load average {m['load']}); each time the best of "
        f"{runs}.",
        "",
        f"**Suggestions.** A story of many made-up places whose journey names {last['bad']} "
        "of them misspelt, loaded with `storymap.story.load`; every bad reference is a "
        'problem, with a "did you mean" when a place is close enough. Target: '
        f"{SUGGEST_TARGET_S:.0f} s for {last['places']:,} places "
        f"({'met' if last['seconds'] < SUGGEST_TARGET_S else 'NOT met'}).",
        "",
        "| places | bad references | problems | with a suggestion | load s |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in suggestions:
        lines.append(
            f"| {r['places']:,} | {r['bad']:,} | {r['problems']:,} | {r['hinted']:,} | "
            f"{r['seconds']:.2f} |"
        )
    slowest = max(r["seconds"] for r in whole)
    lines += [
        "",
        "**Draft.** `storymap.draft.draft` on generated articles: *travel* moves between towns "
        "of the offline gazetteer in sentences full of buses, trains, flights and ferries; "
        "*one long leg* names a town at the start and another at the end, and between them "
        "only buses, trains and ferries; *seed repeated* is the sample article over and over. "
        "Target: "
        f"{DRAFT_TARGET_S:.0f} s for {max(r['chars'] for r in drafts) / 1e6:.1f} MB "
        f"({'met' if slowest < DRAFT_TARGET_S else 'NOT met'}).",
        "",
        "| article | characters | places | chapters | draft s |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in drafts:
        lines.append(
            f"| {r['article']} | {r['chars']:,} | {r['places']:,} | {r['chapters']:,} | "
            f"{r['seconds']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=10_000)
    parser.add_argument("--bad", type=int, default=300)
    parser.add_argument("--article-kb", type=int, default=1200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    suggestions = bench_suggestions(args.places, args.bad, args.runs)
    drafts = bench_draft(args.article_kb, args.runs)
    text = section(suggestions, drafts, args.runs)
    print(text)
    if args.write:
        write_section(args.write, text, HEADING)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
