"""Load a story file (YAML, format v1) into an immutable :class:`~storymap.model.Story`.

Every problem is reported as ``file:line: field.path: what is wrong; how to fix it``,
with the line from the YAML parser, and all independent problems are reported at
once in a single :class:`~storymap.errors.StoryError`.

Everything the story names is read here too: each chapter's route file
(:mod:`storymap.tracks`; the chapter carries its track) and each local image (checked,
scaled down, and carried by its :class:`~storymap.model.Media`); the tile provider's name
is checked. Nothing downstream reads those files or checks the data again: routing and
rendering trust a story that loaded and was located.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from storymap.errors import Problem, StoryError
from storymap.inputs import NotRegularFileError, TooLargeError, read_capped
from storymap.model import MODES, Chapter, Media, Place, Source, Story, Waypoint, file_keys
from storymap.suggest import Closest
from storymap.tiles import check_name
from storymap.tracks import TrackError, read_track
from storymap.yamlreader import Path_, dotted, parse

MAX_STORY_BYTES = 5_000_000  # a story file larger than this is refused
MAX_CHAPTERS = 5_000
MAX_PLACES = 10_000
MAX_MEDIA_BYTES = 25_000_000  # one local image

# The fields a story file may give, in order: the model's own (storymap.model.read).
TOP_FIELDS = file_keys(Story)
PLACE_FIELDS = file_keys(Place)
CHAPTER_FIELDS = file_keys(Chapter)
MEDIA_FIELDS = file_keys(Media)
SOURCE_FIELDS = file_keys(Source)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".svg", ".avif")
MAX_DURATION_H = 10 * 365.25 * 24  # a leg longer than ten years is a typing mistake
# a BCP 47 language tag: a language, then optional script, region and variant subtags
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")

# Duration units people write, largest first: each word, and the hours one of it is.
_UNITS = (
    (("w", "wk", "wks", "week", "weeks"), 7 * 24.0),
    (("d", "day", "days"), 24.0),
    (("h", "hr", "hrs", "hour", "hours"), 1.0),
    (("m", "min", "mins", "minute", "minutes"), 1 / 60),
    (("s", "sec", "secs", "second", "seconds"), 1 / 3600),
)
_UNIT_RANK = {word: rank for rank, (words, _) in enumerate(_UNITS) for word in words}
_NUMBER = r"\d+(?:\.\d+)?"
_DURATION = re.compile(rf"{_NUMBER} ?[a-z]+(?:,? ?{_NUMBER} ?[a-z]+)*", re.IGNORECASE | re.ASCII)
_DURATION_PART = re.compile(rf"({_NUMBER}) ?([a-z]+)", re.IGNORECASE | re.ASCII)
_ISO_DURATION = re.compile(
    rf"P(?:(?P<w>{_NUMBER})W)?(?:(?P<d>{_NUMBER})D)?"
    rf"(?:T(?=\d)(?:(?P<h>{_NUMBER})H)?(?:(?P<m>{_NUMBER})M)?(?:(?P<s>{_NUMBER})S)?)?",
    re.IGNORECASE | re.ASCII,
)
DURATION_EXAMPLES = "7d, 7 d 14 h, 6 days, 1h30m, 90 min, 2 weeks or ISO 8601 P7DT14H"
ID_RULE = (
    "use letters (of any script), digits, - and _, starting with a letter or digit; "
    "no spaces, #, /, ?, %"
)


def usable_id(text: str) -> bool:
    """Whether ``text`` can be a place or chapter id: letters of any script (with their
    accents), digits, ``-`` and ``_``, starting with a letter or digit. Nothing that a web
    address would have to escape beyond its letters: no space, ``#``, ``/``, ``?``, ``%``,
    control character or newline."""
    if not text or unicodedata.category(text[0])[0] not in "LN":
        return False
    return all(c in "-_" or unicodedata.category(c)[0] in "LMN" for c in text)


def load(path: str | Path, *, allow_outside: bool = False) -> Story:
    """Read and validate the story file at ``path``.

    Route and media files must lie in the story's folder (or below it) unless
    ``allow_outside`` is true: a story received from someone else cannot make a build read
    ``../../etc/passwd`` into a page.
    """
    path = Path(path)
    try:
        data = read_capped(path, MAX_STORY_BYTES)  # a size checked before reading, not after
    except FileNotFoundError:
        raise StoryError.at(path, None, "", "no such file; check the path to the story") from None
    except OSError as exc:
        raise StoryError.at(path, None, "", f"cannot be read ({exc.strerror})") from None
    except NotRegularFileError as exc:
        raise StoryError.at(path, None, "", f"{exc}; give the path to a .yaml story file") from None
    except TooLargeError as exc:
        raise StoryError.at(
            path,
            None,
            "",
            f"is {exc.size:,} bytes or more; a story file may be at most "
            f"{MAX_STORY_BYTES:,} bytes (put long tracks in route files)",
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise StoryError.at(path, line, "", "is not UTF-8 text; save the file as UTF-8") from None
    return loads(text, file=str(path), base_dir=path.parent, allow_outside=allow_outside)


def loads(
    text: str,
    *,
    file: str = "<story>",
    base_dir: str | Path | None = None,
    allow_outside: bool = False,
) -> Story:
    """Validate a story given as YAML text. Relative files are looked up in ``base_dir``."""
    raw, lines = parse(text, file)
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    checker = _Checker(file, lines, base, allow_outside=allow_outside)
    story = checker.story(raw)
    if checker.problems:
        raise StoryError(sorted(checker.problems, key=lambda p: p.line or 0))
    assert story is not None
    return story


# --- Validation --------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({value!r})" if len(value) <= 40 else "text"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _shown_id(text: str) -> str:
    """An id as a message shows it: quoted, with a newline or other control character
    escaped so that it can be seen."""
    return repr(text) if any(not c.isprintable() for c in text) else f"'{text}'"


def slugify(text: str) -> str:
    """A URL fragment made of the ASCII letters and digits of ``text``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@dataclass
