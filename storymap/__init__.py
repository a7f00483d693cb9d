"""storymap: a journey told as a story, as one self-contained interactive HTML map."""

__version__ = "0.1.0"
