"""Local images are read, checked and scaled down while the story loads."""

import shutil
from pathlib import Path

import pytest

from storymap.errors import StoryError
from storymap.render import media_item
from storymap.story import MAX_IMAGE_WIDTH, load

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    folder = tmp_path / "story"
    shutil.copytree(MINI, folder)
    return folder / "story.yaml"


def test_the_loaded_story_carries_the_image(mini: Path) -> None:
    (media,) = [m for c in load(mini).chapters for m in c.media if m.data is not None]
    assert media.mime == "image/png"
    assert media.data == (mini.parent / "media" / "dot.png").read_bytes()
    item = media_item(media)
    assert item["kind"] == "image" and item["src"].startswith("data:image/png;base64,")


def test_a_wide_image_is_scaled_down_at_load(mini: Path) -> None:
    import io

    from PIL import Image

    Image.new("RGB", (3200, 1800), (200, 40, 40)).save(mini.parent / "media" / "big.jpg")
    mini.write_text(mini.read_text().replace("media/dot.png", "media/big.jpg"), "utf-8")
    (media,) = [m for c in load(mini).chapters for m in c.media if m.data is not None]
    with Image.open(io.BytesIO(media.data)) as image:
        assert image.size == (MAX_IMAGE_WIDTH, 900)


def test_an_image_that_cannot_be_decoded_is_a_problem_of_the_story(mini: Path) -> None:
    from PIL import Image

    Image.new("RGB", (3200, 1800), (200, 40, 40)).save(mini.parent / "media" / "big.png")
    data = (mini.parent / "media" / "big.png").read_bytes()
    (mini.parent / "media" / "big.png").write_bytes(data[: len(data) // 2])
    text = mini.read_text().replace("media/dot.png", "media/big.png")
    mini.write_text(text, "utf-8")
    with pytest.raises(StoryError) as caught:
        load(mini)
    (problem,) = caught.value.problems
    assert problem.path.endswith(".src")
    assert problem.line == 1 + text.splitlines().index("      - src: media/big.png")
    assert "media/big.png' is not a readable image (" in problem.message
