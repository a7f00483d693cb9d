"""Fuzzing the loader: any document, any bytes: a Story, or a StoryError that names a line.

The CI profile runs a few thousand examples; ``HYPOTHESIS_PROFILE=long`` runs many more.
"""

from __future__ import annotations

import os
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storymap import story
from storymap.errors import StoryError
from storymap.model import Story
from storymap.story import load, loads

settings.register_profile(
    "ci", max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=50_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

FIELDS = [  # every field name a story knows, and two place ids
    *dict.fromkeys(
        story.TOP_FIELDS
        + story.PLACE_FIELDS
        + story.CHAPTER_FIELDS
        + story.MEDIA_FIELDS
        + story.SOURCE_FIELDS
    ),
    "embassy",
    "khasan",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "train",
            "bus",
            "trolley",
            "flight",
            "2021-02-25",
            "32h",
            "none",
            "embassy",
            "khasan",
            "https://example.org/",
            "javascript:alert(1)",
            "../../etc/passwd",
            "OpenStreetMap.Mapnik",
            "routes/x.geojson",
            "media/x.png",
            "PT2H",
        ]
    ),
    st.dates(),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(
            st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), children, max_size=6
        ),
    ),
    max_leaves=40,
)


def plausible() -> st.SearchStrategy[dict]:
    """Documents shaped like stories, so the checks past the first level are reached."""
    place = st.fixed_dictionaries(
        {"name": scalars},
        optional={
            "lat": scalars,
            "lon": scalars,
            "query": scalars,
            "aliases": documents,
            "source": scalars,
            "colour": scalars,
        },
    )
    chapter = st.fixed_dictionaries(
        {"at": st.sampled_from(["a", "b", "c", 1, None])},
        optional={
            "title": scalars,
            "by": scalars,
            "via": documents,
            "route": scalars,
            "duration": scalars,
            "media": documents,
            "id": scalars,
            "date": scalars,
            "text": scalars,
        },
    )
    return st.fixed_dictionaries(
        {
            "title": scalars,
            "places": st.dictionaries(
                st.sampled_from(["a", "b", "c", "1", "x y"]), place, max_size=3
            ),
            "journey": st.lists(chapter, max_size=4),
        },
        optional={"tiles": scalars, "sources": documents, "date": scalars, "intro": scalars},
    )


def check(text: str, tmp_path: Path) -> None:
    try:
        loaded = loads(text, file="fuzz.yaml", base_dir=tmp_path)
    except StoryError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file == "fuzz.yaml"
            assert problem.line is None or problem.line >= 1
            assert str(problem).startswith("fuzz.yaml")
            assert problem.message
    else:
        assert isinstance(loaded, Story)
        assert loaded.title and loaded.chapters


@given(documents)
def test_any_yaml_document(tmp_path_factory, document) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    check(text, tmp_path_factory.getbasetemp())


@given(plausible())
def test_story_shaped_documents(tmp_path_factory, document) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    check(text, tmp_path_factory.getbasetemp())


@given(st.binary(max_size=2000))
def test_any_bytes(tmp_path_factory, data: bytes) -> None:
    folder = tmp_path_factory.mktemp("bytes")
    path = folder / "story.yaml"
    path.write_bytes(data)
    try:
        load(path)
    except StoryError as exc:
        assert all(str(p).startswith(str(path)) for p in exc.problems)


@given(st.text(alphabet=string.printable + "ü→\u2028", max_size=400))
def test_any_text(tmp_path_factory, text: str) -> None:
    check(text, tmp_path_factory.getbasetemp())


@pytest.mark.parametrize(
    "text",
    [
        "a: &a [*a]",  # a recursive alias
        "&a [*a, *a]",
        "!!python/object/apply:os.system ['echo pwned']",  # unsafe tags are refused
        "title: !!binary aGVsbG8=",
        "? [a, b]\n: c",
        "title: x\n<<: {places: {}}",
        "-" * 10_000,
        "[" * 5_000 + "]" * 5_000,  # deep nesting
        "title: " + "x" * 100_000,
    ],
)
def test_awkward_documents(text: str, tmp_path: Path) -> None:
    check(text, tmp_path)


def test_billion_laughs_is_bounded(tmp_path: Path) -> None:
    rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in "bcdefghi":
        prev = chr(ord(i) - 1)
        rows.append(f"{i}: &{i} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(StoryError, match="through YAML aliases"):
        loads("\n".join(rows), file="bomb.yaml", base_dir=tmp_path)
