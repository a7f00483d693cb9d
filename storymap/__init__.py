"""storymap: a journey told as a story, as one self-contained interactive HTML map."""

__version__ = "0.1.0"


def load(story_path, *, online=None, allow_outside=False):
    """Load a story file into a :class:`storymap.build.Journey` (shown as its page in Jupyter)."""
    from storymap.build import load as _load

    return _load(story_path, online=online, allow_outside=allow_outside)


__all__ = ["load", "__version__"]
