"""storymap.errors and the public surface: one root, built-in bases, a tree that names them all."""

from __future__ import annotations

import importlib
import importlib.metadata
import pickle
import pkgutil
import re
import subprocess
import sys

import pytest

import storymap
from storymap import errors
from storymap.errors import GeocodingError, OutputError, Problem, StoryError, StorymapError


def every_error_class() -> set[type]:
    for module in pkgutil.walk_packages(storymap.__path__, "storymap."):
        if not module.name.endswith("__main__"):  # that one runs the command line
            importlib.import_module(module.name)
    found, todo = set(), [StorymapError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_the_module_docstring_draws_every_error_class() -> None:
    tree = errors.__doc__.split("::", 1)[1].split("\n\n", 2)[1]
    drawn = set(re.findall(r"^[\s│]*(?:[├└]── )?([A-Z]\w+)", tree, flags=re.MULTILINE))
    assert drawn == {cls.__name__ for cls in every_error_class()}


def test_public_names() -> None:
    assert set(storymap.__all__) == {
        "load",
        "build",
        "Journey",
        "Story",
        "StorymapError",
        "StoryError",
        "GeocodingError",
        "OutputError",
        "__version__",
    }
    defined_here = {
        cls.__name__
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, StorymapError)
    }
    assert defined_here <= set(storymap.__all__)
    for name in storymap.__all__:
        assert getattr(storymap, name) is not None
    assert callable(storymap.build) and callable(storymap.load)
    assert storymap.__version__ == importlib.metadata.version("storymap")


def test_importing_storymap_loads_no_heavy_library() -> None:
    code = (
        "import sys, storymap; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'folium', 'branca', 'numpy', 'shapely', 'yaml', 'geopy', 'jinja2', 'PIL'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [(StoryError, ValueError), (GeocodingError, LookupError), (OutputError, OSError)],
)
def test_each_error_is_also_a_builtin_and_is_shown_as_storymap_s(cls, builtin) -> None:
    assert issubclass(cls, StorymapError) and issubclass(cls, builtin)
    assert f"{cls.__module__}.{cls.__qualname__}" == f"storymap.{cls.__name__}"


def test_story_error_holds_every_problem_and_pickles_with_them() -> None:
    problems = [Problem("s.yaml", 3, "places.a.lat", "bad"), Problem("s.yaml", None, "", "gone")]
    error = StoryError(problems)
    assert str(error) == "s.yaml:3: places.a.lat: bad\ns.yaml: gone"
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is StoryError and again.problems == error.problems
    assert str(again) == str(error)
    one = StoryError.at("s.yaml", 7, "title", "missing")
    assert one.problems == (Problem("s.yaml", 7, "title", "missing"),)
    assert pickle.loads(pickle.dumps(OutputError("disk full"))).args == ("disk full",)


def test_a_journey_pickles(mini_journey) -> None:
    again = pickle.loads(pickle.dumps(mini_journey))
    assert again == mini_journey and again.story.title == mini_journey.story.title
