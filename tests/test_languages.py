"""The page's languages: the translation files agree with English, a story's lang: picks one,
numbers, distances and dates follow it, and a language without a file falls back to English
with a warning."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from commands import run

from storymap import i18n
from storymap.i18n import PLACEHOLDER, language

ROOT = Path(__file__).parent.parent
LANGUAGES = ROOT / "tests" / "fixtures" / "languages"
SHIPPED = ("en", "ru", "uk", "ko", "zh", "ja", "fr", "de", "es", "pt", "ar", "he")
EN = i18n.strings("en")


def forms(value: object) -> list[str]:
    """Every text of a value: a text, a list's items, or a plural object's forms."""
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return value
    return [value]  # type: ignore[list-item]


def test_every_language_is_shipped() -> None:
    assert set(SHIPPED) <= set(i18n.available())


@pytest.mark.parametrize("code", SHIPPED)
def test_a_language_has_exactly_the_keys_of_english(code: str) -> None:
    strings = i18n.strings(code)
    assert list(strings) == list(EN), "the same keys, in the same order as en.json"
    for key, value in strings.items():
        assert type(value) is type(EN[key]), key
        if isinstance(value, list):
            assert len(value) == len(EN[key]), key
        assert all(isinstance(text, str) and text for text in forms(value)), key


@pytest.mark.parametrize("code", SHIPPED)
def test_placeholders_match_english(code: str) -> None:
    for key, value in i18n.strings(code).items():
        wanted = {frozenset(PLACEHOLDER.findall(text)) for text in forms(EN[key])}
        for text in forms(value):
            assert frozenset(PLACEHOLDER.findall(text)) in wanted, f"{code}.{key}: {text!r}"


@pytest.mark.parametrize("code", SHIPPED)
def test_plural_texts_have_every_form_the_language_uses(code: str) -> None:
    lang = language(code)
    used = {lang.plural(n) for n in range(0, 1001)}
    for key, value in i18n.strings(code).items():
        if isinstance(value, dict):
            assert "other" in value, key
            assert used <= set(value), f"{code}.{key} lacks {used - set(value)}"


@pytest.mark.parametrize(
    ("n", "form"),
    [(1, "остановка"), (2, "остановки"), (5, "остановок"), (11, "остановок"), (21, "остановка"),
     (22, "остановки"), (112, "остановок")],
)  # fmt: skip
def test_russian_plurals(n: int, form: str) -> None:
    assert language("ru").t("total", count=n, distance="1 км") == f"{n} {form} · всего 1 км"


def test_a_tag_picks_its_file_then_its_base_language() -> None:
    assert i18n.resolve("ru") == "ru"
    assert i18n.resolve("pt-BR") == "pt"
    assert i18n.resolve("zh-Hans-CN") == "zh"
    assert i18n.resolve("EN-gb") == "en"
    assert i18n.resolve("tlh") is None
    assert language("tlh").code == "en"


@pytest.mark.parametrize(
    ("tag", "direction"),
    [("ar", "rtl"), ("he-IL", "rtl"), ("fa", "rtl"), ("ur-PK", "rtl"), ("en", "ltr"),
     ("ru", "ltr"), ("ja", "ltr")],
)  # fmt: skip
def test_direction(tag: str, direction: str) -> None:
    assert i18n.direction(tag) == direction


def test_numbers_distances_and_dates_follow_the_language() -> None:
    ru, de, fr, en = language("ru"), language("de"), language("fr"), language("en")
    assert ru.distance(7203.4) == "7\u00a0203 км"
    assert de.distance(7203.4) == "7.203 km"
    assert fr.distance(1.72) == "1,7 km"
    assert en.distance(0.456) == "460 m"
    assert ru.speed(38.2) == "38 км/ч"
    assert ru.duration(32.25) == "32 ч 15 мин"
    assert language("uk").duration(24 * 7 + 14) == "7 дн. 14 год"
    assert ru.date(dt.date(2021, 2, 24)) == "24 февраля 2021 г."
    assert de.date(dt.date(2021, 3, 1)) == "1. März 2021"
    assert language("ko").date(dt.date(2021, 2, 24)) == "2021년 2월 24일"
    assert language("ja").date(dt.date(2021, 2, 24)) == "2021年2月24日"


def test_units_default_to_the_language_and_can_be_set() -> None:
    assert language("en").units == "metric"
    assert language("en-US").units == "imperial"
    assert language("en-US").distance(16.09344) == "10 mi"
    assert language("en-US").distance(0.01) == "30 ft"
    assert language("en-US").speed(100) == "62 mph"
    assert language("ru", "imperial").distance(160.9344) == "100 ми"
    assert language("en-US", "metric").distance(10) == "10 km"


def build(tmp_path: Path, story: Path, lang: str | None = None, extra: str = ""):
    text = story.read_text(encoding="utf-8")
    if lang is not None:
        text = re.sub(r"^lang: .*$", f"lang: {lang}", text, count=1, flags=re.MULTILINE)
    text = text.replace("title:", extra + "title:", 1)
    path = tmp_path / "story.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("build", path, "--tiles", "none", "-o", tmp_path / "story.html", cwd=tmp_path)
    page = tmp_path / "story.html"
    return result, page.read_text(encoding="utf-8") if page.exists() else ""


def test_a_russian_page_is_written_in_russian(tmp_path: Path) -> None:
    result, page = build(tmp_path, LANGUAGES / "ru.yaml")
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    assert '<html lang="ru" dir="ltr">' in page
    assert "Остановка 2 из 4 · Вокзал Владимира" in page
    assert "Поезд, отправление: Ярославский вокзал · 176 км · 1 ч 40 мин · около 106 км/ч" in page
    assert "4 остановки · всего 208 км" in page
    assert "<summary>Источники (1)</summary>" in page
    assert "1 мая 2021 г." in page
    article = page.split('<main class="sm-panel"', 1)[1].split("</main>", 1)[0]
    for english in ("Stop 2 of 4", " from ", "in all", "Sources (", "May 2021"):
        assert english not in article
    # The page holds its own language's texts, and no other's.
    assert '"play":"▶ Воспроизвести"' in page
    assert "▶ Play" not in page


def test_an_arabic_page_runs_right_to_left(tmp_path: Path) -> None:
    result, page = build(tmp_path, LANGUAGES / "ar.yaml")
    assert result.returncode == 0, result.stderr
    assert '<html lang="ar" dir="rtl">' in page
    assert "المحطة 2 من 4 · <bdi>محطة مصر، الإسكندرية</bdi>" in page
    # A name written right to left is isolated on a page written left to right, too.
    result, page = build(tmp_path, LANGUAGES / "ar.yaml", lang="en")
    assert "Stop 2 of 4 · <bdi>محطة مصر، الإسكندرية</bdi>" in page
    assert "<span>Train from <bdi>محطة مصر، القاهرة</bdi> · " in page


def test_a_right_to_left_language_without_a_file_is_still_right_to_left(tmp_path: Path) -> None:
    result, page = build(tmp_path, LANGUAGES / "ar.yaml", lang="fa")
    assert result.returncode == 0, result.stderr
    assert '<html lang="fa" dir="rtl">' in page
    assert "no translation for 'fa'" in result.stderr
    assert "Stop 2 of 4" in page


def test_an_unknown_language_falls_back_to_english_with_a_warning(tmp_path: Path) -> None:
    result, page = build(tmp_path, LANGUAGES / "ru.yaml", lang="tlh-Latn")
    assert result.returncode == 0, result.stderr
    warning = next(x for x in result.stderr.splitlines() if x.startswith("warning:"))
    assert re.fullmatch(
        r"warning: \S*story\.yaml:3: lang: storymap has no translation for 'tlh-Latn', so the "
        r"page's own words \(buttons, labels, dates\) are in English; use one of: ar, de, en, "
        r"es, fr, he, ja, ko, pt, ru, uk, zh, or add storymap/i18n/tlh\.json, a translated "
        r"copy of en\.json",
        warning,
    ), warning
    assert '<html lang="tlh-Latn" dir="ltr">' in page
    assert "Stop 2 of 4" in page
    strict = run("build", tmp_path / "story.yaml", "--strict", cwd=tmp_path)
    assert strict.returncode == 2
    assert "no translation for 'tlh-Latn'" in strict.stderr


def test_units_imperial_writes_miles(tmp_path: Path) -> None:
    result, page = build(tmp_path, LANGUAGES / "ru.yaml", lang="en-US")
    assert result.returncode == 0, result.stderr
    assert "Train from Ярославский вокзал · 109 mi · 1 h 40 min · about 66 mph" in page
    result, page = build(tmp_path, LANGUAGES / "ru.yaml", extra="units: metric\n")
    assert "176 км" in page
    result, page = build(tmp_path, LANGUAGES / "ru.yaml", extra="units: imperial\n")
    assert "109 ми" in page
