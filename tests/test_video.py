"""Video and sound in chapters: links to YouTube and Vimeo, local and remote video and sound
files, read and checked while the story loads, and what a build writes for them."""

from __future__ import annotations

import math
import shutil
import struct
import wave
from pathlib import Path

import pytest
from commands import run

from storymap.build import build
from storymap.errors import StoryError
from storymap.media import MAX_EMBEDDED_BYTES, VideoLink, video_link
from storymap.story import load

MINI = Path(__file__).parent / "fixtures" / "mini"
PICTURE = """      - src: https://example.org/photo.jpg
        alt: A remote photo"""


def write_wav(path: Path, seconds: float = 1.0, rate: int = 8000) -> Path:
    """A short mono tone, a valid WAV file that Chromium plays."""
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
        for i in range(int(seconds * rate))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return path


def write_mp4(path: Path, size: int) -> Path:
    """A file that begins as an MP4 does, ``size`` bytes long."""
    path.write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\x00" * (size - 12))
    return path


def story_with(folder: Path, items: str) -> Path:
    """The mini story in ``folder``, with ``items`` (YAML list items) after its remote photo."""
    shutil.copytree(MINI, folder, dirs_exist_ok=True)
    story = folder / "story.yaml"
    text = story.read_text(encoding="utf-8")
    assert PICTURE in text
    story.write_text(text.replace(PICTURE, PICTURE + "\n" + items.rstrip("\n")), "utf-8")
    return story


def item(src: str, *extra: str) -> str:
    return "\n".join([f"      - src: {src}", *(f"        {e}" for e in extra)])


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", VideoLink("youtube", "dQw4w9WgXcQ")),
        ("https://youtube.com/watch?feature=x&v=dQw4w9WgXcQ", VideoLink("youtube", "dQw4w9WgXcQ")),
        ("https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=42", VideoLink("youtube", "dQw4w9WgXcQ", 42)),
        ("https://youtu.be/dQw4w9WgXcQ", VideoLink("youtube", "dQw4w9WgXcQ")),
        ("https://youtu.be/dQw4w9WgXcQ?t=1m30s", VideoLink("youtube", "dQw4w9WgXcQ", 90)),
        ("https://youtu.be/a-b_c-d_e-f?si=tracking", VideoLink("youtube", "a-b_c-d_e-f")),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", VideoLink("youtube", "dQw4w9WgXcQ")),
        (
            "https://www.youtube.com/embed/dQw4w9WgXcQ?start=75",
            VideoLink("youtube", "dQw4w9WgXcQ", 75),
        ),
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ#t=1h",
            VideoLink("youtube", "dQw4w9WgXcQ", 3600),
        ),
        ("https://vimeo.com/76979871", VideoLink("vimeo", "76979871")),
        ("https://vimeo.com/76979871#t=30s", VideoLink("vimeo", "76979871", 30)),
        (
            "https://vimeo.com/76979871/abc123def0",
            VideoLink("vimeo", "76979871", hash="abc123def0"),
        ),
        ("https://player.vimeo.com/video/76979871", VideoLink("vimeo", "76979871")),
        ("https://example.org/watch?v=dQw4w9WgXcQ", None),
        ("https://example.org/clip.mp4", None),
    ],
)
def test_video_links_are_read(url: str, expected: VideoLink | None) -> None:
    assert video_link(url) == expected


def test_the_players_are_on_the_privacy_enhanced_hosts() -> None:
    youtube = video_link("https://youtu.be/dQw4w9WgXcQ?t=90")
    assert (
        youtube.player == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&start=90"
    )
    assert youtube.page == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=90s"
    vimeo = video_link("https://vimeo.com/76979871")
    assert vimeo.player == "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1"
    assert vimeo.page == "https://vimeo.com/76979871"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://www.youtube.com/watch?v=short", "'short', which is not a video id (11 letters"),
        ("https://youtu.be/dQw4w9WgXcQ1", "which is not a video id"),
        ("https://youtu.be/dQw4w9WgX<Q", "which is not a video id"),
        ("https://www.youtube.com/watch", "is a YouTube address but names no video"),
        ("https://www.youtube.com/channel/UCabc", "is a YouTube address but names no video"),
        ("https://youtu.be/dQw4w9WgXcQ?t=soon", "starts at 'soon', which is not a time"),
        ("https://vimeo.com/abc", "'abc', which is not a video id (digits)"),
        ("https://vimeo.com/channels/staffpicks/123", "is a Vimeo address but names no video"),
        ("https://player.vimeo.com/123", "is a Vimeo address but names no video"),
        ("https://vimeo.com/123/NOT-A-KEY", "where Vimeo's key of an unlisted video goes"),
    ],
)
def test_a_malformed_video_link_says_how_to_write_it(url: str, says: str) -> None:
    with pytest.raises(ValueError) as caught:
        video_link(url)
    assert says in str(caught.value)


