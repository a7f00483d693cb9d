"""Writing files: atomically, and stories as YAML headed by comments.

- :func:`write_atomic` writes a page, an export or a story: readers see the old file or the
  new one, never a mix, and a failure is an :class:`~storymap.errors.OutputError`.
- :func:`refuse_inputs` refuses an output that is one of the files a command reads.
- :func:`replace_file` is the same write without that translation (the geocoding cache uses
  it, keeping the cache's own file mode).
- :func:`dump_yaml` and :func:`comment` put a story together as the draft and the importers
  write it: block text for prose, ``#`` comments wrapped to the line.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from storymap.errors import OutputError

__all__ = [
    "InputOverwriteError",
    "comment",
    "dump_yaml",
    "refuse_inputs",
    "replace_file",
    "write_atomic",
]


class InputOverwriteError(OutputError):
    """The output named is a file the command reads (the story, a route file, an image…);
    nothing is written. A wrong argument rather than a failed write: ``storymap`` exits 2."""


def _same(a: Path, b: Path) -> bool:
    try:
        if os.path.samefile(a, b):  # also a symlink, or a hard link, to the same file
            return True
    except OSError:
        pass
    return a.resolve() == b.resolve()


def refuse_inputs(target: Path, inputs: Iterable[tuple[str | os.PathLike[str], str]]) -> None:
    """Raise :class:`InputOverwriteError` when ``target`` is one of ``inputs``, pairs of a
    path and what it is (``"the story"``), compared as resolved paths and as files on disk,
    so that ``./``, ``..`` and symlinks are seen through."""
    for path, what in inputs:
        if _same(Path(target), Path(path)):
            raise InputOverwriteError(
                f"-o {target} would overwrite {what} ({path}); choose another -o"
            )


def replace_file(path: Path, data: str | bytes, *, keep_mode: bool = False) -> None:
    """Replace ``path`` with ``data`` in one rename; raises OSError, leaving the target whole.

    The data goes to a temporary file in the same folder and is flushed to disk first. The
    new file is readable by all (0644), or with ``keep_mode`` keeps the old file's mode.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        mode = 0o644
        if keep_mode:
            with contextlib.suppress(FileNotFoundError):
                mode = path.stat().st_mode & 0o777
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a mix.

    The data goes to a temporary file in the same folder, is flushed to disk, and
    replaces the target in one rename; on any failure the target is left untouched.
    """
    try:
        replace_file(path, data)
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot write here ({exc.strerror}); choose another -o"
        ) from None


@functools.cache
def _dumper(indent_lists: bool, block_over: int | None) -> type:
    import yaml

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
            return super().increase_indent(flow, indentless and not indent_lists)

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        prose = "\n" in value or (
            block_over is not None and len(value) > block_over and " " in value
        )
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if prose else None)

    Dumper.add_representer(str, text)
    return Dumper


def dump_yaml(
    value: Any,
    *,
    indent: int = 0,
    width: int = 96,
    indent_lists: bool = False,
    block_over: int | None = None,
) -> str:
    """``value`` as block YAML in its own order, text with line breaks as ``|`` blocks.

    ``indent`` shifts every line right; ``indent_lists`` indents a list under its key
    (``- item`` two spaces in); ``block_over`` also writes text longer than that with a
    space in it as a block.
    """
    import yaml

    out = yaml.dump(
        value,
        Dumper=_dumper(indent_lists, block_over),
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=width,
        indent=2,
    )
    if not indent:
        return out
    pad = " " * indent
    return "\n".join(pad + line if line else line for line in out.splitlines()) + "\n"


def comment(
    lines: Iterable[str],
    *,
    indent: int = 0,
    width: int = 98,
    bullet: str = "",
    split_words: bool = True,
) -> list[str]:
    """Each line as ``# `` comment lines at most ``width`` wide, continuations two spaces in.

    ``bullet`` starts each line (``"- "``); without ``split_words`` a word longer than the
    line, such as an address, is kept whole, and words are never split at hyphens.
    """
    pad = " " * indent
    out = []
    for line in lines:
        wrapped = textwrap.wrap(
            line,
            width=width - 2 - indent,
            initial_indent=bullet,
            subsequent_indent="  ",
            break_long_words=split_words,
            break_on_hyphens=split_words,
        ) or [bullet]
        out += [f"{pad}# {w}".rstrip() for w in wrapped]
    return out
