"""What the command line draws on the terminal, apart from the messages themselves."""

from __future__ import annotations

import shutil
import sys
from typing import TextIO


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
        line = f"{self.label} [{bar}] {done}/{total} {place_id}: {status}"
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