def test_a_malformed_video_link_is_a_problem_naming_file_line_and_field(tmp_path: Path) -> None:
    story = story_with(tmp_path / "s", item("https://youtu.be/nope", "caption: A clip"))
    with pytest.raises(StoryError) as caught:
        load(story)
    (problem,) = caught.value.problems
    text = story.read_text(encoding="utf-8").splitlines()
    assert problem.file == str(story)
    assert problem.line == 1 + text.index("      - src: https://youtu.be/nope")
    assert problem.path == "journey.1.media.2.src"
    assert "'https://youtu.be/nope' names the YouTube video 'nope', which is not" in problem.message


def test_the_command_line_reports_a_bad_video_link_with_status_2(tmp_path: Path) -> None:
    story = story_with(tmp_path / "s", item("https://vimeo.com/12ab", "caption: A clip"))
    done = run("build", story, "-o", tmp_path / "out.html", "--tiles", "none", cwd=tmp_path)
    assert done.returncode == 2
    assert "journey.1.media.2.src: 'https://vimeo.com/12ab' names the Vimeo video" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out.html").exists()


def test_a_video_needs_no_alt_text_and_is_named_by_its_caption(tmp_path: Path) -> None:
    story = story_with(tmp_path / "s", item("https://youtu.be/dQw4w9WgXcQ", "caption: The bridge"))
    media = load(story).chapters[1].media[2]
    assert (media.kind, media.alt, media.label) == ("youtube", None, "The bridge")


def test_a_picture_still_needs_alt_text(tmp_path: Path) -> None:
    story = story_with(tmp_path / "s", item("https://example.org/other.jpg", "caption: A photo"))
    with pytest.raises(StoryError) as caught:
        load(story)
    (problem,) = caught.value.problems
    assert problem.path == "journey.1.media.2.alt"
    assert "required field is missing; add 'alt: " in problem.message


def test_a_small_sound_file_is_embedded(tmp_path: Path) -> None:
    story = story_with(tmp_path / "s", item("media/tone.wav", "caption: Wheels"))
    wav = write_wav(tmp_path / "s" / "media" / "tone.wav")
    media = load(story).chapters[1].media[2]
    assert (media.kind, media.mime, media.data) == ("audio", "audio/wav", wav.read_bytes())
    page = build(story, tmp_path / "out" / "page.html", tiles=None)
    html = page.page.read_text(encoding="utf-8")
    assert '<audio controls preload="metadata" src="data:audio/wav;base64,UklGR' in html
    assert page.copied == ()
    assert not (tmp_path / "out" / "page_files").exists()


def test_a_large_video_is_copied_beside_the_page_and_named_relatively(tmp_path: Path) -> None:
    story = story_with(tmp_path / "s", item("media/big clip.mp4", "caption: The crossing"))
    clip = write_mp4(tmp_path / "s" / "media" / "big clip.mp4", MAX_EMBEDDED_BYTES + 1)
    journey = build(story, tmp_path / "out" / "page.html", tiles=None)
    copy = tmp_path / "out" / "page_files" / "big clip.mp4"
    assert journey.copied == (copy,)
    assert copy.read_bytes() == clip.read_bytes()
    html = journey.page.read_text(encoding="utf-8")
    assert 'src="page_files/big%20clip.mp4" aria-label="The crossing"' in html
    assert "base64,AAAAGGZ0eXBpc29t" not in html  # not embedded as well
    assert not list((tmp_path / "out" / "page_files").glob(".*.storymap.tmp"))


