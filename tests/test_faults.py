"""A failed build never leaves a truncated or mixed page, and the same input gives the same
bytes wherever and however it is built."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from storymap.build import build
from storymap.errors import OutputError, StoryError

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path, bytes]:
    shutil.copytree(MINI, tmp_path / "story")
    page = tmp_path / "out" / "page.html"
    build(tmp_path / "story" / "story.yaml", page)
    return tmp_path / "story" / "story.yaml", page, page.read_bytes()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "page.html")


def test_bad_story_leaves_the_page(site) -> None:
    story, page, good = site
    story.write_text(story.read_text().replace("by: bus", "by: hovercraft"), encoding="utf-8")
    with pytest.raises(StoryError):
        build(story, page)
    assert page.read_bytes() == good


def test_missing_route_file_leaves_the_page(site) -> None:
    story, page, good = site
    story.write_text(story.read_text().replace("via: [bridge]", "route: gone.gpx"), "utf-8")
    with pytest.raises(StoryError, match="route file 'gone.gpx' does not exist"):
        build(story, page)
    assert page.read_bytes() == good


def test_unwritable_output_leaves_the_page(site) -> None:
    story, page, good = site
    blocker = page.parent / "not-a-folder"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot write here"):
        build(story, blocker / "page.html")
    assert blocker.read_text(encoding="utf-8") == "a file where a folder should be"
    assert page.read_bytes() == good
    assert leftovers(page.parent) == ["not-a-folder"]


@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError(28, "No space left on device")])
def test_interrupt_or_full_disk_during_the_write(site, monkeypatch, failure) -> None:
    story, page, good = site
    real_fsync = os.fsync

    def fail_midway(fd: int) -> None:  # the new page is half on disk when this happens
        real_fsync(fd)
        raise failure

    monkeypatch.setattr(os, "fsync", fail_midway)
    expected = KeyboardInterrupt if failure is KeyboardInterrupt else OutputError
    with pytest.raises(expected):
        build(story, page)
    assert page.read_bytes() == good
    assert leftovers(page.parent) == [], "no temporary file is left behind"


def test_interrupt_before_the_rename(site, monkeypatch) -> None:
    story, page, good = site

    def interrupted(src, dst) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(story, page)
    assert page.read_bytes() == good
    assert leftovers(page.parent) == []


def test_same_bytes_across_working_directories_and_paths(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "a" / "story")
    (tmp_path / "elsewhere").mkdir()
    runs = [
        (tmp_path / "a", ["story/story.yaml"], "1"),
        (tmp_path / "a" / "story", ["story.yaml"], "2"),
        (tmp_path / "elsewhere", [str(tmp_path / "a" / "story" / "story.yaml")], "random"),
    ]
    pages = []
    for n, (cwd, args, seed) in enumerate(runs):
        out = tmp_path / f"page{n}.html"
        env = {**os.environ, "PYTHONHASHSEED": seed if seed != "random" else "0"}
        if seed == "random":
            env.pop("PYTHONHASHSEED")
        subprocess.run(
            [sys.executable, "-m", "storymap", "build", *args, "-o", str(out)],
            cwd=cwd,
            env=env,
            check=True,
            capture_output=True,
        )
        pages.append(out.read_bytes())
    assert pages[0] == pages[1] == pages[2]
