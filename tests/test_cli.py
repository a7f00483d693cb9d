"""The command line as a user runs it: a real process, exit codes, messages, files."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from pathlib import Path

import pytest
from commands import run

HERE = Path(__file__).parent
MINI = HERE / "fixtures" / "mini"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder laid out like the project: data/story.yaml and output/."""
    shutil.copytree(MINI, tmp_path / "data")
    (tmp_path / "output").mkdir()
    return tmp_path


def test_build_with_no_arguments_builds_data_story_into_output(project: Path) -> None:
    result = run("build", cwd=project)
    assert result.returncode == 0, result.stderr
    page = project / "output" / "story.html"
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert result.stdout.startswith("wrote output/story.html (")
    assert "4 chapters, 3 legs" in result.stdout
    assert [p.name for p in (project / "output").iterdir()] == ["story.html"], "no temp files left"


def test_build_to_a_named_file_and_a_folder(project: Path) -> None:
    assert run("build", "data/story.yaml", "-o", "site/map.html", cwd=project).returncode == 0
    assert (project / "site" / "map.html").is_file()
    (project / "pages").mkdir()
    assert run("build", "data/story.yaml", "-o", "pages", cwd=project).returncode == 0
    assert (project / "pages" / "story.html").is_file()


def test_tiles_none_and_a_bad_provider(project: Path) -> None:
    assert run("build", "--tiles", "none", cwd=project).returncode == 0
    assert "tile.openstreetmap.org" not in (project / "output" / "story.html").read_text()
    result = run("build", "--tiles", "Nope", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith("storymap build: --tiles: unknown tile provider 'Nope'")


def test_bad_story_exits_2_names_file_line_field_and_keeps_the_old_page(project: Path) -> None:
    assert run("build", cwd=project).returncode == 0
    page = project / "output" / "story.html"
    before = page.read_bytes()
    story = project / "data" / "story.yaml"
    story.write_text(
        story.read_text().replace("by: trolley", "by: rocket").replace("lat: 43.399", "lat: 143"),
        encoding="utf-8",
    )
    result = run("build", cwd=project)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "data/story.yaml:31: places.airport.lat: latitude 143 is out of range; "
        "use a number from -90 to 90"
    )
    assert lines[1].startswith("data/story.yaml:48: journey.1.by: unknown mode 'rocket'; ")
    assert lines[-1] == "storymap: 2 problems in the story; nothing written"
    assert page.read_bytes() == before