def test_a_copy_that_is_current_is_not_written_again(tmp_path: Path) -> None:
    story = story_with(tmp_path / "s", item("media/clip.mp4", "caption: The crossing"))
    write_mp4(tmp_path / "s" / "media" / "clip.mp4", MAX_EMBEDDED_BYTES + 1)
    build(story, tmp_path / "page.html", tiles=None)
    copy = tmp_path / "page_files" / "clip.mp4"
    first = copy.stat().st_ino
    build(story, tmp_path / "page.html", tiles=None)
    assert copy.stat().st_ino == first  # left as it was, not replaced by a new file
    write_mp4(tmp_path / "s" / "media" / "clip.mp4", MAX_EMBEDDED_BYTES + 5)
    build(story, tmp_path / "page.html", tiles=None)
    assert copy.stat().st_size == MAX_EMBEDDED_BYTES + 5


def test_two_files_of_one_name_get_two_names(tmp_path: Path) -> None:
    items = item("media/clip.mp4", "caption: One") + "\n" + item("more/clip.mp4", "caption: Two")
    story = story_with(tmp_path / "s", items)
    (tmp_path / "s" / "more").mkdir()
    write_mp4(tmp_path / "s" / "media" / "clip.mp4", MAX_EMBEDDED_BYTES + 1)
    write_mp4(tmp_path / "s" / "more" / "clip.mp4", MAX_EMBEDDED_BYTES + 2)
    journey = build(story, tmp_path / "page.html", tiles=None)
    assert [p.name for p in journey.copied] == ["clip.mp4", "clip-2.mp4"]
    assert (tmp_path / "page_files" / "clip-2.mp4").stat().st_size == MAX_EMBEDDED_BYTES + 2


def test_the_build_says_what_it_copied(tmp_path: Path) -> None:
    story = story_with(tmp_path / "s", item("media/clip.mp4", "caption: The crossing"))
    write_mp4(tmp_path / "s" / "media" / "clip.mp4", MAX_EMBEDDED_BYTES + 1)
    done = run("build", story, "-o", "out/", "--tiles", "none", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (
        "copied 1 media file beside the page (publish them with it): out/story_files/clip.mp4"
        in done.stdout + done.stderr
    )
    assert (tmp_path / "out" / "story_files" / "clip.mp4").is_file()


def test_a_remote_video_or_sound_file_loads_nothing_before_play(tmp_path: Path) -> None:
    items = (
        item("https://example.org/talk.mp3", "caption: Talk")
        + "\n"
        + item("https://example.org/film.webm", "caption: Film")
    )
    story = story_with(tmp_path / "s", items)
    journey = build(story, tmp_path / "page.html", tiles=None)
    html = journey.page.read_text(encoding="utf-8")
    assert '<audio controls preload="none" src="https://example.org/talk.mp3"' in html
    assert '<video controls playsinline preload="none" src="https://example.org/film.webm"' in html


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("missing.mp4", None, "media file 'media/missing.mp4' does not exist (looked for"),
        ("fake.mp4", b"<html>not a video</html>", "is not an MP4 file (its first bytes say"),
        ("fake.wav", b"ID3\x03\x00\x00\x00\x00\x00\x00\x00\x00", "is not a WAV file"),
        ("fake.webm", b"OggS\x00\x02" + b"\x00" * 20, "is not a WebM file"),
        ("clip.avi", b"RIFF\x00\x00\x00\x00AVI ", "is not an image, a video or a sound"),
    ],
)
def test_a_bad_local_file_is_a_problem_of_the_story(
    tmp_path: Path, name: str, content: bytes | None, says: str
) -> None:
    story = story_with(tmp_path / "s", item(f"media/{name}", "caption: A clip", "alt: A clip"))
    if content is not None:
        (tmp_path / "s" / "media" / name).write_bytes(content)
    with pytest.raises(StoryError) as caught:
        load(story)
    (problem,) = caught.value.problems
    assert problem.path == "journey.1.media.2.src"
    assert problem.line == 1 + story.read_text("utf-8").splitlines().index(
        f"      - src: media/{name}"
    )
    assert says in problem.message


def test_an_output_over_a_video_of_the_story_is_refused(tmp_path: Path) -> None:
    story = story_with(tmp_path / "s", item("media/tone.wav", "caption: Wheels"))
    write_wav(tmp_path / "s" / "media" / "tone.wav")
    done = run("build", story, "-o", tmp_path / "s" / "media" / "tone.wav", cwd=tmp_path)
    assert done.returncode == 2
    assert "would overwrite a sound file of the story" in done.stderr
