"""The YAML reader gives every field's line, and refuses what a story never needs."""

import pytest

from storymap import yamlreader
from storymap.errors import StoryError
from storymap.yamlreader import dotted, parse


def test_values_and_the_line_of_every_field():
    value, lines = parse("title: A\njourney:\n  - at: x\n    by: bus\n", "s.yaml")
    assert value == {"title": "A", "journey": [{"at": "x", "by": "bus"}]}
    assert lines[("title",)] == 1
    assert lines[("journey", 0)] == 3
    assert lines[("journey", 0, "by")] == 4
    assert dotted(("journey", 0, "by")) == "journey.0.by"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "s.yaml:1: the story is empty; it needs at least title:, places: and journey:"),
        ("a: 1\na: 2\n", "s.yaml:2: a: appears twice; keep one"),
        ("? [a]\n: 1\n", "s.yaml:1: a key must be plain text; write 'name: value'"),
        (
            "a: [1\n",
            "s.yaml:2: not valid YAML: expected ',' or ']', but got '<stream end>'; "
            "check indentation, colons and quotes",
        ),
    ],
)
def test_refusals(text, message):
    with pytest.raises(StoryError) as caught:
        parse(text, "s.yaml")
    assert str(caught.value) == message


def test_alias_bombs_are_refused(monkeypatch):
    monkeypatch.setattr(yamlreader, "MAX_YAML_NODES", 10)
    text = "a: &a [1, 2, 3, 4]\nb: [*a, *a, *a]\n"
    with pytest.raises(StoryError, match="expands to more than 10 values"):
        parse(text, "s.yaml")
