"""What the command line draws on the terminal: text made safe to print, and a progress bar.

Text from a story (names, titles, ids, problems that quote it) goes to the terminal through
:func:`printable`, so that no story can move the cursor, colour a line or turn text
right to left: a control character shows as its escape (``\\x1b``), not as its effect.
"""

from __future__ import annotations

import re
import shutil
import sys
from typing import TextIO

# C0 controls but the line break, DEL and C1, the bidi embeddings, overrides and isolates,
# and lone surrogates (which no terminal encoding can print).
_UNSAFE = "\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE_IN_LINES = re.compile(f"[{_UNSAFE}]")
_UNSAFE_IN_LINE = re.compile(f"[\n{_UNSAFE}]")


_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object, *, lines: bool = False) -> str:
    """``text`` safe to print on a terminal: control characters (an ANSI escape, ``\\r``,
    C0 and C1), bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069) and lone
    surrogates written as escapes, ``\\r``, ``\\x1b`` or ``\\u202e``. A line break is escaped too
    (one message, one line) unless ``lines``."""
    return (_UNSAFE_IN_LINES if lines else _UNSAFE_IN_LINE).sub(_escape, str(text))


def printable_json(text: str) -> str:
    """JSON text (made with ``ensure_ascii=False``) safe to print: what :func:`printable`
    escapes is written as a JSON escape (``\\u202e``), so the JSON stays the same value."""
    return _UNSAFE_IN_LINES.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class TextProgress:
    """A progress bar for :func:`storymap.geocode.geocode_story`, drawn on a terminal or
    written as lines::

        geocode [########------------] 3/7 moscow: found

    On a terminal the bar is redrawn in place; elsewhere (a log, a pipe) each place gets a
    line. :meth:`close` ends a bar left unfinished (when a run stops early).
    """

    def __init__(self, stream: TextIO | None = None, *, width: int = 20, label: str = "geocode"):
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.label = label
        try:
            self.tty = self.stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False
        self._open = 0  # the length of the line drawn on the terminal and not yet ended

    def __call__(self, done: int, total: int, place_id: str, status: str) -> None:
        filled = self.width if total <= 0 else min(self.width, self.width * done // total)
        bar = "#" * filled + "-" * (self.width - filled)
        line = printable(f"{self.label} [{bar}] {done}/{total} {place_id}: {status}")
        if not self.tty:
            self.stream.write(line + "\n")
        else:
            columns = shutil.get_terminal_size().columns
            if len(line) >= columns > 1:
                line = line[: columns - 2] + "…"
            self.stream.write("\r" + line.ljust(self._open))
            self._open = len(line)
            if done >= total:
                self.close()
        self.stream.flush()

    def close(self) -> None:
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = 0


def text_progress(stream: TextIO | None = None, *, width: int = 20) -> TextProgress:
    """A progress callable for :func:`storymap.geocode.geocode_story` that draws on
    ``stream`` (standard error by default): a bar redrawn in place on a terminal, a line per
    place elsewhere."""
    return TextProgress(stream, width=width)
