"""Importers: stories written for other tools, turned into storymap stories (format v1)."""
