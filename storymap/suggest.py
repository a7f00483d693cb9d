"""Suggestions ("did you mean"): the known name closest to a misspelt one, in time that grows
with the story, not with its square.

:class:`Closest` answers as ``difflib.get_close_matches(word, names, n=1)`` does, with the same
result, but fast on long lists: difflib compares each word with every name, and for a story of
10,000 places with 300 bad references that took 41 s.

A name's ratio with the word is at most their share of common letters (difflib's
``quick_ratio``). That share is had for all names at once: their letters are counted once, and
for a word the common letters with every name are one numpy operation (letters beyond the
128th distinct one share columns, which can only raise the share, so it stays a bound). Names
are then compared in full from the highest share down, and once the share falls below the best
ratio found no name left can win. Each distinct word is looked up once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

CUTOFF = 0.6  # difflib's default
SMALL = 300  # names: fewer are simply given to difflib
_COLUMNS = 128  # letters counted apart; more share columns


class Closest:
    """The closest of ``names`` to a word, or None, as ``difflib.get_close_matches`` picks it."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = [str(name) for name in names]
        self._found: dict[str, str | None] = {}
        self._counts: Any = None  # (names, buckets) letter counts, made at the first lookup
        self._lengths: Any = None
        self._columns: dict[str, int] = {}  # letter -> its column in the counts

    def __call__(self, word: object) -> str | None:
        word = str(word)
        if word not in self._found:
            if len(self.names) <= SMALL or not word:
                close = difflib.get_close_matches(word, self.names, n=1, cutoff=CUTOFF)
                self._found[word] = close[0] if close else None
            else:
                self._found[word] = self._closest(word)
        return self._found[word]

    def _closest(self, word: str) -> str | None:
        """The name difflib would pick: the highest ratio, the greater name on a tie.

        Names are tried from the most shared letters down; a name's ratio is at most its
        share of letters, so once that share falls below the best ratio found, no name left
        can win.
        """
        import numpy as np

        if self._counts is None:
            columns = self._columns
            for name in self.names:
                for c in name:
                    columns.setdefault(c, len(columns) % _COLUMNS)
            self._counts = np.zeros((len(self.names), min(len(columns), _COLUMNS)), np.int32)
            for row, name in zip(self._counts, self.names, strict=True):
                np.add.at(row, [columns[c] for c in name], 1)
            self._lengths = np.array([len(name) for name in self.names], dtype=np.float64)
        letters = np.zeros(self._counts.shape[1], dtype=np.int32)
        np.add.at(letters, [self._columns[c] for c in word if c in self._columns], 1)
        shared = np.minimum(self._counts, letters).sum(axis=1)
        bound = 2.0 * shared / (self._lengths + len(word))  # as difflib computes its ratios
        order = np.flatnonzero(bound >= CUTOFF)
        order = order[np.argsort(-bound[order], kind="stable")]
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word)
        best: tuple[float, str] | None = None
        for k in order.tolist():
            if best is not None and bound[k] < best[0]:
                break
            name = self.names[k]
            matcher.set_seq1(name)
            ratio = matcher.ratio()
            if ratio >= CUTOFF and (best is None or (ratio, name) > best):
                best = (ratio, name)
        return best[1] if best else None
