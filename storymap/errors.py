"""Errors raised by storymap.

Every error storymap raises on purpose derives from one root, and each is also
a built-in type so that callers who know nothing of storymap can still catch it::

    StorymapError
    ├── StoryError(StorymapError, ValueError)       bad story data or story files
    ├── GeocodingError(StorymapError, LookupError)  a place could not be resolved
    └── OutputError(StorymapError, OSError)         the page could not be written

The library raises; only :mod:`storymap.cli` prints and exits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class StorymapError(Exception):
    """Root of every error storymap raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a story: where it is, which field, and what to do."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class StoryError(StorymapError, ValueError):
    """A story, or a file it refers to, is not valid. Holds every problem found."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems: tuple[Problem, ...] = (
            (problems,) if isinstance(problems, Problem) else tuple(problems)
        )
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, file: str | Path, line: int | None, path: str, message: str) -> StoryError:
        return cls(Problem(str(file), line, path, message))


class GeocodingError(StorymapError, LookupError):
    """A place could not be resolved to coordinates."""


class OutputError(StorymapError, OSError):
    """The output file could not be written."""
