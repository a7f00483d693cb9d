"""The shared writers: atomic replacement and commented YAML."""

from __future__ import annotations

import importlib
import os
import socket
import stat
import time
from pathlib import Path

import pytest

from storymap.errors import OutputError
from storymap.files import (
    STALE_SECONDS,
    RefusedOutputError,
    check_output,
    comment,
    dump_yaml,
    replace_file,
    write_atomic,
)


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


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    web, real = tmp_path / "web", tmp_path / "real"
    web.mkdir()
    real.mkdir()
    (real / "page.html").write_text("old")
    (web / "page.html").symlink_to("../real/page.html")
    (web / "chain.html").symlink_to("page.html")  # a link to a link
    write_atomic(web / "page.html", "new")
    assert (web / "page.html").is_symlink() and os.readlink(
        web / "page.html"
    ) == "../real/page.html"
    assert (real / "page.html").read_text() == "new"
    write_atomic(web / "chain.html", "newer")
    assert (web / "chain.html").is_symlink() and (real / "page.html").read_text() == "newer"
    # The temporary file went beside the file written, and nothing is left of it.
    assert sorted(os.listdir(real)) == ["page.html"]
    assert sorted(os.listdir(web)) == ["chain.html", "page.html"]
    # A link to a file not there yet makes that file.
    (web / "later.html").symlink_to("../real/later.html")
    write_atomic(web / "later.html", "made")
    assert (web / "later.html").is_symlink() and (real / "later.html").read_text() == "made"


def _kinds(tmp_path: Path) -> list[tuple[str, Path]]:
    folder = tmp_path / "folder"
    folder.mkdir()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    sock = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock))
    server.close()
    link = tmp_path / "link-to-fifo"
    link.symlink_to(fifo)
    return [("a folder", folder), ("a FIFO", fifo), ("a socket", sock), ("a FIFO", link)]


def test_what_is_not_a_regular_file_is_refused_and_kept(tmp_path: Path) -> None:
    for kind, path in _kinds(tmp_path):
        before = sorted(os.listdir(tmp_path))
        with pytest.raises(RefusedOutputError) as refused:
            write_atomic(path, "page")  # a FIFO would block here if it were opened
        message = str(refused.value)
        assert message.startswith(str(path)) and f"is {kind}" in message
        assert "not a regular file; nothing was written" in message and "\n" not in message
        assert sorted(os.listdir(tmp_path)) == before
        with pytest.raises(RefusedOutputError):
            replace_file(path, "cache")
    assert stat.S_ISFIFO(os.lstat(tmp_path / "fifo").st_mode)
    assert (tmp_path / "link-to-fifo").is_symlink()
    assert "(a link to " in str(
        pytest.raises(RefusedOutputError, check_output, tmp_path / "link-to-fifo").value
    )
    # A device is refused before anything is opened (never written to, even as root).
    with pytest.raises(RefusedOutputError, match=r"^/dev/null is a device, not a regular file"):
        check_output(Path("/dev/null"))
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(RefusedOutputError, match="go round in a loop"):
        write_atomic(loop, "x")


def test_a_name_too_long_is_refused_and_a_long_one_written(tmp_path: Path) -> None:
    with pytest.raises(RefusedOutputError, match="the name is too long for the file system"):
        write_atomic(tmp_path / ("x" * 300 + ".html"), "page")
    assert os.listdir(tmp_path) == []
    longest = "é" * 122 + ".html"  # 249 bytes: the file system's limit is 255
    write_atomic(tmp_path / longest, "page")  # the temporary name is shortened, not this one
    assert os.listdir(tmp_path) == [longest]


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("a file, not a folder")
    with pytest.raises(OutputError, match=r"cannot write here \(.+\); choose another -o"):
        write_atomic(tmp_path / "file" / "page.html", "page")  # fails for root too
    assert os.listdir(tmp_path) == ["file"]


def test_stale_temporary_files_of_ours_are_removed_and_nothing_else(tmp_path: Path) -> None:
    old = time.time() - STALE_SECONDS - 60
    stale = [".page.html.k3j_x9a2.storymap.tmp", ".other.geojson.abcdefgh.storymap.tmp"]
    kept = [
        ".page.html.fresh123.storymap.tmp",  # ours, but perhaps a write going on now
        ".page.html.k3j_x9a2.tmp",  # not named like ours
        "page.storymap.tmp",
        "notes.txt",
    ]
    for name in stale + kept:
        (tmp_path / name).write_text("left")
    for name in stale + kept[1:]:
        os.utime(tmp_path / name, (old, old))
    (tmp_path / ".dir.html.abcdefgh.storymap.tmp").mkdir()  # named like ours, but a folder
    (tmp_path / ".ln.html.abcdefgh.storymap.tmp").symlink_to(tmp_path / "notes.txt")
    os.utime(tmp_path / ".ln.html.abcdefgh.storymap.tmp", (old, old), follow_symlinks=False)
    write_atomic(tmp_path / "page.html", "new")
    assert sorted(os.listdir(tmp_path)) == sorted(
        [*kept, "page.html", ".dir.html.abcdefgh.storymap.tmp", ".ln.html.abcdefgh.storymap.tmp"]
    )


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
