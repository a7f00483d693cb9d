"""Generate the stories of the scale benchmark: many chapters, and one very long GPS track.

Usage: python bench/make_stories.py OUTDIR [--seed 2021]

Writes, each in a folder of its own under OUTDIR:

* ``chapters-10/story.yaml``, ``chapters-100/story.yaml``, ``chapters-1000/story.yaml``: an
  expedition across Eurasia, from the Atlantic coast of Portugal towards the Pacific, its
  stops strung along a wandering path. Every place has an id, a made-up name, ``lat``/``lon``
  and a source; every chapter an id, a title, a date and a short Markdown text; the legs
  cycle through walk, bus, car, train, ferry and flight, each with a duration from its
  length at the mode's usual speed, and every third ground leg bends through a waypoint.
* ``track-500k/story.yaml`` with ``track-500k/track.gpx``: a 2,000 km drive recorded as a
  GPX track of 500,000 points (a point every 4 m or so, with elevation and time, as a
  logger that records by distance writes it), followed by a couple of ordinary chapters.
  The track follows a road-like curve (its turn rate wanders smoothly, with now and then a
  junction) and carries a GPS error that drifts slowly, as a receiver's does, of a couple
  of metres.

Everything comes from ``random.Random(seed)``: the same seed gives the same bytes. Standard
library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
from pathlib import Path

SOURCE = "generated for the benchmark"
CHAPTER_COUNTS = (10, 100, 1000)
TRACK_POINTS = 500_000
TRACK_KM = 2000.0
EARTH_M = 6_371_008.8  # mean radius, for stepping along the track

# The expedition's ends, and the band of latitudes its path keeps to.
START = (38.72, -9.14)  # the Atlantic coast near Lisbon
END = (43.12, 131.89)  # the Pacific coast near Vladivostok
LAT_BAND = (36.0, 58.0)

# How each mode travels: km/h, to give each leg a plausible duration.
MODES = (("walk", 5.0), ("bus", 55.0), ("car", 75.0), ("train", 90.0), ("ferry", 30.0))
FLIGHT_KMH = 750.0

SYLLABLES = (
    "ka",
    "va",
    "ro",
    "li",
    "an",
    "mer",
    "tos",
    "bel",
    "gra",
    "du",
    "sen",
    "vor",
    "ni",
    "ha",
    "pol",
    "ur",
    "ze",
    "mi",
    "lan",
    "tor",
    "ost",
    "rin",
    "ga",
    "bo",
    "ker",
    "sta",
    "vi",
    "el",
    "mo",
    "ran",
    "dor",
    "in",
    "ska",
    "ly",
    "ta",
    "ne",
    "su",
)
SUFFIXES = ("", "", "", "grad", "burg", "ovo", "ia", "holm", "abad", "ino", "sk", "ford")
WEATHER = (
    "under a low grey sky",
    "in bright cold sunshine",
    "through a morning of fog",
    "in steady rain",
    "with the wind at our backs",
    "as the light was going",
)
SIGHTS = (
    "a market that sold nothing but onions",
    "an empty station with a clock that still ran",
    "a river far wider than the map had promised",
    "a monastery on the hill above the road",
    "a line of poplars planted a century ago",
    "a border post with a single bored guard",
)


# --- places and names --------------------------------------------------------------------------


def place_name(rng: random.Random, used: set[str]) -> str:
    """A pronounceable made-up name, not used before."""
    while True:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        name = (word + rng.choice(SUFFIXES)).capitalize()
        if name not in used:
            used.add(name)
            return name


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M / 1000 * math.asin(math.sqrt(min(1.0, h)))


def wandering_path(rng: random.Random, n: int) -> list[tuple[float, float]]:
    """``n`` stops from START to END: even progress eastward, latitude wandering in the band."""
    (lat0, lon0), (lat1, lon1) = START, END
    points = [START]
    lat = lat0
    step_lon = (lon1 - lon0) / max(1, n - 1)
    for k in range(1, n):
        f = k / (n - 1)
        # Pull towards the straight line's latitude, plus a random step in proportion to the leg.
        target = lat0 + (lat1 - lat0) * f + 6 * math.sin(f * math.pi * 3)
        lat += 0.2 * (target - lat) + rng.gauss(0, max(0.05, abs(step_lon) * 0.6))
        lat = min(max(lat, LAT_BAND[0]), LAT_BAND[1])
        lon = lon0 + step_lon * k + rng.gauss(0, abs(step_lon) * 0.25)
        if k == n - 1:
            lat, lon = lat1, lon1
        points.append((round(lat, 5), round(lon, 5)))
    return points


def duration_label(hours: float) -> str:
    minutes = max(5, round(hours * 60 / 5) * 5)
    h, m = divmod(minutes, 60)
    if not h:
        return f"{m}min"
    return f"{h}h{m:02d}m" if m else f"{h}h"


# --- YAML ------------------------------------------------------------------------------------


def q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def block(text: str, indent: str) -> str:
    """A YAML literal block scalar (``|``) holding ``text``."""
    return "|\n" + "".join(f"{indent}{line}\n" if line else "\n" for line in text.split("\n"))


def header(title: str, subtitle: str, intro: str) -> list[str]:
    return [
        "# Generated by bench/make_stories.py for the scale benchmark; not a true story.",
        f"title: {q(title)}",
        f"subtitle: {q(subtitle)}",
        "byline: The storymap benchmark",
        "date: 2021-03-01",
        "intro: " + block(intro, "  ").rstrip("\n"),
        "sources:",
        f"  - title: {q('Generated for the benchmark by bench/make_stories.py')}",
    ]


def place_yaml(pid: str, name: str, lat: float, lon: float) -> list[str]:
    return [
        f"  {pid}:",
        f"    name: {q(name)}",
        f"    lat: {lat:.5f}",
        f"    lon: {lon:.5f}",
        f"    source: {q(SOURCE)}",
    ]


# --- the chapter stories ---------------------------------------------------------------------


def chapter_story(n: int, seed: int) -> str:
    rng = random.Random(f"{seed}-chapters-{n}")
    used: set[str] = set()
    stops = wandering_path(rng, n)
    names = [place_name(rng, used) for _ in stops]
    ids = [f"p{k:04d}-{slug(name)}" for k, name in enumerate(names)]
    lines = header(
        f"Across Eurasia in {n:,} stops",
        "A generated expedition for the scale benchmark",
        f"From the Atlantic to the Pacific in **{n:,} chapters**, by every mode storymap "
        "knows. The places and the text are made up.",
    )
    lines.append("places:")
    for pid, name, (lat, lon) in zip(ids, names, stops, strict=True):
        lines.extend(place_yaml(pid, name, lat, lon))
    lines.append("journey:")
    day = dt.date(2021, 3, 1)
    ground = 0
    for k, (pid, name) in enumerate(zip(ids, names, strict=True)):
        lines.append(f"  - at: {pid}")
        lines.append(f"    id: c{k + 1:04d}")
        title = f"Setting out from {name}" if k == 0 else f"{k + 1}. To {name}"
        lines.append(f"    title: {q(title)}")
        lines.append(f"    date: {day.isoformat()}")
        if k:
            mode_no = (k - 1) % (len(MODES) + 1)
            km = haversine_km(stops[k - 1], stops[k])
            if mode_no == len(MODES):
                mode, kmh = "flight", FLIGHT_KMH
                hours = 0.75 + km / kmh
            else:
                mode, kmh = MODES[mode_no]
                ground += 1
                hours = km * 1.25 / kmh
                if ground % 3 == 0:
                    (lat1, lon1), (lat2, lon2) = stops[k - 1], stops[k]
                    off = rng.uniform(-0.2, 0.2) * max(abs(lat2 - lat1), abs(lon2 - lon1), 0.01)
                    mid = ((lat1 + lat2) / 2 + off, (lon1 + lon2) / 2 - off)
                    lines.append(f"    via: [[{mid[0]:.5f}, {mid[1]:.5f}]]")
            lines.append(f"    by: {mode}")
            lines.append(f"    duration: {duration_label(hours)}")
            day += dt.timedelta(days=max(1, round(hours / 8)))
        text = (
            (
                f"We set out from **{name}** {rng.choice(WEATHER)}. Before we left we saw "
                if k == 0
                else f"We reached **{name}** {rng.choice(WEATHER)}. On the way we passed "
            )
            + f"{rng.choice(SIGHTS)}.\n\n"
            f"- stop {k + 1} of {n}\n"
            f"- notes: [field log](https://example.org/log/{k + 1})"
        )
        lines.append("    text: " + block(text, "      ").rstrip("\n"))
    return "\n".join(lines) + "\n"


# --- the track story -------------------------------------------------------------------------


def track_points(rng: random.Random, count: int, km: float, start: tuple[float, float]):
    """``count`` (lat, lon, ele) points of a drive of about ``km``, starting at ``start``.

    The true path turns as roads do: its turn rate wanders smoothly (an Ornstein-Uhlenbeck
    process), with a junction now and then, and a gentle pull towards the north-east keeps
    it going somewhere. The recorded position adds a GPS error that drifts slowly, about 2 m.
    """
    step = km * 1000 / (count - 1)
    lat, lon = math.radians(start[0]), math.radians(start[1])
    heading = math.radians(60.0)
    goal = math.radians(60.0)
    turn = 0.0
    err_n = err_e = 0.0
    ele = 200.0
    climb = 0.0
    out = []
    gauss, random_ = rng.gauss, rng.random
    for _ in range(count):
        # The recorded point: true position plus the slowly drifting error, in metres.
        dlat = err_n / EARTH_M
        dlon = err_e / (EARTH_M * math.cos(lat))
        out.append((math.degrees(lat + dlat), math.degrees(lon + dlon), ele))
        # Move along the road.
        turn = 0.995 * turn + gauss(0.0, 0.00025)
        if random_() < 1 / 4000:  # a junction: a sharp turn over a few metres
            heading += rng.choice((-1, 1)) * rng.uniform(0.4, 1.5)
        heading += turn + 0.004 * math.sin(goal - heading)
        s = step * (0.6 + 0.8 * random_())
        lat += s * math.cos(heading) / EARTH_M
        lon += s * math.sin(heading) / (EARTH_M * math.cos(lat))
        err_n = 0.98 * err_n + gauss(0.0, 0.4)
        err_e = 0.98 * err_e + gauss(0.0, 0.4)
        climb = 0.99 * climb + gauss(0.0, 0.002)
        ele = max(0.0, ele + climb * s + gauss(0.0, 0.3))
    return out


def write_gpx(path: Path, points, start: dt.datetime) -> None:
    """A GPX 1.1 track of ``points``, written as text, a time stamp every 0.16 s (about 90 km/h)."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<gpx version="1.1" creator="storymap bench/make_stories.py" '
            'xmlns="http://www.topografix.com/GPX/1/1">\n'
            "  <trk>\n    <name>A 2,000 km drive</name>\n    <trkseg>\n"
        )
        base = start.replace(tzinfo=None)
        chunk = []
        for k, (lat, lon, ele) in enumerate(points):
            t = base + dt.timedelta(milliseconds=160 * k)
            chunk.append(
                f'      <trkpt lat="{lat:.7f}" lon="{lon:.7f}"><ele>{ele:.1f}</ele>'
                f"<time>{t.isoformat(timespec='milliseconds')}Z</time></trkpt>\n"
            )
            if len(chunk) == 10_000:
                out.write("".join(chunk))
                chunk.clear()
        out.write("".join(chunk))
        out.write("    </trkseg>\n  </trk>\n</gpx>\n")


