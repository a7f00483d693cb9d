"""The shared writers: atomic replacement and commented YAML."""

from __future__ import annotations

import importlib
import os
import stat
from pathlib import Path

import pytest

from storymap.errors import OutputError
from storymap.files import comment, dump_yaml, replace_file, write_atomic


def test_build_writes_with_the_shared_writer() -> None:
    assert importlib.import_module("storymap.build").write_atomic is write_atomic


def test_replace_file_can_keep_the_mode_and_raises_plain_os_errors(tmp_path: Path) -> None:
    target = tmp_path / "cache.json"
    replace_file(target, "one", keep_mode=True)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # a new file is readable by all
    target.chmod(0o600)
    replace_file(target, b"two", keep_mode=True)
    assert target.read_bytes() == b"two" and stat.S_IMODE(target.stat().st_mode) == 0o600
    replace_file(target, "three")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    with pytest.raises(OSError) as caught:
        replace_file(target / "below", "x")
    assert not isinstance(caught.value, OutputError)
    assert sorted(os.listdir(tmp_path)) == ["cache.json"]


def test_write_atomic_leaves_the_old_file_when_the_rename_fails(tmp_path, monkeypatch) -> None:
    target = tmp_path / "page.html"
    write_atomic(target, "old")

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OutputError, match=r"\(No space left on device\); choose another -o"):
        write_atomic(target, "new")
    assert target.read_text() == "old" and sorted(os.listdir(tmp_path)) == ["page.html"]


def test_dump_yaml_blocks_prose_and_indents_on_request() -> None:
    value = {"title": "T", "text": "two\nlines", "list": ["a"]}
    assert dump_yaml(value) == "title: T\ntext: |-\n  two\n  lines\nlist:\n- a\n"
    assert dump_yaml(value, indent_lists=True).endswith("list:\n  - a\n")
    assert dump_yaml({"a": "x y" * 30}, block_over=80).startswith("a: |-\n")
    assert dump_yaml({"a": "x y" * 30}).startswith("a: x y")
    assert dump_yaml({"a": {"b": 1}}, indent=4) == "    a:\n      b: 1\n"


def test_comment_wraps_with_a_hanging_indent() -> None:
    assert comment(["short", ""]) == ["# short", "#"]
    assert comment(["word " * 30], width=40, indent=2) == [
        "  # word word word word word word word",
        "  #   word word word word word word word",
        "  #   word word word word word word word",
        "  #   word word word word word word word",
        "  #   word word",
    ]
    long = "https://example.org/" + "x" * 100
    assert comment([f"see {long}"], bullet="- ", split_words=False) == ["# - see", f"#   {long}"]
    assert comment([long], bullet="- ", split_words=False) == [f"# - {long}"]
