"""Hostile files meet one error boundary: every failure reading a story and what it names is a
``file:line: field: message`` problem, exit 2, no traceback and nothing written; ``validate``
finds whatever ``build`` would fail on. Each test makes its hostile file itself and runs the
real command."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import time
import zlib
from pathlib import Path

import pytest
from commands import run

PLACES = """\
places:
  a: {name: A, lat: 10, lon: 10}
  b: {name: B, lat: 11, lon: 11}
"""


def story(folder: Path, *, chapter_b: str = "", extra: str = "", title: str = "Hostile") -> Path:
    """A small valid story in ``folder``; ``chapter_b`` adds fields to its second chapter."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "story.yaml"
    text = (
        f"title: {title}\n{extra}{PLACES}journey:\n  - at: a\n    title: Start\n"
        f"  - at: b\n    by: car\n    title: End\n{chapter_b}"
    )
    path.write_text(text, encoding="utf-8")
    return path


def refused(story_file: Path, *, names: str, field: str = "", args: tuple = ()) -> list[str]:
    """Run validate and build on ``story_file``: both exit 2 with one-line problems naming
    ``names`` (a file) and ``field``, no traceback, and no page. Returns build's problems."""
    folder = story_file.parent
    out = folder / "out"
    problems = []
    build = ["build", story_file, "-o", out / "page.html"]
    for command in (["validate", story_file, *args], [*build, *args]):
        done = run(*command, cwd=folder)
        assert done.returncode == 2, (command, done.returncode, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        lines = done.stderr.strip().splitlines()
        assert lines[-1].startswith("storymap: "), lines
        problems = lines[:-1]
        assert problems, done.stderr
        assert any(names in p and field in p for p in problems), (names, field, problems)
        for p in problems:
            assert p.startswith(str(folder)) or p.startswith(names), p
    assert not out.exists(), "nothing is written"
    return problems


# --- 1. unencodable text ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "where",
    [
        ("title", 'title: "bad \\uD800 title"\n', "title"),
        ("chapter text", '    text: "a \\udfff b"\n', "journey.1.text"),
        ("key", '    "\\uD800": x\n', "journey.1"),
    ],
    ids=lambda w: w[0],
)
def test_lone_surrogate(tmp_path: Path, where) -> None:
    _, line, field = where
    if field == "title":
        path = story(tmp_path, title='"bad \\uD800 title"')
    else:
        path = story(tmp_path, chapter_b=line)
    problems = refused(path, names="story.yaml", field=field)
    assert any("surrogate" in p or "cannot be encoded" in p for p in problems), problems


# --- 2. JSON depth and number size --------------------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000
HUGE_NUMBER = '{"type": "LineString", "coordinates": [[1, 2], [' + "9" * 5000 + ", 3]]}"


@pytest.mark.parametrize("text", [DEEP, HUGE_NUMBER], ids=["deep", "huge-number"])
def test_route_geojson(tmp_path: Path, text: str) -> None:
    path = story(tmp_path, chapter_b="    route: route.geojson\n")
    (tmp_path / "route.geojson").write_text(text, encoding="utf-8")
    problems = refused(path, names="story.yaml", field="journey.1.route")
    assert any("route.geojson" in p for p in problems), problems


@pytest.mark.parametrize(
    "text", [DEEP, '{"version": 1, "n": ' + "9" * 5000 + "}"], ids=["deep", "huge-number"]
)
def test_geocache(tmp_path: Path, text: str) -> None:
    path = story(tmp_path, extra="")
    path.write_text(
        path.read_text("utf-8").replace(
            "b: {name: B, lat: 11, lon: 11}", "b: {name: B, query: Qqxzzy Nowhere Town}"
        ),
        encoding="utf-8",
    )
    (tmp_path / "geocache.json").write_text(text, encoding="utf-8")
    refused(path, names="geocache.json")


def walk_json() -> dict:
    source = Path(__file__).parent / "fixtures" / "storymapjs" / "walk.json"
    return json.loads(source.read_text("utf-8"))


def imported(tmp_path: Path, data: str | dict) -> subprocess.CompletedProcess:
    source = tmp_path / "sm.json"
    text = data if isinstance(data, str) else json.dumps(data)
    source.write_text(text, encoding="utf-8")
    return run("import", "storymapjs", source, "-o", tmp_path / "out.yaml", cwd=tmp_path)


