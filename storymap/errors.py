"""Errors raised by storymap.

Every error storymap raises on purpose derives from one root, and each is also
a built-in type so that callers who know nothing of storymap can still catch it::

    StorymapError
    ├── StoryError(StorymapError, ValueError)          bad story data or story files
    ├── GeocodingError(StorymapError, LookupError)     a place could not be resolved
    │   ├── OnlineGeocodingError                       an online lookup failed
    │   └── GeocodingStopped                           ``storymap geocode`` stopped asking
    ├── OutputError(StorymapError, OSError)            the page could not be written
    │   └── RefusedOutputError                         the output named cannot be one
    │       └── InputOverwriteError                    the output named is a file read
    └── MissingExtraError(StorymapError, ImportError)  an optional extra is not installed

The root, StoryError, GeocodingError and OutputError are defined here and importable
from :mod:`storymap`. The others live beside the code that raises them:
``OnlineGeocodingError`` (``fatal`` when no later request would succeed either) and
``GeocodingStopped`` (its ``report`` says what was done) in :mod:`storymap.geocode`,
``MissingExtraError`` (``pip install 'storymap[draft]'``) in :mod:`storymap.draft`,
``RefusedOutputError`` (an output that is not a regular file, or a name too long) and
``InputOverwriteError`` (an output that would replace the story or a file it names) in
:mod:`storymap.files`.
Route files and local images are read while the story loads, so what is wrong with them
is a StoryError like any other problem of the story.

The library raises; only :mod:`storymap.cli` prints and exits.
"""

from __future__ import annotations

from collections.abc import Iterable
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

    def __init__(self, problems: Iterable[Problem] | Problem):
        self.problems: tuple[Problem, ...] = (
            (problems,) if isinstance(problems, Problem) else tuple(problems)
        )
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[StoryError], tuple[tuple[Problem, ...]]]:
        return (type(self), (self.problems,))  # pickles with its problems, not its message

    @classmethod
    def at(cls, file: str | Path, line: int | None, path: str, message: str) -> StoryError:
        return cls(Problem(str(file), line, path, message))


class GeocodingError(StorymapError, LookupError):
    """A place could not be resolved to coordinates."""


class OutputError(StorymapError, OSError):
    """The output file could not be written."""
