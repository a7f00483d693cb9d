"""The picture of the journey: its size, its bytes, the legs in their modes' colours on land
and sea, a journey across the 180° meridian drawn in its frame, and bad sizes refused."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
import pytest
from commands import run as run_storymap
from PIL import Image

import storymap
from storymap.image import LAND, SEA, journey_image
from storymap.model import MODES

# Tokyo, over the 180° meridian by air to Anchorage, and by car to Whitehorse.
ACROSS = """\
title: Across the date line
subtitle: A test journey over the Pacific
places:
  tokyo: {name: Tokyo, lat: 35.6895, lon: 139.6917, source: test value}
  anchorage: {name: Anchorage, lat: 61.2181, lon: -149.9003, source: test value}
  whitehorse: {name: Whitehorse, lat: 60.7212, lon: -135.0568, source: test value}
journey:
  - at: tokyo
    title: Leaving Tokyo
  - at: anchorage
    by: flight
    title: Anchorage
  - at: whitehorse
    by: car
    title: Whitehorse
"""


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])


def near(image: np.ndarray, colour: str, within: int = 24) -> np.ndarray:
    """Where the picture shows ``colour`` (each channel within ``within``)."""
    return np.all(np.abs(image - rgb(colour)) <= within, axis=-1)


@pytest.fixture(scope="module")
def across(tmp_path_factory: pytest.TempPathFactory) -> storymap.Journey:
    story = tmp_path_factory.mktemp("across") / "across.yaml"
    story.write_text(ACROSS, encoding="utf-8")
    return storymap.load(story)


def test_the_picture_is_a_png_of_the_size_asked_for(mini_journey) -> None:
    for size in ((1200, 630), (800, 800), (400, 1000)):
        picture = Image.open(io.BytesIO(journey_image(mini_journey, size)))
        assert picture.format == "PNG"
        assert picture.size == size


def test_the_same_journey_gives_the_same_bytes(mini_journey) -> None:
    assert journey_image(mini_journey) == journey_image(mini_journey)


def the_map(png: bytes) -> np.ndarray:
    """The picture below its title band (a sixth of a share card)."""
    image = pixels(png)
    return image[int(0.18 * image.shape[0]) :]


def test_the_flagship_shows_land_sea_and_each_legs_colour(flagship_journey) -> None:
    image = the_map(journey_image(flagship_journey))
    total = image.shape[0] * image.shape[1]
    assert near(image, LAND, 0).sum() > 0.2 * total
    assert near(image, SEA, 0).sum() > 0.02 * total  # the Sea of Japan, the Caspian
    for leg in flagship_journey.legs:
        if leg.length_km < 100:  # the kilometre on the trolley lies under its stops' marker
            continue
        found = near(image, leg.mode.color).sum()
        # at least a few pixels: most of the bus's 150 km lies under its two stops' markers
        assert found >= 12, f"{leg.mode.name}: {found} pixels of {leg.mode.color}"


def test_a_journey_across_180_is_drawn_in_one_frame(across) -> None:
    image = the_map(journey_image(across))
    height, width = image.shape[:2]
    flight = np.argwhere(near(image, MODES["flight"].color, 16))
    car = np.argwhere(near(image, MODES["car"].color, 16))
    assert len(flight) > 100 and len(car) > 100
    # The flight spans most of the picture, from Tokyo in the west to Alaska in the east, and
    # the car leg goes on east of it: no leg wraps round to the other side of the world.
    xs = flight[:, 1]
    assert xs.min() < 0.3 * width and xs.max() > 0.6 * width
    assert np.median(car[:, 1]) > np.median(xs)
    assert car[:, 1].max() < 0.95 * width
    sea = near(image, SEA, 0).sum()
    assert sea > 0.2 * height * width  # the North Pacific


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_storymap("image", *args, cwd=cwd)


def test_the_command_writes_the_picture(tmp_path: Path) -> None:
    story = tmp_path / "across.yaml"
    story.write_text(ACROSS, encoding="utf-8")
    first = run(str(story), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    written = tmp_path / "output" / "across.png"
    assert first.stdout.startswith(f"wrote {Path('output') / 'across.png'} (1200x630")
    again = run(str(story), "-o", "pictures/", "--size", "640x480", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    small = tmp_path / "pictures" / "across.png"
    assert Image.open(small).size == (640, 480)
    copy = run(str(story), "-o", "copy.png", cwd=tmp_path)
    assert copy.returncode == 0
    assert (tmp_path / "copy.png").read_bytes() == written.read_bytes()


@pytest.mark.parametrize("size", ["0x0", "12x300", "1200", "wide", "5000x300", "300x-1", "1x1e3"])
def test_bad_sizes_are_refused_in_one_line(tmp_path: Path, size: str) -> None:
    story = tmp_path / "across.yaml"
    story.write_text(ACROSS, encoding="utf-8")
    result = run(str(story), "--size", size, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "--size" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "output").exists()


def test_the_picture_never_replaces_the_story(tmp_path: Path) -> None:
    story = tmp_path / "across.yaml"
    story.write_text(ACROSS, encoding="utf-8")
    result = run(str(story), "-o", str(story), cwd=tmp_path)
    assert result.returncode == 2
    assert story.read_text(encoding="utf-8") == ACROSS


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Пхеньян", "Cyrillic"),
        ("Αθήνα", "Greek"),
        ("חסאן", "Hebrew"),
        ("مرسى مطروح", "Arabic"),
        ("Hà Nội", "Vietnamese"),
        ("Man’gyŏngdae", "romanised Korean"),
    ],
)
def test_the_fonts_draw_the_letters_of_many_scripts(text: str, script: str) -> None:
    """Each letter is the font's own glyph, not the empty box of a letter it lacks."""
    from storymap.image import _font, missing_letters

    assert missing_letters(text) == "", script
    font = _font(40)
    lacking = font.getmask("\u4e00").getbbox()  # a letter outside the fonts: the box
    for letter in text.replace(" ", ""):
        assert font.getmask(letter).getbbox() != lacking, (script, letter)


def test_a_title_in_letters_the_fonts_lack_is_drawn_without_them_and_said(tmp_path: Path) -> None:
    story = tmp_path / "beijing.yaml"
    story.write_text(ACROSS.replace("Across the date line", "北京 to Tokyo"), encoding="utf-8")
    result = run(str(story), "-o", "card.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"warning: {story}:1: title: the picture's font has no letters for 北京" in result.stderr
    plain = tmp_path / "plain.yaml"
    plain.write_text(ACROSS.replace("Across the date line", "to Tokyo"), encoding="utf-8")
    assert run(str(plain), "-o", "plain.png", cwd=tmp_path).returncode == 0
    # The title is drawn without the letters it lacks, the same as " to Tokyo", not with boxes.
    assert (
        pixels((tmp_path / "card.png").read_bytes())[:80].tolist()
        == pixels((tmp_path / "plain.png").read_bytes())[:80].tolist()
    )
    assert "warning" not in run(str(plain), "-o", "plain.png", cwd=tmp_path).stderr


def test_a_right_to_left_title_begins_at_the_right(tmp_path: Path) -> None:
    story = Path(__file__).parent / "fixtures" / "languages" / "ar.yaml"
    result = run(str(story), "-o", str(tmp_path / "ar.png"), "--size", "800x420", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    band = pixels((tmp_path / "ar.png").read_bytes())[10:45]  # the title's line
    ink = np.argwhere(np.all(band < 120, axis=-1))[:, 1]  # dark pixels: the letters
    assert ink.size > 100
    assert ink.max() > 760 and ink.min() > 300, (ink.min(), ink.max())