@pytest.mark.parametrize(
    "text", [DEEP, '{"storymap": {"slides": [' + "9" * 5000 + "]}}"], ids=["deep", "huge"]
)
def test_storymapjs_json(tmp_path: Path, text: str) -> None:
    done = imported(tmp_path, text)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(str(tmp_path / "sm.json")), done.stderr
    assert not (tmp_path / "out.yaml").exists()


# --- 3. images ------------------------------------------------------------------------------


def chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png(width: int, height: int, rows: bytes | None = None) -> bytes:
    """A grey PNG, its pixel data all zero (so a huge one is small on disk)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    if rows is None:
        packer = zlib.compressobj(9)
        line = b"\x00" * (width + 1)
        rows = b"".join(packer.compress(line) for _ in range(min(height, 50))) + packer.flush()
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def with_image(tmp_path: Path, data: bytes) -> Path:
    path = story(
        tmp_path, chapter_b="    media:\n      - src: picture.png\n        alt: A picture\n"
    )
    (tmp_path / "picture.png").write_bytes(data)
    return path


@pytest.mark.parametrize("broken", ["crc", "length"])
def test_png_with_a_broken_header(tmp_path: Path, broken: str) -> None:
    data = bytearray(png(4, 4))
    if broken == "crc":
        data[29:33] = b"\x00\x00\x00\x00"  # IHDR's CRC
    else:
        data[8:12] = struct.pack(">I", 0xFFFFFFF0)  # IHDR's length
    path = with_image(tmp_path, bytes(data))
    problems = refused(path, names="story.yaml", field="journey.1.media.0.src")
    assert any("picture.png" in p for p in problems), problems


@pytest.mark.parametrize("side", [20_000, 9_000])
def test_png_with_too_many_pixels(tmp_path: Path, side: int) -> None:
    path = with_image(tmp_path, png(side, side))
    assert path.with_name("picture.png").stat().st_size < 100_000
    started = time.monotonic()
    problems = refused(path, names="story.yaml", field="journey.1.media.0.src")
    assert time.monotonic() - started < 30
    assert any("megapixels" in p and "picture.png" in p for p in problems), problems


# --- 4. round the world ---------------------------------------------------------------------


def test_round_the_world_three_times(tmp_path: Path) -> None:
    lons = [0, 100, -160, -60, 40, 140, -120, -20, 80, 180 - 1, -80, 20, 120]
    places = "".join(f"  p{k}: {{name: P{k}, lat: 20, lon: {lon}}}\n" for k, lon in enumerate(lons))
    chapters = "".join(
        f"  - at: p{k}\n    title: Stop {k}\n" + ("    by: flight\n" if k else "")
        for k in range(len(lons))
    )
    path = tmp_path / "story.yaml"
    path.write_text(f"title: Round\nplaces:\n{places}journey:\n{chapters}", encoding="utf-8")
    done = run("build", path, "-o", tmp_path / "page.html", cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "page.html").stat().st_size > 10_000


# --- 5. StoryMapJS links and nesting -------------------------------------------------------------


def test_storymapjs_bad_link_and_deep_nesting(tmp_path: Path) -> None:
    data = walk_json()
    slides = data["storymap"]["slides"]
    slides[1]["text"]["text"] = (
        'See <a href="http://[::1">the port</a> and <a href="http://[x">y</a>.'
    )
    slides[2]["text"]["text"] = "<blockquote>" * 3000 + "deep" + "</blockquote>" * 3000
    slides[2]["media"]["url"] = "http://[::1"
    done = imported(tmp_path, data)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    text = (tmp_path / "out.yaml").read_text("utf-8")
    assert "the port" in text and "deep" in text
    kept = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "http://[" not in kept  # the bad links and the bad media address are dropped
    assert "is not a valid address; dropped" in text
    assert "nested more than" in text
    story_done = run("validate", tmp_path / "out.yaml", cwd=tmp_path)
    assert "Traceback" not in story_done.stderr


# --- 6. reader errors and ids ------------------------------------------------------------------


def test_nul_byte_has_a_line(tmp_path: Path) -> None:
    path = story(tmp_path)
    path.write_text(path.read_text("utf-8") + "    text: a\x00b\n", encoding="utf-8")
    problems = refused(path, names="story.yaml")
    line = len(path.read_text("utf-8").splitlines())
    assert any(p.startswith(f"{path}:{line}: ") for p in problems), problems


def test_id_ending_in_a_newline(tmp_path: Path) -> None:
    path = story(tmp_path, chapter_b='    id: "end\\n"\n')
    problems = refused(path, names="story.yaml", field="journey.1.id")
    assert any("'end\\n'" in p for p in problems), problems


# --- 7. bounded work -------------------------------------------------------------------------


def test_aliases_expanding_past_the_text_budget(tmp_path: Path) -> None:
    text = "x" * 100_000
    chapter = "  - at: b\n    by: car\n    title: T{}\n    text: *t\n"
    chapters = "".join(chapter.format(k) for k in range(2000))
    path = tmp_path / "story.yaml"
    path.write_text(
        f"title: Bomb\nintro: &t {text}\n{PLACES}journey:\n  - at: a\n    title: S\n{chapters}",
        encoding="utf-8",
    )
    assert path.stat().st_size < 300_000
    started = time.monotonic()
    problems = refused(path, names="story.yaml")
    assert time.monotonic() - started < 30
    assert any("20,000,000 bytes" in p and "alias" in p for p in problems), problems


def test_story_file_that_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "story.yaml"
    os.mkfifo(fifo)
    done = run("validate", fifo, cwd=tmp_path, timeout=30)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "not a regular file" in done.stderr


def test_route_named_by_many_chapters_is_read_once(tmp_path: Path, monkeypatch) -> None:
    import storymap.story as story_module
    from storymap import tracks

    path = story(tmp_path, chapter_b="    route: route.geojson\n")
    extra = "".join(
        f"  - at: {'a' if k % 2 else 'b'}\n    by: car\n    title: T{k}\n    route: route.geojson\n"
        for k in range(39)
    )
    path.write_text(path.read_text("utf-8") + extra, encoding="utf-8")
    line = {"type": "LineString", "coordinates": [[10, 10], [10.5, 10.5], [11, 11]]}
    (tmp_path / "route.geojson").write_text(json.dumps(line), encoding="utf-8")
    reads = []
    real = tracks.read_track

    def counted(*args, **kwargs):
        reads.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(story_module, "read_track", counted)
    loaded = story_module.load(path)
    assert len(loaded.chapters) == 41
    assert len(reads) == 1


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "outside", "large"])
def test_geocache_must_be_a_small_regular_file_in_the_folder(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "story"
    path = story(folder)
    path.write_text(
        path.read_text("utf-8").replace(
            "b: {name: B, lat: 11, lon: 11}", "b: {name: B, query: Qqxzzy Nowhere Town}"
        ),
        encoding="utf-8",
    )
    cache = folder / "geocache.json"
    if kind == "dev-zero":
        cache.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(cache)
    elif kind == "outside":
        (tmp_path / "elsewhere.json").write_text('{"version": 1, "entries": {}}', "utf-8")
        cache.symlink_to(tmp_path / "elsewhere.json")
    else:
        with cache.open("wb") as handle:
            handle.truncate(60_000_000)
    started = time.monotonic()
    trusted = ("--allow-outside",) if kind in ("dev-zero", "fifo") else ()
    problems = refused(path, names="geocache.json", args=trusted)
    assert time.monotonic() - started < 30
    expected = {
        "dev-zero": "not a regular file",
        "fifo": "not a regular file",
        "outside": "outside the story's folder",
        "large": "bytes",
    }[kind]
    assert any(expected in p for p in problems), problems


def test_image_shown_by_many_chapters_is_read_once(tmp_path: Path, monkeypatch) -> None:
    import storymap.story as story_module

    media = "    media:\n      - src: picture.png\n        alt: A picture\n"
    path = with_image(tmp_path, png(4, 4))
    extra = "".join(
        f"  - at: {'a' if k % 2 else 'b'}\n    by: car\n    title: T{k}\n{media}" for k in range(39)
    )
    path.write_text(path.read_text("utf-8") + extra, encoding="utf-8")
    reads = []
    real = story_module.read_capped

    def counted(file: Path, limit: int) -> bytes:
        reads.append(file)
        return real(file, limit)

    monkeypatch.setattr(story_module, "read_capped", counted)
    loaded = story_module.load(path)
    assert sum(len(c.media) for c in loaded.chapters) == 40
    assert reads == [path, (tmp_path / "picture.png").resolve()]
