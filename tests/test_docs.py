"""The README cannot go stale: every story field and mode is documented, the commands are real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storymap import story
from storymap.model import MODES

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def table_fields(heading: str) -> list[str]:
    section = README.split(f"### {heading}\n", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE)


@pytest.mark.parametrize(
    ("heading", "fields"),
    [
        ("Top level", story.TOP_FIELDS),
        ("Source", story.SOURCE_FIELDS),
        ("Place", story.PLACE_FIELDS),
        ("Chapter", story.CHAPTER_FIELDS),
        ("Media", story.MEDIA_FIELDS),
    ],
)
def test_every_story_field_has_a_row(heading: str, fields: tuple[str, ...]) -> None:
    assert table_fields(heading) == list(fields)


def test_every_mode_is_named() -> None:
    line = next(x for x in README.splitlines() if x.startswith("Modes: "))
    assert re.findall(r"`(\w+)`", line) == list(MODES)


def test_the_two_commands_and_ci_agree() -> None:
    assert "python3 -m pip install . && python3 -m storymap build" in README
    test_command = "python3 -m pip install -e '.[test]' && python3 -m pytest"
    assert test_command in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "-e '.[test]'" in ci
    assert re.search(r"^python3 -m pytest\b", ci, flags=re.MULTILINE)


def test_the_error_example_is_what_storymap_says(tmp_path: Path) -> None:
    import subprocess
    import sys

    shown = README.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    (tmp_path / "data").mkdir()
    text = (ROOT / "data" / "story.yaml").read_text(encoding="utf-8")
    text = text.replace("    by: train\n", "    by: horse\n", 1)
    text = text.replace("    lat: 43.39917", "    lat: 143.39917", 1)
    (tmp_path / "data" / "story.yaml").write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "storymap", "build"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == shown


def python_api_section() -> str:
    return README.split("## Python API\n", 1)[1].split("\n## ", 1)[0]


def test_the_python_api_example_runs(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    code = python_api_section().split("```python\n", 1)[1].split("```", 1)[0]
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", tmp_path / "tests" / "fixtures" / "mini")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    page = tmp_path / "out" / "mini.html"
    assert result.stdout.splitlines() == [
        "Across the Tumen 3 legs",
        "moscow Moscow, Russia RU gazetteer",  # the fixture has no warnings
        f"out/mini.html {page.stat().st_size}",
        "tests/fixtures/no-such-story.yaml: no such file; check the path to the story",
    ]


def test_every_public_name_is_in_the_python_api_section() -> None:
    import storymap

    section = python_api_section()
    missing = [n for n in storymap.__all__ if not re.search(rf"`{n}[`(]", section)]
    assert missing == []
