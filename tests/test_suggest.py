"""Suggestions ("did you mean") pick what difflib picks, fast on long lists (storymap.suggest)."""

import difflib
import random

import pytest

from storymap import suggest
from storymap.errors import StoryError
from storymap.story import loads
from storymap.suggest import Closest

SYLLABLES = ["an", "bel", "burg", "ko", "ra", "sun", "ta", "vo", "grad", "ino", "zh", "ly"]


def names(rng: random.Random, count: int, alphabet: str = "") -> list[str]:
    out = set()
    while len(out) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4)))
        if alphabet:
            word += "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3)))
        out.add(word)
    return sorted(out)


def typo(rng: random.Random, word: str) -> str:
    k = rng.randrange(len(word))
    return rng.choice([word[:k] + word[k + 1 :], word[:k] + "x" + word[k:], word[::-1], word * 2])


@pytest.mark.parametrize(
    "alphabet",
    ["", "абвгдежзийклмнопрстуфхцчшщ", "".join(chr(0x4E00 + k) for k in range(400))],
    ids=["latin", "cyrillic", "more-letters-than-columns"],
)
def test_the_same_suggestions_as_difflib(monkeypatch, alphabet):
    monkeypatch.setattr(suggest, "SMALL", 0)  # the fast way even for these few names
    rng = random.Random(f"suggest-{alphabet[:1]}")
    known = names(rng, 600, alphabet)
    words = [typo(rng, rng.choice(known)) for _ in range(150)]
    words += ["", "q", "zzzzzz", known[0], known[0] + known[1]]
    closest = Closest(known)
    for word in words:
        expected = difflib.get_close_matches(word, known, n=1)
        assert closest(word) == (expected[0] if expected else None), word


def test_ties_go_to_the_greater_name_as_in_difflib(monkeypatch):
    monkeypatch.setattr(suggest, "SMALL", 0)
    known = ["abcd", "abce", "abcf", "zzzz"]
    assert difflib.get_close_matches("abcx", known, n=1) == ["abcf"]
    assert Closest(known)("abcx") == "abcf"


def test_a_story_of_many_places_gets_suggestions_and_a_short_list(tmp_path):
    rng = random.Random(7)
    known = names(rng, 1000)
    places = "".join(f"  {pid}: {{name: P, lat: 1, lon: 2}}\n" for pid in known)
    bad = [typo(rng, pid) for pid in known[:5]]
    bad = [b for b in bad if b not in known]
    journey = "".join(f"  - at: {b}\n    title: T\n    by: car\n" for b in bad)
    text = f"title: Many\nplaces:\n{places}journey:\n  - at: {known[0]}\n    title: A\n{journey}"
    with pytest.raises(StoryError) as caught:
        loads(text, file="s.yaml", base_dir=tmp_path)
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == len(bad)
    for word, message in zip(bad, messages, strict=True):
        expected = difflib.get_close_matches(word, known, n=1)
        hint = f"did you mean '{expected[0]}'? " if expected else ""
        assert message == (
            f"unknown place '{word}'; {hint}define it under places: or use one of: "
            f"{', '.join(known[:40])}, … (1,000 in all)"
        )
