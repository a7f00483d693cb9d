"""``draft`` on long articles: what it finds does not depend on how long the text around is.

Timings of large articles are in ``bench/bench_hostile.py``; these check behaviour on inputs
small enough for a test, against the plain definitions the draft's position lookups stand for.
"""

from __future__ import annotations

import random

import pytest

from storymap.draft import _Masked, _Spans, draft, split_sentences

FILLER = (
    "The bus was crowded and the driver smoked. Nobody on the train knew when the next flight "
    "would leave. A ferry horn sounded behind the warehouses."
)


@pytest.mark.parametrize("paragraphs", [1, 40, 400])
def test_one_long_leg_takes_the_cue_nearest_its_end(paragraphs: int) -> None:
    middle = "\n\n".join([FILLER] * paragraphs)
    text = (
        "Out of Pyongyang\n\nThe group left Pyongyang at dawn.\n\n"
        f"{middle}\n\nThey went on by bicycle. At last they reached Vladivostok.\n"
    )
    result = draft(text)
    assert [m.name for m in result.found] == ["Pyongyang", "Vladivostok"]
    assert result.story["journey"][1]["by"] == "bike"
    assert result.comments["journey.1"] == ["by: bike, guessed from the words 'bicycle'; check it"]


def test_sentences_of_one_long_paragraph() -> None:
    sentence = "Gen. S. Peskov met U.S. officials in St. Petersburg. The talks went on."
    text = " ".join([sentence] * 300)
    expected = ["Gen. S. Peskov met U.S. officials in St. Petersburg.", "The talks went on."] * 300
    assert split_sentences(text) == expected
    word = "a.b" * 2000  # one long word full of full stops: not a sentence end inside
    assert split_sentences(f"One {word}. Two.") == [f"One {word}.", "Two."]


def random_spans(rng: random.Random, count: int, length: int) -> list[tuple[int, int]]:
    spans = []
    for _ in range(count):
        a = rng.randrange(length)
        spans.append((a, a + rng.randrange(0, 12)))
    return spans


def test_masked_spans_answer_as_a_scan_of_them_all() -> None:
    rng = random.Random(5)
    for _ in range(200):
        spans = random_spans(rng, rng.randrange(0, 30), 200)
        masked = _Masked(spans)
        for _ in range(20):
            start = rng.randrange(-5, 210)
            end = start + rng.randrange(0, 40)
            assert sorted(masked.overlapping(start, end)) == sorted(
                (a, b) for a, b in spans if a < end and start < b
            )
            assert masked.first_holding(start, -1) == next(
                (b for a, b in spans if a <= start < b), -1
            )


def test_taken_spans_answer_as_a_scan_of_them_all() -> None:
    rng = random.Random(6)
    for _ in range(200):
        given = random_spans(rng, rng.randrange(0, 20), 200)
        taken, plain = _Spans(given), list(given)
        for _ in range(40):
            start = rng.randrange(-5, 210)
            end = start + rng.randrange(0, 15)
            overlaps = any(a < end and start < b for a, b in plain)
            assert taken.overlaps(start, end) == overlaps, (given, start, end)
            if not overlaps:
                taken.add(start, end)
                plain.append((start, end))