class _Entity:
    """One mapping of the story file as it is read into a model value."""

    data: dict
    path: Path_
    values: dict[str, Any] = field(default_factory=dict)  # the fields read so far
    index: int = 0  # a chapter's place in the journey
    places: dict[str, Place] = field(default_factory=dict)  # the story's, for a chapter


_LISTED = 40  # ids named in a message about an unknown one; more are counted


class _Checker:
    """Turns parsed YAML into model values, recording every problem it meets."""

    def __init__(
        self, file: str, lines: dict[Path_, int], base_dir: Path, *, allow_outside: bool = False
    ):
        self.file = file
        self.lines = lines
        self.base_dir = base_dir
        self.allow_outside = allow_outside
        self.problems: list[Problem] = []
        # Each route file and image is read once, however many chapters name it.
        self.tracks: dict[Path, Any] = {}
        self.images: dict[Path, tuple[str, bytes] | str] = {}
        self.sounds: dict[Path, tuple[str, bytes | None] | str] = {}
        self._closest: dict[int, tuple[Any, Closest]] = {}
        self._listed: dict[int, tuple[Any, str]] = {}

    # helpers

    def line(self, path: Path_) -> int | None:
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path)

    def problem(self, path: Path_, message: str) -> None:
        self.problems.append(Problem(self.file, self.line(path), dotted(path), message))

    def did_you_mean(self, word: object, names: Any) -> str:
        """ "did you mean 'x'? " for the name in ``names`` closest to ``word``, or ""."""
        entry = self._closest.get(id(names))
        if entry is None or entry[0] is not names:
            entry = self._closest[id(names)] = (names, Closest(names))
        close = entry[1](word)
        return f"did you mean '{close}'? " if close else ""

    def listed(self, names: Any) -> str:
        """``names`` sorted, for a message: all of them, or the first few of many."""
        entry = self._listed.get(id(names))
        if entry is None or entry[0] is not names:
            ordered = sorted(names)
            shown = ", ".join(ordered[:_LISTED])
            if len(ordered) > _LISTED:
                shown += f", … ({len(ordered):,} in all)"
            entry = self._listed[id(names)] = (names, shown or "(none defined)")
        return entry[1]

    def mapping(self, value: Any, path: Path_, cls: type, what: str) -> dict | None:
        """``value`` as a mapping whose keys are fields of ``cls`` (unknown ones reported)."""
        known = file_keys(cls)
        if not isinstance(value, dict):
            self.problem(path, f"expected {what} (a mapping of 'field: value'), got {_kind(value)}")
            return None
        for key in value:
            if key not in known:
                hint = self.did_you_mean(key, known)
                self.problem(
                    (*path, key),
                    f"unknown field '{key}'; {hint}valid fields here: {', '.join(known)}",
                )
        return value

    def required(self, data: dict, path: Path_, key: str, example: str) -> Any:
        if data.get(key) is None:
            self.problem((*path, key), f"required field is missing; add '{key}: {example}'")
        return data.get(key)

    def text(self, data: dict, path: Path_, key: str, *, required: str | None = None) -> str | None:
        value = self.required(data, path, key, required) if required else data.get(key)
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)  # a title like 1984 is text
        if not isinstance(value, str):
            self.problem((*path, key), f"expected text, got {_kind(value)}; quote it")
            return None
        if required and not value.strip():
            self.problem((*path, key), f"is empty; add '{key}: {required}'")
            return None
        return value

    def date(self, data: dict, path: Path_, key: str) -> dt.date | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem(
            (*path, key), f"expected a date like 2021-02-25, got {_kind(value)}; write YYYY-MM-DD"
        )
        return None

    def each(self, data: dict, path: Path_, key: str, item: Callable[[Any, Path_], Any]) -> tuple:
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem((*path, key), f"expected a list ('- item' lines), got {_kind(value)}")
            return ()
        out = (item(v, (*path, key, i)) for i, v in enumerate(value))
        return tuple(x for x in out if x is not None)

    def url(self, value: str, path: Path_, *, local: bool = False) -> bool:
        scheme = re.match(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):", value)
        if scheme and scheme.group(1).lower() in ("http", "https") and len(scheme.group(1)) > 1:
            return True
        if local and not scheme:
            return True
        allowed = "an http(s) URL" + (" or a file path relative to the story" if local else "")
        self.problem(path, f"'{value[:60]}' is not {allowed}; only http and https links are kept")
        return False

    # reading an entity: each field of the model that the file sets is read by its checker

    def fill(self, cls: type, entity: _Entity) -> dict[str, Any]:
        """Read every field of ``cls`` that the story file sets from ``entity``'s mapping, each
        by the checker its :func:`~storymap.model.read` names, into ``entity.values``. A checker
        returns the value, or None to leave the model's default."""
        for f in fields(cls):
            if "check" not in f.metadata:
                continue
            key = f.metadata["key"] or f.name
            if f.metadata["leg"] and entity.index == 0:
                if key in entity.data:
                    self.problem(
                        (*entity.path, key),
                        "the first chapter is where the journey starts, no leg leads to it; "
                        f"remove '{key}:'",
                    )
                continue
            example = f.metadata["example"]
            if example and entity.data.get(key) is None:
                self.problem(
                    (*entity.path, key), f"required field is missing; add '{key}: {example}'"
                )
                continue
            check = getattr(self, "check_" + f.metadata["check"])
            if f.metadata["choices"]:
                value = check(entity, key, f.metadata["choices"])
            else:
                value = check(entity, key, example)
            if value is not None:
                entity.values[f.name] = value
        return entity.values

    def check_text(self, e: _Entity, key: str, example: str | None) -> str | None:
        return self.text(e.data, e.path, key, required=example)

    def check_link(self, e: _Entity, key: str, example: str | None) -> str | None:
        url = self.text(e.data, e.path, key)
        return url if url is not None and self.url(url, (*e.path, key)) else None

    def check_date(self, e: _Entity, key: str, example: str | None) -> dt.date | None:
        return self.date(e.data, e.path, key)

    def check_latitude(self, e: _Entity, key: str, example: str | None) -> float | None:
        return self.coordinate(e.data, e.path, key, 90)

    def check_longitude(self, e: _Entity, key: str, example: str | None) -> float | None:
        return self.coordinate(e.data, e.path, key, 180)

    def check_aliases(self, e: _Entity, key: str, example: str | None) -> tuple[str, ...]:
        return self.each(e.data, e.path, key, self.alias)

    def check_sources(self, e: _Entity, key: str, example: str | None) -> tuple[Source, ...]:
        return self.each(e.data, e.path, key, self.source)

    def check_media(self, e: _Entity, key: str, example: str | None) -> tuple[Media, ...]:
        return self.each(e.data, e.path, key, self.media)

    def check_places(self, e: _Entity, key: str, example: str | None) -> dict[str, Place]:
        return self.places(e.data.get(key))

    def check_journey(self, e: _Entity, key: str, example: str | None) -> tuple[Chapter, ...]:
        return self.journey(e.data.get(key), e.values.get("places", {}))

    def check_place(self, e: _Entity, key: str, example: str | None) -> str | None:
        return self.place_ref(e.data, e.path, key, e.places, required=True)

    def check_chapter_id(self, e: _Entity, key: str, example: str | None) -> str:
        return self.chapter_id(e.data, e.path, e.values.get("at"), e.index)

    def check_via(self, e: _Entity, key: str, example: str | None) -> tuple[Waypoint, ...]:
        return self.via(e.data, e.path, e.places)

    def check_route(self, e: _Entity, key: str, example: str | None) -> Path | None:
        route, e.values["track"] = self.route(e.data, e.path)
        return route

    def check_duration(self, e: _Entity, key: str, example: str | None) -> float | None:
        return self.duration(e.data, e.path)

    def check_tiles(self, e: _Entity, key: str, example: str | None) -> str | None:
        if key not in e.data:
            return None
        value = e.data[key]
        if value is None or (isinstance(value, str) and value.strip().lower() == "none"):
            e.values["tiles"] = None  # no tiles, rather than the default
            return None
        if isinstance(value, str) and value.strip():
            try:
                check_name(value.strip())
            except ValueError as exc:
                self.problem((key,), str(exc))
            return value.strip()
        self.problem(
            (key,),
            "expected a tile provider name such as OpenStreetMap.Mapnik, or none; "
            f"got {_kind(value)}",
        )
        return None

    def check_choice(self, e: _Entity, key: str, choices: tuple[str, ...]) -> str | None:
        value = e.data.get(key)
        if value is None:
            return None
        if isinstance(value, str) and value.strip().lower() in choices:
            return value.strip().lower()
        if isinstance(value, str):
            hint = self.did_you_mean(value, choices)
            message = f"unknown {key} '{value[:40]}'; {hint}use one of: {', '.join(choices)}"
        else:
            message = f"expected one of: {', '.join(choices)}; got {_kind(value)}"
        self.problem((*e.path, key), message)
        return None

    def check_lang(self, e: _Entity, key: str, example: str | None) -> str | None:
        value = self.text(e.data, e.path, key)
        if value is None:
            return None
        if not LANGUAGE_TAG.fullmatch(value):
            self.problem(
                (*e.path, key),
                f"'{value[:40]}' is not a language tag; use one such as en, ru, pt-BR or zh-Hant",
            )
            return None
        return value

    def check_mode(self, e: _Entity, key: str, example: str | None) -> str | None:
        by = e.data.get(key)
        if by is None:
            self.problem(
                (*e.path, key),
                "required field is missing: how did the journey get here? "
                f"add '{key}:' with one of: {', '.join(MODES)}",
            )
            return None
        if not isinstance(by, str) or by not in MODES:
            shown = by if isinstance(by, str) else _kind(by)
            hint = self.did_you_mean(by, MODES)
            self.problem(
                (*e.path, key),
                f"unknown mode '{shown}'; {hint}use one of: {', '.join(MODES)}",
            )
            return None
        return by

    # the story and its entities: what their fields alone cannot say

    def story(self, raw: Any) -> Story | None:
        data = self.mapping(raw, (), Story, "a story")
        if data is None:
            return None
        values = self.fill(Story, _Entity(data, ()))
        values.setdefault("title", "")
        path = Path(self.file) if self.file != "<story>" else None
        return Story(**values, path=path)

    def source(self, raw: Any, path: Path_) -> Source | None:
        data = self.mapping(raw, path, Source, "a source with title and url")
        if data is None:
            return None
        values = self.fill(Source, _Entity(data, path))
        return Source(**values) if values.get("title") else None

    def places(self, raw: Any) -> dict[str, Place]:
        if raw is None:
            self.problem(
                ("places",), "required field is missing; add 'places:' with at least one place"
            )
            return {}
        if not isinstance(raw, dict):
            self.problem(("places",), f"expected places by id ('embassy:' lines), got {_kind(raw)}")
            return {}
        data = raw
        places: dict[str, Place] = {}
        for pid, value in data.items():
            place = self.place(pid, value, ("places", pid))
            if place is not None:
                places[pid] = place
        if not data:
            self.problem(("places",), "is empty; add at least one place")
        if len(data) > MAX_PLACES:
            self.problem(
                ("places",),
                f"has {len(data):,} places; a story may have at most {MAX_PLACES:,}",
            )
        return places

    def place(self, pid: str, raw: Any, path: Path_) -> Place | None:
        if not usable_id(pid):
            self.problem(path, f"{_shown_id(pid)} is not a usable place id; {ID_RULE}")
        data = self.mapping(raw, path, Place, "a place with name and lat/lon or query")
        if data is None:
            return None
        values = self.fill(Place, _Entity(data, path))
        if ("lat" in data) != ("lon" in data):
            missing = "lon" if "lat" in data else "lat"
            self.problem((*path, missing), f"'lat' and 'lon' go together; add '{missing}:'")
        values.setdefault("name", pid)
        return Place(id=pid, **values, line=self.line(path))

    def alias(self, raw: Any, path: Path_) -> str | None:
        if isinstance(raw, str) and raw.strip():
            return raw
        self.problem(path, f"expected a name, got {_kind(raw)}")
        return None

    def coordinate(self, data: dict, path: Path_, key: str, limit: int) -> float | None:
        value = data.get(key)
        if key not in data:
            return None
        word = "latitude" if key == "lat" else "longitude"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            self.problem(
                (*path, key),
                f"expected a {word} in decimal degrees, got {_kind(value)}; "
                f"write e.g. {key}: 42.43",
            )
            return None
        if not -limit <= value <= limit:
            self.problem(
                (*path, key),
                f"{word} {value} is out of range; use a number from -{limit} to {limit}",
            )
            return None
        return float(value)

    def journey(self, raw: Any, places: dict[str, Place]) -> tuple[Chapter, ...]:
        if raw is None:
            self.problem(
                ("journey",), "required field is missing; add 'journey:' with the chapters in order"
            )
            return ()
        if not isinstance(raw, list) or not raw:
            self.problem(
                ("journey",),
                f"expected a list of chapters ('- at: place-id' lines), got {_kind(raw)}",
            )
            return ()
        if len(raw) > MAX_CHAPTERS:
            self.problem(
                ("journey",),
                f"has {len(raw):,} chapters; a story may have at most {MAX_CHAPTERS:,}: "
                "split it into several stories",
            )
            return ()
        read: list[tuple[int, Chapter, bool]] = []  # index, chapter, whether its id is given
        for i, value in enumerate(raw):
            chapter = self.chapter(value, ("journey", i), i, places)
            if chapter is not None:
                read.append((i, chapter, isinstance(value, dict) and value.get("id") is not None))
        return tuple(self.numbered(read))

    def numbered(self, read: list[tuple[int, Chapter, bool]]) -> list[Chapter]:
        """The chapters with unique ids. An id the story gives is kept as it is (a repeated one
        is reported); a default one (the place's id) is numbered past every id the story gives
        and every default before it: khasan, khasan-2, khasan-3."""
        given: dict[str, int] = {}
        for i, chapter, explicit in read:
            if not explicit:
                continue
            if chapter.id in given:
                self.problem(
                    ("journey", i, "id"),
                    f"'{chapter.id}' is already the id of journey.{given[chapter.id]}; "
                    "chapter ids must be unique",
                )
            else:
                given[chapter.id] = i
        taken = set(given)
        chapters = []
        for _, chapter, explicit in read:
            if not explicit:
                base, n = chapter.id, 2
                while chapter.id in taken:
                    chapter = replace(chapter, id=f"{base}-{n}")
                    n += 1
                taken.add(chapter.id)
            chapters.append(chapter)
        return chapters

    def chapter(
        self, raw: Any, path: Path_, index: int, places: dict[str, Place]
    ) -> Chapter | None:
        data = self.mapping(raw, path, Chapter, "a chapter with at:, title: and text:")
        if data is None:
            return None
        values = self.fill(Chapter, _Entity(data, path, index=index, places=places))
        if values.get("via") and values.get("route") is not None:
            self.problem(
                (*path, "route"), "give either 'via:' waypoints or a 'route:' file, not both"
            )
        if values.get("via"):
            values["track"] = None
        values.setdefault("at", "")
        values.setdefault("title", "")
        return Chapter(**values, line=self.line(path))

    def chapter_id(self, data: dict, path: Path_, at: str | None, index: int) -> str:
        """The id the chapter gives, else its place's id (numbered later if it repeats)."""
        value = data.get("id")
        if value is not None:
            value = str(value)
            if not usable_id(value) or value.isdigit():
                self.problem(
                    (*path, "id"),
                    f"{_shown_id(value)} is not a usable chapter id; {ID_RULE}; "
                    "not only digits (#3 links to the third chapter)",
                )
            return value
        if not at:
            return f"chapter-{index + 1}"
        return f"chapter-{at}" if at.isdigit() else at

    def place_ref(
        self, data: dict, path: Path_, key: str, places: dict[str, Place], *, required: bool
    ) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(
                    (*path, key), "required field is missing; add the id of a place from places:"
                )
            return None
        return self.known_place(value, (*path, key), places)

    def known_place(self, value: Any, path: Path_, places: dict[str, Place]) -> str | None:
        if not isinstance(value, str):
            self.problem(path, f"expected a place id, got {_kind(value)}")
            return None
        if value in places:
            return value
        hint = self.did_you_mean(value, places)
        self.problem(
            path,
            f"unknown place '{value}'; {hint}define it under places: or use one of: "
            f"{self.listed(places)}",
        )
        return None

    def via(self, data: dict, path: Path_, places: dict[str, Place]) -> tuple[Waypoint, ...]:
        def waypoint(raw: Any, wpath: Path_) -> Waypoint | None:
            if isinstance(raw, list):
                if len(raw) != 2:
                    self.problem(wpath, "a waypoint is a place id or [lat, lon]")
                    return None
                pair = {"lat": raw[0], "lon": raw[1]}
                lat = self.coordinate(pair, wpath, "lat", 90)
                lon = self.coordinate(pair, wpath, "lon", 180)
                return (lat, lon) if lat is not None and lon is not None else None
            return self.known_place(raw, wpath, places)

        return self.each(data, path, "via", waypoint)

    def local_file(self, value: str, path: Path_, what: str) -> Path | None:
        if "\x00" in value:
            self.problem(path, f"{what} {value!r} is not a usable file name (it holds a NUL)")
            return None
        target = (self.base_dir / value).resolve()
        folder = self.base_dir.resolve()
        if not self.allow_outside and not target.is_relative_to(folder):
            self.problem(
                path,
                f"{what} '{value}' is outside the story's folder ({folder}); move it into the "
                "folder, or pass --allow-outside if you trust this story",
            )
            return None
        if not target.is_file():
            where = "does not exist" if not target.exists() else "is not a file"
            self.problem(
                path,
                f"{what} '{value}' {where} (looked for {target}); "
                "give a path relative to the story file",
            )
            return None
        return target

    def route(self, data: dict, path: Path_) -> tuple[Path | None, Any]:
        """The route file and its track, read and checked (:mod:`storymap.tracks`)."""
        value = data.get("route")
        if value is None:
            return None, None
        if not isinstance(value, str) or not value.strip():
            self.problem((*path, "route"), f"expected a file path, got {_kind(value)}")
            return None, None
        if not value.lower().endswith((".geojson", ".json", ".gpx")):
            self.problem(
                (*path, "route"),
                f"route file '{value}' is neither GeoJSON nor GPX; "
                "use a .geojson, .json or .gpx file",
            )
            return None, None
        found = self.local_file(value, (*path, "route"), "route file")
        if found is None:
            return None, None
        if found not in self.tracks:
            try:
                self.tracks[found] = read_track(found, self.shown(found))
            except TrackError as exc:
                self.tracks[found] = exc
        track = self.tracks[found]
        if isinstance(track, TrackError):
            self.problem((*path, "route"), str(track))
            return None, None
        return found, track

    def shown(self, found: Path) -> str:
        """A file's name as the author wrote it: relative to the story's folder if it can be."""
        if self.file != "<story>":
            try:
                return found.relative_to(Path(self.file).parent).as_posix()
            except ValueError:
                pass
        return str(found)

    def duration(self, data: dict, path: Path_) -> float | None:
        value = data.get("duration")
        if value is None:
            return None
        path = (*path, "duration")
        bare = isinstance(value, (int, float)) and not isinstance(value, bool)
        if bare or (isinstance(value, str) and re.fullmatch(r"\s*\d+(?:\.\d+)?\s*", value)):
            n = str(value).strip()
            self.problem(
                path,
                f"{_kind(value)} has no unit; write {n}h for hours or {n}d for days "
                f"(e.g. {DURATION_EXAMPLES})",
            )
            return None
        hours = duration_hours(value) if isinstance(value, str) else None
        if hours is None:
            self.problem(
                path, f"cannot read {_kind(value)} as a duration; write e.g. {DURATION_EXAMPLES}"
            )
        elif hours <= 0:
            self.problem(
                path, f"'{value.strip()}' is not longer than zero; give how long the leg took"
            )
        elif hours > MAX_DURATION_H:
            self.problem(
                path,
                f"'{value.strip()}' is more than 10 years, too long for a leg of a journey; "
                "check the number and its unit",
            )
        else:
            return hours
        return None

    def image(self, found: Path, src: str, path: Path_) -> tuple[str, bytes] | None:
        """A local media file must be an image a browser shows; raster ones must open.

        Returns the MIME type and bytes the page embeds (see :func:`embedded`). Each file is
        read once however many chapters show it."""
        if found not in self.images:
            self.images[found] = self.read_image(found, src)
        result = self.images[found]
        if isinstance(result, str):
            self.problem(path, result)
            return None
        return result

    def read_image(self, found: Path, src: str) -> tuple[str, bytes] | str:
        """The MIME type and bytes to embed for the image at ``found``, or what is wrong."""
        if found.suffix.lower() not in IMAGE_SUFFIXES:
            return (
                f"media file '{src}' is not an image, a video or a sound storymap shows; "
                f"use one of {', '.join(IMAGE_SUFFIXES)}, or a video or sound file "
                "(.mp4, .webm, .ogv, .mp3, .m4a, .ogg, .oga, .opus, .wav)"
            )
        try:
            data = read_capped(found, MAX_MEDIA_BYTES)
        except TooLargeError as exc:
            return (
                f"media file '{src}' is {exc.size / 1e6:,.0f} MB; an image may be "
                f"at most {MAX_MEDIA_BYTES / 1e6:,.0f} MB: export a smaller one"
            )
        except (OSError, NotRegularFileError) as exc:
            return f"media file '{src}' cannot be read ({getattr(exc, 'strerror', None) or exc})"
        try:
            return embedded(found.name, data)
        except ValueError as exc:
            return f"media file '{src}' {exc}"

    def played(self, found: Path, src: str, path: Path_) -> tuple[str, bytes | None] | None:
        """A local video or sound file: its MIME type, and its bytes when it is small enough to
        embed (larger ones are copied beside the page when it is written). Checked by its
        size and its first bytes; each file is read once however many chapters play it."""
        if found not in self.sounds:
            self.sounds[found] = self.read_played(found, src)
        result = self.sounds[found]
        if isinstance(result, str):
            self.problem(path, result)
            return None
        return result

    def read_played(self, found: Path, src: str) -> tuple[str, bytes | None] | str:
        from storymap.media import (
            FORMAT_NAMES,
            MAX_EMBEDDED_BYTES,
            MAX_PLAYED_BYTES,
            looks_like,
            played_kind,
        )

        kind = played_kind(found.name)
        assert kind is not None
        suffix = found.suffix.lower()
        try:
            data = read_capped(found, MAX_PLAYED_BYTES)
        except TooLargeError as exc:
            return (
                f"media file '{src}' is {exc.size / 1e6:,.0f} MB; a video or sound file may be "
                f"at most {MAX_PLAYED_BYTES / 1e6:,.0f} MB: export a smaller one"
            )
        except (OSError, NotRegularFileError) as exc:
            return f"media file '{src}' cannot be read ({getattr(exc, 'strerror', None) or exc})"
        if not looks_like(suffix, data[:12]):
            return (
                f"media file '{src}' is not {FORMAT_NAMES[suffix]} file (its first bytes say "
                f"otherwise); export it again as {suffix}, or give it the suffix of its format"
            )
        return kind[1], (data if len(data) <= MAX_EMBEDDED_BYTES else None)

    def media(self, raw: Any, path: Path_) -> Media | None:
        from storymap.media import played_kind, remote_kind, video_link

        data = self.mapping(raw, path, Media, "a media item with src: and alt:")
        if data is None:
            return None
        values = self.fill(Media, _Entity(data, path))
        src = values.get("src")
        remote = src is not None and re.match(r"^\s*https?:", src, re.IGNORECASE) is not None
        video = None
        if remote:
            try:
                video = video_link(src)
            except ValueError as exc:
                self.problem((*path, "src"), str(exc))
                return None
            played = remote_kind(src)
            kind = video.site if video else played[0] if played else "link"
        else:
            played = played_kind(src) if src is not None else None
            kind = played[0] if played else "image"
        if kind in ("image", "link") and values.get("alt") is None:
            self.problem(
                (*path, "alt"),
                "required field is missing; add 'alt: What the image shows, for readers who "
                "cannot see it'",
            )
        if src is None or not self.url(src, (*path, "src"), local=True):
            return None
        values["kind"] = kind
        values["video"] = video
        if not remote:
            found = self.local_file(src, (*path, "src"), "media file")
            if found is None:
                return None
            values["file"] = found
            if played:
                result = self.played(found, src, (*path, "src"))
                if result is not None:
                    values["mime"], values["data"] = result
            else:
                image = self.image(found, src, (*path, "src"))
                if image is not None:
                    values["mime"], values["data"] = image
        return Media(**values)


