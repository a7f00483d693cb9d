"""Stated limits are enforced with a clear message, not a crash (checked with small limits)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from storymap import story, tracks
from storymap.build import prepare
from storymap.errors import StoryError

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "story")
    return tmp_path / "story" / "story.yaml"


def messages(path: Path) -> list[str]:
    with pytest.raises(StoryError) as info:
        prepare(path)
    return [f"{p.path}: {p.message}" for p in info.value.problems]


def test_chapters_and_places(mini: Path, monkeypatch) -> None:
    monkeypatch.setattr(story, "MAX_CHAPTERS", 3)
    monkeypatch.setattr(story, "MAX_PLACES", 4)
    assert messages(mini) == [
        "places: has 5 places; a story may have at most 4",
        "journey: has 4 chapters; a story may have at most 3: split it into several stories",
    ]


def test_story_file_size(mini: Path, monkeypatch) -> None:
    monkeypatch.setattr(story, "MAX_STORY_BYTES", 100)
    found = messages(mini)
    assert len(found) == 1 and "a story file may be at most 100 bytes" in found[0]


def test_media_size(mini: Path, monkeypatch) -> None:
    monkeypatch.setattr(story, "MAX_MEDIA_BYTES", 10)
    assert messages(mini) == [
        "journey.1.media.0.src: media file 'media/dot.png' is 0 MB; an image may be at most "
        "0 MB: export a smaller one"
    ]


def test_route_points_and_bytes(mini: Path, monkeypatch) -> None:
    gpx = "".join(f'<trkpt lat="42.{i:04d}" lon="130.{i:04d}"/>' for i in range(50))
    (mini.parent / "track.gpx").write_text(
        f'<gpx version="1.1" creator="t"><trk><trkseg>{gpx}</trkseg></trk></gpx>', "utf-8"
    )
    text = mini.read_text(encoding="utf-8").replace("    via: [bridge]", "    route: track.gpx")
    mini.write_text(text, encoding="utf-8")
    assert prepare(mini).legs[0].length_km > 0
    monkeypatch.setattr(tracks, "MAX_ROUTE_POINTS", 20)
    assert messages(mini) == [
        "journey.1.route: route file 'track.gpx' has 50 points; a route may have at most 20: "
        "thin the track with a GPS tool first"
    ]
    monkeypatch.setattr(tracks, "MAX_ROUTE_BYTES", 1000)
    found = messages(mini)
    assert found[0].startswith("journey.1.route: route file 'track.gpx' is 0 MB; a route file ")
