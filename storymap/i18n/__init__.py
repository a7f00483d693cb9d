"""The page's languages: one JSON file per language in this folder, ``<code>.json``.

A file maps every key of ``en.json`` to its text in that language. A text may hold
placeholders in braces (``"Stop {n} of {count}"``), the same ones as in English; a text that
depends on a number is an object of plural forms, keyed by the categories the language uses
(CLDR's ``zero``, ``one``, ``two``, ``few``, ``many``, ``other``; see :data:`PLURAL_RULES`).
``months`` is the list of month names as a date writes them (``date`` places them), and
``decimal`` and ``group`` are the number separators. To add a language, copy ``en.json`` to
``<code>.json`` and translate its values; a language whose plurals are not "one and other" also
needs its rule in :data:`PLURAL_RULES`.

:func:`language` picks the file for a story's ``lang:`` tag: the tag itself (``pt-br.json``),
else its base language (``pt-BR`` → ``pt.json``), else English, which a build warns about.
Digits are Latin in every language, here and in the page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

DEFAULT = "en"
#: Languages written right to left, by their base subtag (with or without a translation file).
RTL = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ku", "ps", "sd", "ug", "ur", "yi"})
#: Tags whose custom is miles (a story's ``units:`` overrides it); every other tag is metric.
IMPERIAL = frozenset({"en-us"})
PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: Keys whose texts only storymap's Python writes (into the page's HTML and meta tags); the
#: page's script is handed every other key (:meth:`Language.page_strings`).
WRITTEN = frozenset(
    {"_language", "decimal", "group", "months", "date", "days", "hours", "minutes"}
    | {"stop_kicker", "leg_from", "speed_about", "total", "sources", "image_link"}
    | {"about_journey", "about_route", "sound_title", "video_on"}
    | {"picture_where", "picture_round", "picture_stops", "picture_label"}
)


def _one_other(n: int) -> str:
    return "one" if n == 1 else "other"


def _zero_one_other(n: int) -> str:  # French, Portuguese: 0 and 1 are singular
    return "one" if n in (0, 1) else "other"


def _east_slavic(n: int) -> str:  # Russian, Ukrainian, Belarusian
    if n % 10 == 1 and n % 100 != 11:
        return "one"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "few"
    return "many"


def _arabic(n: int) -> str:
    if n in (0, 1, 2):
        return ("zero", "one", "two")[n]
    if 3 <= n % 100 <= 10:
        return "few"
    if 11 <= n % 100 <= 99:
        return "many"
    return "other"


def _hebrew(n: int) -> str:
    return {1: "one", 2: "two"}.get(n, "other")


def _other(n: int) -> str:  # Chinese, Japanese, Korean: one form
    return "other"


#: The plural category of a whole number, by language (CLDR's rules for integers); a language
#: not listed uses "one" for 1 and "other" for the rest.
PLURAL_RULES: dict[str, Callable[[int], str]] = {
    "ar": _arabic,
    "be": _east_slavic,
    "fr": _zero_one_other,
    "he": _hebrew,
    "ja": _other,
    "ko": _other,
    "pt": _zero_one_other,
    "ru": _east_slavic,
    "uk": _east_slavic,
    "zh": _other,
}


def available() -> tuple[str, ...]:
    """The codes of the languages that have a file, sorted."""
    folder = resources.files("storymap").joinpath("i18n")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json")))


@cache
def strings(code: str) -> dict[str, Any]:
    """The texts of the language file ``<code>.json``."""
    text = resources.files("storymap").joinpath("i18n", f"{code}.json").read_text("utf-8")
    return json.loads(text)


def base(tag: str) -> str:
    return tag.split("-")[0].lower()


def resolve(tag: str) -> str | None:
    """The code of the file for the language tag ``tag``: the tag itself, else its base
    language; None when neither has a file."""
    codes = available()
    for code in (tag.lower(), base(tag)):
        if code in codes:
            return code
    return None


def direction(tag: str) -> str:
    """``rtl`` for a language written right to left, else ``ltr``."""
    return "rtl" if base(tag) in RTL else "ltr"


def default_units(tag: str) -> str:
    return "imperial" if tag.lower() in IMPERIAL else "metric"


def fill(text: str, values: dict[str, Any]) -> str:
    """``text`` with each ``{name}`` replaced by ``values[name]`` (others left as they are)."""
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


@dataclass(frozen=True)
class Language:
    """A story's language: its tag, the file it reads, its direction and units, and the
    formatting of the words, numbers, distances and dates that storymap writes."""

    tag: str  # as the story gives it (BCP 47)
    code: str  # the file it reads
    units: str  # metric or imperial

    @property
    def strings(self) -> dict[str, Any]:
        return strings(self.code)

    def page_strings(self) -> dict[str, Any]:
        """The texts the page's script uses: every key but those only Python writes, and
        the modes' names, which the page is handed with the modes."""
        return {
            k: v for k, v in self.strings.items() if k not in WRITTEN and not k.startswith("mode_")
        }

    @property
    def dir(self) -> str:
        return direction(self.tag)

    def plural(self, n: int) -> str:
        return PLURAL_RULES.get(base(self.code), _one_other)(n)

    def t(self, key: str, **values: Any) -> str:
        """The text of ``key`` with its placeholders filled; a text with plural forms takes
        the form for ``count`` (or ``n``)."""
        text = self.strings[key]
        if isinstance(text, dict):
            n = values.get("count", values.get("n", 0))
            text = text.get(self.plural(int(n)), text["other"])
        return fill(text, values)

    def number(self, value: float, digits: int = 0) -> str:
        """``value`` rounded to ``digits`` decimals, with the language's separators."""
        text = f"{value:,.{digits}f}"
        group, decimal = self.strings["group"], self.strings["decimal"]
        return text.replace(",", "\x00").replace(".", decimal).replace("\x00", group)

    def distance(self, km: float) -> str:
        """'850 m', '4.2 km', '1,234 km'; in miles: '800 ft', '4.2 mi', '767 mi'."""
        if self.units == "imperial":
            miles = km / 1.609344
            if miles < 0.1:
                return self.t("ft", n=self.number(round(miles * 5280, -1)))
            return self.t("mi", n=self.number(miles, 1 if miles < 10 else 0))
        if km < 1:
            return self.t("m", n=self.number(round(km * 1000, -1)))
        return self.t("km", n=self.number(km, 1 if km < 10 else 0))

    def speed(self, kmh: float) -> str:
        value = kmh / 1.609344 if self.units == "imperial" else kmh
        return self.t(
            "mph" if self.units == "imperial" else "kmh",
            n=self.number(value, 0 if value >= 10 else 1),
        )

    def duration(self, hours: float | None) -> str | None:
        """'45 min', '32 h 15 min'; from two days up, days and whole hours: '7 d 14 h'."""
        if hours is None:
            return None
        if hours >= 48:
            d, h = divmod(round(hours), 24)
            parts = [("days", d), ("hours", h)]
        else:
            h, m = divmod(round(hours * 60), 60)
            parts = [("hours", h), ("minutes", m)]
        parts = [(key, n) for key, n in parts if n] or [("minutes", 0)]
        return " ".join(self.t(key, n=self.number(n)) for key, n in parts)

    def date(self, day: dt.date | None) -> str | None:
        if day is None:
            return None
        month = self.strings["months"][day.month - 1]
        return self.t("date", day=day.day, month=month, year=day.year)

    def mode(self, name: str) -> str:
        return self.t(f"mode_{name}")


@cache
def language(tag: str = DEFAULT, units: str | None = None) -> Language:
    """The language for a story's ``lang:`` tag and ``units:`` (None: the language's custom);
    English for a tag without a file."""
    return Language(tag, resolve(tag) or DEFAULT, units or default_units(tag))
