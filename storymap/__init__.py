"""storymap: a journey told as a story, as one self-contained interactive HTML map.

The public API is what ``__all__`` names:

- :func:`load` checks, locates and routes a story file into a :class:`Journey`;
- :func:`build` does that and writes the page, returning the Journey with ``page`` (the
  path written) and ``size`` (in bytes) set;
- :class:`Journey` (``story``, ``legs``, ``render()``, ``save(path)``, ``to_geojson()``, and
  the page itself in Jupyter) and :class:`Story`, the checked story;
- :class:`StorymapError`, the root of every error storymap raises, and its subclasses
  :class:`StoryError`, :class:`GeocodingError` and :class:`OutputError`.

``import storymap`` loads only these small modules; folium, numpy and shapely are imported
when a story is routed or a page is rendered. ``storymap.build`` is the function: the
module of the same name is still imported as ``from storymap.build import ...``.
"""

__version__ = "0.1.0"

from storymap.build import Journey, build, load  # noqa: E402
from storymap.errors import GeocodingError, OutputError, StoryError, StorymapError  # noqa: E402
from storymap.model import Story  # noqa: E402

__all__ = [
    "GeocodingError",
    "Journey",
    "OutputError",
    "Story",
    "StoryError",
    "StorymapError",
    "__version__",
    "build",
    "load",
]

for _error in (StorymapError, StoryError, GeocodingError, OutputError):
    _error.__module__ = "storymap"  # tracebacks name them as callers import them
del _error
