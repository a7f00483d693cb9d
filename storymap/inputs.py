"""Reading the files a story is made of, within bounds.

- :func:`read_capped` reads a regular file of at most a given size, without hanging on a
  FIFO or reading a device such as ``/dev/zero`` forever.
- :func:`parse_json` is :func:`json.loads` whose too-deep nesting and too-long numbers are
  a :class:`InputError` like any other malformed input.

Their errors say what is wrong without naming the file: the caller adds its name, line and
field, as a :class:`~storymap.errors.StoryError` or a route file's message.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any


class InputError(ValueError):
    """A file, or its JSON, that cannot be read as it is; the message says why, without the
    file's name."""


class NotRegularFileError(InputError):
    """A FIFO, a device, a folder… where a file is read."""


class TooLargeError(InputError):
    """A file larger than the limit; ``size`` (as far as it was read) and ``limit`` in bytes."""

    def __init__(self, size: int, limit: int):
        self.size, self.limit = size, limit
        super().__init__(f"is {size:,} bytes or more; it may be at most {limit:,} bytes")


def read_capped(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed), at most ``limit``.

    Raises :class:`NotRegularFileError` for anything else than a regular file (a FIFO, a
    device, a folder) and :class:`TooLargeError` for a file larger than ``limit``, read no
    further than ``limit + 1`` bytes; OSError (FileNotFoundError…) when it cannot be opened."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise NotRegularFileError(f"is not a regular file ({_kind(info.st_mode)})")
    fd = os.open(path, flags)  # O_NONBLOCK: a FIFO swapped in since the stat does not hang
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(f"is not a regular file ({_kind(info.st_mode)})")
        if info.st_size > limit:
            raise TooLargeError(info.st_size, limit)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLargeError(len(data), limit)
    return data


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def parse_json(text: str) -> Any:
    """``json.loads(text)``. A syntax error stays a :class:`json.JSONDecodeError` (with its
    line); nesting deeper than Python can follow, and a number too long to convert, raise
    :class:`InputError`."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise InputError(
            "is nested too deeply (lists or objects inside each other thousands of times)"
        ) from None
    except ValueError as exc:  # int() refuses numbers over sys.get_int_max_str_digits() digits
        raise InputError(f"holds a number too long to read ({exc})") from None