def track_story(folder: Path, seed: int, count: int = TRACK_POINTS) -> None:
    rng = random.Random(f"{seed}-track")
    start = (44.43, 26.10)  # in the Balkans; the drive heads north-east across the plains
    points = track_points(rng, count, TRACK_KM, start)
    write_gpx(folder / "track.gpx", points, dt.datetime(2021, 5, 1, 6, 0))
    end = points[-1]
    used: set[str] = set()
    a, b, c, d = (place_name(rng, used) for _ in range(4))
    # The last two stops lie a train ride and a ferry crossing beyond the end of the drive.
    c_at = (end[0] + 1.1, end[1] + 1.9)
    d_at = (c_at[0] + 0.4, c_at[1] + 2.3)
    lines = header(
        f"{TRACK_KM:,.0f} km by car, every few metres",
        "A generated drive for the scale benchmark",
        f"A drive recorded as a GPX track of **{count:,} points**, then a train and a ferry. "
        "The places and the text are made up.",
    )
    lines.append("places:")
    for pid, name, (lat, lon) in (
        ("start", a, start),
        ("end-of-drive", b, end[:2]),
        ("station", c, c_at),
        ("harbour", d, d_at),
    ):
        lines.extend(place_yaml(pid, name, lat, lon))
    lines += [
        "journey:",
        "  - at: start",
        f"    title: {q(f'Leaving {a}')}",
        "    date: 2021-05-01",
        "    text: The car is packed and the logger is on.",
        "  - at: end-of-drive",
        "    by: car",
        "    route: track.gpx",
        f"    duration: {duration_label((count - 1) * 0.16 / 3600)}",
        f"    title: {q(f'The long drive to {b}')}",
        "    date: 2021-05-02",
        "    text: " + block(f"**{count:,} points** of GPS track, every few metres.", "      "),
        "  - at: station",
        "    by: train",
        "    duration: 3h",
        f"    title: {q(f'By train to {c}')}",
        "    date: 2021-05-03",
        "  - at: harbour",
        "    by: ferry",
        "    duration: 5h30m",
        f"    title: {q(f'Over the water to {d}')}",
        "    date: 2021-05-04",
    ]
    (folder / "story.yaml").write_text(
        "\n".join(line.rstrip("\n") for line in lines) + "\n", encoding="utf-8"
    )


# --- main ------------------------------------------------------------------------------------

STORIES = tuple(f"chapters-{n}" for n in CHAPTER_COUNTS) + ("track-500k",)


def make_all(outdir: Path, seed: int = 2021, *, log=None) -> dict[str, Path]:
    """Write every story under ``outdir``; returns each story file by its folder's name."""
    made: dict[str, Path] = {}
    for n in CHAPTER_COUNTS:
        folder = outdir / f"chapters-{n}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "story.yaml").write_text(chapter_story(n, seed), encoding="utf-8")
        made[folder.name] = folder / "story.yaml"
        if log:
            log(f"wrote {folder / 'story.yaml'}")
    folder = outdir / "track-500k"
    folder.mkdir(parents=True, exist_ok=True)
    track_story(folder, seed)
    made[folder.name] = folder / "story.yaml"
    if log:
        log(f"wrote {folder / 'story.yaml'} and {folder / 'track.gpx'}")
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", help="the folder to write the stories into")
    parser.add_argument("--seed", type=int, default=2021, help="random seed (default: 2021)")
    args = parser.parse_args(argv)
    make_all(Path(args.outdir), args.seed, log=lambda m: print(m, file=sys.stderr))
    return 0


if __name__ == "__main__":
    sys.exit(main())