MAX_IMAGE_WIDTH = 1600  # wider pictures are scaled down: twice a wide panel, enough for a zoom
MAX_IMAGE_PIXELS = 40_000_000  # larger images are refused before they are decoded
_RASTER = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_CHECKED = (".jpg", ".jpeg", ".png", ".webp")  # opened and verified; not SVG, GIF or AVIF


def embedded(name: str, data: bytes) -> tuple[str, bytes]:
    """The MIME type and bytes to embed for a local image named ``name`` (its file name) whose
    bytes are ``data``: scaled down if wider than MAX_IMAGE_WIDTH (which also drops its
    metadata, such as a camera's GPS position).

    A raster image is checked first: its size read from its header, and refused above
    MAX_IMAGE_PIXELS before anything is decoded, then verified. Raises ValueError, saying
    what is wrong (without the file's name), for one that cannot be used."""
    import io
    import mimetypes
    import warnings

    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if not name.lower().endswith(_CHECKED):
        return mime, data
    from PIL import Image, ImageOps

    limit = f"an image may have at most {MAX_IMAGE_PIXELS / 1e6:,.0f} megapixels"
    try:
        with warnings.catch_warnings():  # PIL warns of large images; they are refused below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ValueError(
                        f"is {width:,} × {height:,} pixels ({width * height / 1e6:,.0f} "
                        f"megapixels); {limit}: export a smaller one"
                    )
                image.verify()
            if mime not in _RASTER:
                return mime, data
            with Image.open(io.BytesIO(data)) as image:
                if image.width <= MAX_IMAGE_WIDTH:
                    return mime, data
                image = ImageOps.exif_transpose(image)
                height = max(1, round(image.height * MAX_IMAGE_WIDTH / image.width))
                smaller = image.resize((MAX_IMAGE_WIDTH, height), Image.Resampling.LANCZOS)
                if _RASTER[mime] == "JPEG" and smaller.mode not in ("RGB", "L"):
                    smaller = smaller.convert("RGB")
                out = io.BytesIO()
                smaller.save(out, format=_RASTER[mime], quality=85, optimize=True)
                return mime, out.getvalue()
    except Image.DecompressionBombError:
        raise ValueError(
            f"is more than {MAX_IMAGE_PIXELS / 1e6:,.0f} megapixels; {limit}: export a smaller one"
        ) from None
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - a decoder's error on a hostile file, of any kind
        raise ValueError(f"is not a readable image ({exc}); export it again") from None


