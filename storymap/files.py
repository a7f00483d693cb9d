"""Writing files: atomically, and stories as YAML headed by comments.

- :func:`write_atomic` writes a page, an export or a story: readers see the old file or the
  new one, never a mix, and a failure is an :class:`~storymap.errors.OutputError`.
- :func:`refuse_inputs` refuses an output that is one of the files a command reads, or that
  is not a regular file (:func:`check_output`); a symlink is written through to its file.
- :func:`replace_file` is the same write without that translation (the geocoding cache uses
  it, keeping the cache's own file mode).
- :func:`dump_yaml` and :func:`comment` put a story together as the draft and the importers
  write it: block text for prose, ``#`` comments wrapped to the line.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import re
import stat
import tempfile
import textwrap
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from storymap.errors import OutputError

__all__ = [
    "InputOverwriteError",
    "RefusedOutputError",
    "check_output",
    "comment",
    "copy_atomic",
    "dump_yaml",
    "refuse_inputs",
    "replace_file",
    "write_atomic",
]


class RefusedOutputError(OutputError):
    """The output named cannot be one, and nothing is written: it is a file the command reads,
    or something other than a regular file (a folder, ``/dev/null``, a FIFO, a socket), or a
    name the file system refuses. A wrong argument rather than a failed write: ``storymap``
    exits 2."""


class InputOverwriteError(RefusedOutputError):
    """The output named is a file the command reads (the story, a route file, an image…);
    nothing is written. A wrong argument rather than a failed write: ``storymap`` exits 2."""


# Our temporary files: ``.<name>.<8 random characters>.storymap.tmp`` beside the target, the
# name cut to TMP_NAME_BYTES so that the temporary name stays within the file system's limit.
TMP_SUFFIX = ".storymap.tmp"
TMP_NAME_BYTES = 100
_OURS = re.compile(r"\..*\.[a-z0-9_]{8}" + re.escape(TMP_SUFFIX), re.DOTALL)
STALE_SECONDS = 600  # one of ours untouched this long was left by a write that was killed

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def _same(a: Path, b: Path) -> bool:
    try:
        if os.path.samefile(a, b):  # also a symlink, or a hard link, to the same file
            return True
    except OSError:
        pass
    return a.resolve() == b.resolve()


def check_output(target: Path) -> Path:
    """The file that writing ``target`` replaces: ``target`` itself, or the file a symlink
    there points to (through every link). Raises :class:`RefusedOutputError` when that
    exists and is not a regular file, when the links go round in a loop, or when the name
    is too long for the file system."""
    target = Path(target)
    real = Path(os.path.realpath(target))
    via = f" (a link to {real})" if os.path.islink(target) else ""
    try:
        info = os.stat(real)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise RefusedOutputError(
                f"{target}: the name is too long for the file system; choose a shorter one"
            ) from None
        if exc.errno == errno.ELOOP:
            raise RefusedOutputError(
                f"{target}: its symlinks go round in a loop; name a file to write"
            ) from None
        return real  # not there yet (or not reachable): the write says what is wrong
    for test, kind in _KINDS:
        if test(info.st_mode):
            raise RefusedOutputError(
                f"{target}{via} is {kind}, not a regular file; nothing was written; "
                "name a file to write"
            )
    if not stat.S_ISREG(info.st_mode):
        raise RefusedOutputError(
            f"{target}{via} is not a regular file; nothing was written; name a file to write"
        )
    return real


def refuse_inputs(target: Path, inputs: Iterable[tuple[str | os.PathLike[str], str]]) -> None:
    """Raise :class:`RefusedOutputError` when ``target`` cannot be an output (see
    :func:`check_output`), and :class:`InputOverwriteError` when it is one of ``inputs``,
    pairs of a path and what it is (``"the story"``), compared as resolved paths and as files
    on disk, so that ``./``, ``..`` and symlinks are seen through."""
    check_output(target)
    for path, what in inputs:
        if _same(Path(target), Path(path)):
            raise InputOverwriteError(
                f"-o {target} would overwrite {what} ({path}); choose another -o"
            )


def _tmp_prefix(name: str) -> str:
    short = name.encode("utf-8", "surrogateescape")[:TMP_NAME_BYTES]
    return "." + short.decode("utf-8", "ignore") + "."


def _sweep(folder: Path, now: float) -> None:
    """Remove temporary files of ours in ``folder`` that a killed write left behind: only
    regular files named like ours and untouched for STALE_SECONDS."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not entry.name.endswith(TMP_SUFFIX) or not _OURS.fullmatch(entry.name):
            continue
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_SECONDS:
                os.unlink(entry.path)


def replace_file(path: Path, data: str | bytes, *, keep_mode: bool = False) -> None:
    """Replace ``path`` with ``data`` in one rename; raises OSError, leaving the target whole.

    A symlink is written through: the file it points to is replaced, and the link stays.
    What exists there and is not a regular file is refused (:class:`RefusedOutputError`).
    The data goes to a temporary file in the target's folder and is flushed to disk first;
    no temporary file is left behind on any error, and ours that a killed write left there
    are removed. The new file is readable by all (0644), or with ``keep_mode`` keeps the old
    file's mode.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    mode = 0o644
    if keep_mode:
        with contextlib.suppress(FileNotFoundError):
            mode = check_output(path).stat().st_mode & 0o777
    with _replacing(path, mode) as handle:
        handle.write(payload)


@contextlib.contextmanager
def _replacing(path: Path, mode: int = 0o644, times: os.stat_result | None = None) -> Iterator[Any]:
    """A binary file to write, that replaces ``path`` in one rename when the block ends: a
    temporary file in the target's folder (``path`` resolved through symlinks, refused when
    not a regular file), flushed to disk, given ``mode`` and, with ``times``, their access and
    modification times. On any error it is removed and the target is left as it was; ours
    that a killed write left in the folder are removed first."""
    target = check_output(path)
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder, time.time())
    fd, tmp = tempfile.mkstemp(prefix=_tmp_prefix(target.name), suffix=TMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if times is not None:
            os.utime(tmp, ns=(times.st_atime_ns, times.st_mtime_ns))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a mix.

    As :func:`replace_file`: through a symlink to the file it points to, never over what is
    not a regular file; on any failure the target is left untouched and an
    :class:`~storymap.errors.OutputError` says why.
    """
    try:
        replace_file(path, data)
    except RefusedOutputError:
        raise
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot write here ({exc.strerror or exc}); choose another -o"
        ) from None


def copy_atomic(source: Path, path: Path) -> None:
    """Copy the file ``source`` to ``path`` as :func:`write_atomic` writes: through a temporary
    file beside ``path``, streamed (a video need not fit in memory), renamed into place with
    ``source``'s modification time, so that a later build can see the copy is current. A
    failure is an :class:`~storymap.errors.OutputError` and leaves ``path`` as it was."""
    import shutil

    try:
        with open(source, "rb") as original, _replacing(path, times=os.stat(source)) as handle:
            shutil.copyfileobj(original, handle, 1 << 20)
    except RefusedOutputError:
        raise
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot copy {source} here ({exc.strerror or exc}); choose another -o"
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