def test_unresolvable_place_is_named_with_the_fix(project: Path) -> None:
    story = project / "data" / "story.yaml"
    story.write_text(story.read_text().replace("Moscow, Russia", "Lemuria"), encoding="utf-8")
    result = run("validate", "data/story.yaml", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith("data/story.yaml:34: places.moscow: ")
    assert "Lemuria" in result.stderr and "lat:" in result.stderr
    assert "--geocoder nominatim" in result.stderr


def test_unwritable_output_exits_1_without_traceback(project: Path) -> None:
    blocker = project / "file"
    blocker.write_text("not a folder")
    result = run("build", "-o", "file/inside/page.html", cwd=project)
    assert result.returncode == 1
    assert result.stderr.startswith("storymap: file/inside/page.html: cannot write here")
    assert "Traceback" not in result.stderr


def test_validate_writes_nothing(project: Path) -> None:
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    result = run("validate", "data/story.yaml", cwd=project)
    assert result.returncode == 0
    first, table = result.stdout.split("\n", 1)
    assert first == "data/story.yaml: valid: 4 chapters, 5 places"
    assert "looked up:" in table and "Moscow, Russia" in table and "gazetteer" in table
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


def test_export_geojson(project: Path) -> None:
    result = run("export", "data/story.yaml", "-o", "story.geojson", cwd=project)
    assert result.returncode == 0, result.stderr
    data = json.loads((project / "story.geojson").read_text())
    points = [f for f in data["features"] if f["geometry"]["type"] == "Point"]
    lines = [f for f in data["features"] if f["geometry"]["type"] != "Point"]
    assert [p["properties"] for p in points][1] == {
        "chapter": 2,
        "id": "khasan",
        "place": "khasan",
        "name": "Khasan",
        "title": "Over the bridge",
    }
    assert points[1]["geometry"]["coordinates"] == [130.6462, 42.4296]
    trolley = lines[0]["properties"]
    assert (trolley["chapter"], trolley["mode"], trolley["from"], trolley["to"]) == (
        2,
        "trolley",
        "tumangang",
        "khasan",
    )
    assert 1.5 < trolley["length_km"] < 3 and trolley["duration_h"] == 1
    assert "duration_h" not in lines[1]["properties"]
    assert lines[2]["properties"]["mode"] == "flight"
    stdout = run("export", "data/story.yaml", cwd=project)
    assert json.loads(stdout.stdout) == data


@pytest.mark.parametrize("command", ["build", "validate", "export"])
def test_help(command: str, project: Path) -> None:
    result = run(command, "--help", cwd=project)
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: storymap {command}")


def test_no_command_and_unknown_option(project: Path) -> None:
    assert run(cwd=project).returncode == 2
    result = run("build", "--colour", "red", cwd=project)
    assert result.returncode == 2 and "unrecognized arguments: --colour" in result.stderr


def test_user_agent_without_geocoder(project: Path) -> None:
    result = run("build", "--user-agent", "me", cwd=project)
    assert result.returncode == 2
    assert "--user-agent goes with --geocoder" in result.stderr


def test_export_gpx_reads_back_with_gpxpy(project: Path) -> None:
    import gpxpy

    result = run("export", "data/story.yaml", "-o", "story.gpx", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "wrote story.gpx: 4 waypoints, 3 tracks\n"
    gpx = gpxpy.parse((project / "story.gpx").read_text(encoding="utf-8"))
    assert gpx.creator == "storymap"
    assert [w.name for w in gpx.waypoints] == [
        "1. At the border station",
        "2. Over the bridge",
        "3. To the airport",
        "4. Home",
    ]
    assert (gpx.waypoints[1].latitude, gpx.waypoints[1].longitude) == (42.4296, 130.6462)
    assert [t.type for t in gpx.tracks] == ["trolley", "bus", "flight"]
    trolley = gpx.tracks[0].segments[0].points
    assert (trolley[0].latitude, trolley[0].longitude) == (42.4134, 130.6279)
    assert (trolley[-1].latitude, trolley[-1].longitude) == (42.4296, 130.6462)
    flight = gpx.tracks[2]
    assert 6000 < flight.length_2d() / 1000 < 7000
    same = run("export", "data/story.yaml", "--format", "gpx", cwd=project)
    assert same.stdout == (project / "story.gpx").read_text(encoding="utf-8")


def test_import_storymapjs_writes_a_story_that_builds(tmp_path: Path) -> None:
    storm = HERE / "fixtures" / "storymapjs" / "storm.json"
    result = run("import", "storymapjs", str(storm), "-o", "k.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("wrote k.yaml: 6 chapters, 5 places; ")
    assert (tmp_path / "k.yaml").read_text().startswith("# Imported from the StoryMapJS story")
    assert run("build", "k.yaml", "-o", "k.html", cwd=tmp_path).returncode == 0
    again = run("import", "storymapjs", str(storm), "-o", "k.yaml", cwd=tmp_path)
    assert again.returncode == 2
    assert "k.yaml exists; choose another -o, or add --force to replace it" in again.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"storymap": {"slides": [}', encoding="utf-8")
    broken = run("import", "storymapjs", str(bad), cwd=tmp_path)
    assert broken.returncode == 2 and broken.stderr.startswith(f"{bad}:1:")


def test_geocode_command_against_a_local_nominatim(tmp_path: Path) -> None:
    """The command a user runs, against a server on 127.0.0.1 answering like Nominatim."""
    from nominatim_server import NominatimServer

    (tmp_path / "story.yaml").write_text(
        "title: Legends\n"
        "places:\n"
        "  home: {name: Home, lat: 51.5, lon: -0.1}\n"
        "  isle: {name: Avalon}\n"
        "  city: {name: Lost city, query: Cibola}\n"
        "journey:\n"
        "  - {at: home, title: Start}\n"
        "  - {at: isle, by: ferry, title: The isle}\n"
        "  - {at: city, by: flight, title: The city}\n",
        encoding="utf-8",
    )
    assert run("validate", "story.yaml", cwd=tmp_path).returncode == 2  # not known offline
    with NominatimServer() as server:
        result = run(
            "geocode",
            "story.yaml",
            "--geocoder",
            "nominatim",
            "--user-agent",
            "storymap-tests",
            "--geocoder-url",
            f"http://{server.domain}",
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        assert "2 found" in result.stderr
        assert sorted(server.queries) == ["Avalon", "Cibola"]
        assert {r.user_agent for r in server.requests} == {"storymap-tests"}
        cache = json.loads((tmp_path / "geocache.json").read_text(encoding="utf-8"))
        entry = next(e for e in cache["entries"].values() if e["query"] == "Cibola")
        assert (entry["lat"], entry["lon"], entry["provider"]) == (5.0, -61.0, "nominatim")
        assert entry["retrieved"]
        # Later builds read the cache and ask nothing.
        before = len(server.requests)
        assert run("build", "story.yaml", "-o", "page.html", cwd=tmp_path).returncode == 0
        assert len(server.requests) == before


def test_draft_command_on_the_article(tmp_path: Path) -> None:
    article = HERE / "fixtures" / "article" / "article.txt"
    result = run("draft", str(article), "-o", "draft.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("wrote draft.yaml: 7 places, ")
    text = (tmp_path / "draft.yaml").read_text(encoding="utf-8")
    for name in ("Pyongyang", "Chongjin", "Friendship Bridge", "Khasan", "Vladivostok", "Moscow"):
        assert name in text
    todo = run("validate", "draft.yaml", cwd=tmp_path)
    assert todo.returncode == 2 and "journey.5.by: required field is missing" in todo.stderr
    lines = text.splitlines()  # fill the one TODO the validator reports: Khasan to the airport
    at = lines.index("  - at: vladivostok_airport")
    lines.insert(at + 1, "    by: bus")
    (tmp_path / "draft.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run("validate", "draft.yaml", cwd=tmp_path).returncode == 0
    assert run("draft", str(article), "-o", "draft.yaml", cwd=tmp_path).returncode == 2


def test_the_module_docstring_names_every_command() -> None:
    import argparse

    from storymap import cli

    (commands,) = (a for a in cli.parser()._actions if isinstance(a, argparse._SubParsersAction))
    summary = cli.__doc__.split("\n\n", 1)[0]
    assert set(re.findall(r"``(?:storymap )?(\w+)``", summary)) == set(commands.choices)


ARTICLE = HERE / "fixtures" / "article" / "article.txt"
STORM = HERE / "fixtures" / "storymapjs" / "storm.json"


@pytest.mark.parametrize(
    ("args", "written"),
    [
        (["build", "data/story.yaml", "-o", "new/"], "new/story.html"),
        (["build", "data/story.yaml", "-o", "new/deeper/page.html"], "new/deeper/page.html"),
        (["export", "data/story.yaml", "-o", "new/"], "new/story.geojson"),
        (["export", "data/story.yaml", "-o", "new/", "--format", "gpx"], "new/story.gpx"),
        (["export", "data/story.yaml", "-o", "new/deeper/trip.gpx"], "new/deeper/trip.gpx"),
        (["draft", str(ARTICLE), "-o", "new/"], "new/article.yaml"),
        (["draft", str(ARTICLE), "-o", "new/deeper/draft.yaml"], "new/deeper/draft.yaml"),
        (["import", "storymapjs", str(STORM), "-o", "new/"], "new/storm.yaml"),
        (["import", "storymapjs", str(STORM), "-o", "new/x/k.yaml"], "new/x/k.yaml"),
    ],
)
def test_o_makes_missing_folders(args: list[str], written: str, project: Path) -> None:
    result = run(*args, cwd=project)
    assert result.returncode == 0, result.stderr
    assert f"wrote {written}" in result.stdout
    assert (project / written).is_file() and (project / written).stat().st_size > 0
    assert sorted(p.name for p in (project / written).parent.iterdir()) == [Path(written).name]


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["build", "data/story.yaml", "-o", "data/story.yaml"], "the story"),
        (["build", "data/story.yaml", "-o", "./data/../data/story.yaml"], "the story"),
        (["build", "data/story.yaml", "-o", "link.yaml"], "the story"),
        (["build", "data/story.yaml", "-o", "data/media/dot.png"], "an image of the story"),
        (["build", "data/story.yaml", "-o", "data/geocache.json"], "the story's geocoding cache"),
        (["watch", "data/story.yaml", "-o", "link.yaml", "--port", "0"], "the story"),
        (["watch", "data/story.yaml", "-o", "data/media/dot.png", "--port", "0"], "an image"),
        (["export", "data/story.yaml", "-o", "./data/story.yaml"], "the story"),
        (["export", "data/story.yaml", "-o", "data/media/dot.png"], "an image of the story"),
        (["draft", "article.txt", "-o", "./article.txt", "--force"], "the article"),
        (
            ["import", "storymapjs", "storm.json", "-o", "storm.json", "--force"],
            "the file to convert",
        ),
    ],
)
def test_o_naming_an_input_is_refused_and_the_input_kept(
    args: list[str], what: str, project: Path
) -> None:
    shutil.copy(ARTICLE, project / "article.txt")
    shutil.copy(STORM, project / "storm.json")
    (project / "data" / "geocache.json").write_text('{"entries": {}}\n', encoding="utf-8")
    (project / "link.yaml").symlink_to(project / "data" / "story.yaml")
    files = [p for p in project.rglob("*") if p.is_file() and not p.is_symlink()]
    before = {p: p.read_bytes() for p in files}
    result = run(*args, cwd=project)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"storymap {args[0]}: -o ") and "would overwrite " + what in line
    assert line.endswith("; choose another -o")
    assert {p: p.read_bytes() for p in files} == before
    assert (project / "link.yaml").is_symlink()
    assert not (project / "output" / "story.html").exists()


BAD_OPTIONS = [
    (["build", "--geocoder", "google"], "unknown geocoder 'google'; choose one of: nominatim"),
    (["build", "--geocoder", "nominatim"], "needs a user agent that names your application;"),
    (["validate", "data/story.yaml", "--geocoder", "x"], "unknown geocoder 'x'"),
    (["export", "data/story.yaml", "--geocoder", "x"], "unknown geocoder 'x'"),
    (["geocode", "data/story.yaml", "--geocoder", "x", "--user-agent", "a/1"], "geocoder 'x'"),
    (["geocode", "data/story.yaml", "--geocoder", "nominatim"], "--user-agent"),
    (
        [
            "geocode",
            "data/story.yaml",
            "--geocoder",
            "nominatim",
            "--user-agent",
            "a/1",
            "--geocoder-url",
            "ftp://x",
        ],
        "--geocoder-url: 'ftp://x' is not an http(s) address",
    ),
    (["build", "--tiles", "Nope"], "--tiles: unknown tile provider 'Nope'"),
    (["watch", "--tiles", "Nope"], "--tiles: unknown tile provider 'Nope'"),
    (["build", "--resources", "web"], "argument --resources: invalid choice: 'web'"),
    (["watch", "--port", "70000"], "'70000' is not a port; use a number from 1 to 65535"),
    (["watch", "--port", "-1"], "'-1' is not a port"),
    (["watch", "--port", "eighty"], "'eighty' is not a port"),
    (["export", "data/story.yaml", "--format", "kml"], "argument --format: invalid choice"),
    (["embed", "output/page.html", "--ratio", "wide"], "--ratio: 'wide' is not an aspect ratio"),
    (["embed", "output/page.html", "--ratio", "0:9"], "--ratio: '0:9' is not an aspect ratio"),
    (["import", "arcgis", "x.json"], "argument kind: invalid choice: 'arcgis'"),
    (["build", "missing.yaml"], "missing.yaml: no such file"),
    (["validate", "missing.yaml"], "missing.yaml: no such file"),
    (["export", "missing.yaml"], "missing.yaml: no such file"),
    (["watch", "missing.yaml", "--port", "0"], "missing.yaml: no such file"),
    (["geocode", "missing.yaml", "--geocoder", "nominatim", "--user-agent", "a/1"], "no such"),
    (["draft", "missing.txt"], "missing.txt: no such file"),
    (["import", "storymapjs", "missing.json"], "missing.json: no such file"),
    (["embed", "missing.html"], "missing.html: no such page"),
    (["build", "--colour", "red"], "unrecognized arguments: --colour"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["validate"], "the following arguments are required: story"),
]


@pytest.mark.parametrize(("args", "message"), BAD_OPTIONS, ids=lambda v: " ".join(v)[:40])
def test_a_wrong_argument_exits_2_with_one_line(
    args: list[str], message: str, project: Path
) -> None:
    (project / "output" / "page.html").write_text("<html></html>", encoding="utf-8")
    result = run(*args, cwd=project)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    if lines[-1:] == ["storymap: 1 problem in the story; nothing written"]:
        lines.pop()  # a missing story is reported as a story's problems are
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert result.stdout == ""


def test_an_unreachable_geocoder_is_said_once_in_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port on 127.0.0.1 that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tmp_path / "story.yaml").write_text(
        "title: Legends\n"
        "places:\n"
        "  home: {name: Home, lat: 51.5, lon: -0.1}\n"
        "  isle: {name: Avalon}\n"
        "journey:\n"
        "  - {at: home, title: Start}\n"
        "  - {at: isle, by: ferry, title: The isle}\n",
        encoding="utf-8",
    )
    url = f"http://127.0.0.1:{port}"
    result = run(
        "geocode", "story.yaml", "--geocoder", "nominatim", "--user-agent", "storymap-tests",
        "--geocoder-url", url, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1, "an online geocoder failed, as the README says"
    assert "Traceback" not in result.stderr
    said = [line for line in result.stderr.splitlines() if "could not be reached" in line]
    assert said == [
        "story.yaml:4: places.isle: OpenStreetMap Nominatim geocoder could not be reached "
        "(connection refused) looking up 'Avalon' (4 attempts); check the network connection "
        "and the service address, or try again later"
    ]
    assert result.stderr.splitlines()[-1] == (
        "storymap geocode: stopped; 1 place without coordinates: 1 failed"
    )
    assert not (tmp_path / "geocache.json").exists()


# Each command that writes a file with -o, and the name it gives the file in a folder.
WRITERS = {
    "build": (["build", "data/story.yaml", "--tiles", "none", "--no-basemap"], "story.html"),
    "export": (["export", "data/story.yaml"], "story.geojson"),
    "draft": (["draft", "article.txt", "--force"], "article.yaml"),
    "import": (["import", "storymapjs", "storm.json", "--force"], "storm.yaml"),
    "watch": (["watch", "data/story.yaml", "--port", "0", "--no-basemap"], "story.html"),
}


@pytest.fixture
def sources(project: Path) -> Path:
    shutil.copy(ARTICLE, project / "article.txt")
    shutil.copy(STORM, project / "storm.json")
    return project


@pytest.mark.parametrize("command", ["build", "export", "draft", "import"])
def test_o_on_a_symlink_writes_the_file_it_points_to(command: str, sources: Path) -> None:
    args, _ = WRITERS[command]
    (sources / "real").mkdir()
    (sources / "web").mkdir()
    (sources / "real" / "out.txt").write_text("old", encoding="utf-8")
    (sources / "web" / "out.txt").symlink_to("../real/out.txt")
    result = run(*args, "-o", "web/out.txt", cwd=sources)
    assert result.returncode == 0, result.stderr
    assert os.readlink(sources / "web" / "out.txt") == "../real/out.txt", "still the same link"
    written = (sources / "real" / "out.txt").read_text(encoding="utf-8")
    assert written != "old" and len(written) > 100
    assert os.listdir(sources / "real") == ["out.txt"], "no temporary file left"
    assert os.listdir(sources / "web") == ["out.txt"]


def _not_a_file(kind: str, where: Path) -> None:
    if kind == "FIFO":
        os.mkfifo(where)
    elif kind == "folder":
        where.mkdir()
    elif kind == "link to a FIFO":
        os.mkfifo(where.parent / "fifo")
        where.symlink_to("fifo")
    else:  # a character device like /dev/null, made here so that nothing real is at stake
        try:
            os.mknod(where, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("making a device needs root (a FIFO and a folder are tested without)")


@pytest.mark.parametrize("kind", ["FIFO", "folder", "link to a FIFO", "device"])
@pytest.mark.parametrize("command", list(WRITERS))
def test_o_that_is_not_a_regular_file_is_refused(command: str, kind: str, sources: Path) -> None:
    args, name = WRITERS[command]
    (sources / "site").mkdir()
    _not_a_file(kind, sources / "site" / name)  # -o site names site/<name>
    before = sorted(os.listdir(sources / "site"))
    result = run(*args, "-o", "site", cwd=sources)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    shown = {"link to a FIFO": "FIFO"}.get(kind, kind)
    assert line.startswith(f"storymap {command}: site/{name}")
    assert f"is a {shown}" in line and "not a regular file; nothing was written" in line
    assert sorted(os.listdir(sources / "site")) == before
    assert not (sources / "site" / name).is_file()


@pytest.mark.parametrize("command", list(WRITERS))
def test_o_with_a_name_too_long_is_one_line(command: str, sources: Path) -> None:
    args, _ = WRITERS[command]
    before = sorted(p.name for p in sources.iterdir())
    name = "x" * 300 + ".out"
    result = run(*args, "-o", name, cwd=sources)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr == (
        f"storymap {command}: {name}: the name is too long for the file system; "
        "choose a shorter one\n"
    )
    assert sorted(p.name for p in sources.iterdir()) == before


ESCAPED_STORY = (
    'title: "Fake\\e[32m valid\\r"\n'
    "places:\n"
    '  a: {name: "A\\e[32m\\rB", lat: 50, lon: 10}\n'
    '  b: {name: "B\\e[32m\\r\\u202e", query: Berlin}\n'
    "journey:\n"
    '  - {at: a, title: "one\\e[32m"}\n'
    "  - {at: b, title: two, by: train}\n"
)


def test_story_text_is_printed_with_control_characters_escaped(tmp_path: Path) -> None:
    (tmp_path / "story.yaml").write_text(ESCAPED_STORY, encoding="utf-8")
    raw = ("\x1b", "\r", "\u202e")
    validate = run("validate", "story.yaml", cwd=tmp_path)
    build = run("build", "story.yaml", "-o", "page.html", "--tiles", "none", cwd=tmp_path)
    for result in (validate, build):
        assert result.returncode == 0, result.stderr
        assert not any(c in result.stdout + result.stderr for c in raw)
        assert result.stderr.startswith(
            "warning: story.yaml:3: places.a: the coordinates of 'A\\x1b[32m\\rB' have no source"
        )
    table = validate.stdout.splitlines()
    assert table[0] == "story.yaml: valid: 2 chapters, 2 places"
    assert table[-1].split()[:3] == ["b", "B\\x1b[32m\\r\\u202e", "Berlin,"]
    # As JSON, the same text escaped as JSON escapes it: the value read back is the story's.
    listed = run("validate", "story.yaml", "--json", cwd=tmp_path)
    assert not any(c in listed.stdout for c in raw)
    assert json.loads(listed.stdout)["looked_up"][0]["name"] == "B\x1b[32m\r\u202e"
    # A problem that quotes the story, one line each.
    (tmp_path / "story.yaml").write_text(
        ESCAPED_STORY.replace("{at: b,", '{at: "nowhere\\e[32m\\r\\u202e",'), encoding="utf-8"
    )
    bad = run("validate", "story.yaml", cwd=tmp_path)
    assert bad.returncode == 2
    assert not any(c in bad.stderr for c in raw)
    assert "unknown place 'nowhere\\x1b[32m\\r\\u202e'" in bad.stderr.splitlines()[0]