def duration_hours(text: str) -> float | None:
    """The hours ``text`` says, however long or short (zero, negative with a leading ``-``);
    None when it is not a duration. See :func:`parse_duration`."""
    text = " ".join(text.split())  # any run of spaces, tabs or no-break spaces is one space
    sign = -1.0 if text.startswith("-") else 1.0
    text = text.removeprefix("-").strip()
    match = _ISO_DURATION.fullmatch(text)
    if match:
        if not any(match.groupdict().values()):
            return None
        w, d, h, m, s = (float(match.group(k) or 0) for k in "wdhms")
        return sign * (w * 168 + d * 24 + h + m / 60 + s / 3600)
    if not _DURATION.fullmatch(text):
        return None
    hours = 0.0
    last = -1
    for number, word in _DURATION_PART.findall(text):
        rank = _UNIT_RANK.get(word.lower())
        if rank is None or rank <= last:  # not a unit, or not in decreasing order, or twice
            return None
        last = rank
        hours += float(number) * _UNITS[rank][1]
    return sign * hours


def parse_duration(text: str) -> float | None:
    """Hours in a duration as people write it: ``7d``, ``7 d 14 h``, ``6 days``,
    ``1 day 2 hours``, ``90 min``, ``1h30m``, ``2 weeks``, ``1.5 h``, ``2 hrs 15 mins``,
    or ISO 8601 ``P7DT14H``, ``P1W``, ``PT45M``. Case does not matter; units come largest
    first, each once.

    Returns None when the text is not a duration, or not one a journey's leg can take (zero,
    negative, or longer than ten years).
    """
    hours = duration_hours(text)
    if hours is None or not 0 < hours <= MAX_DURATION_H:
        return None
    return hours
