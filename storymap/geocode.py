"""Resolve a story's places to coordinates.

Each place is resolved by the first of these that knows it:

1. the ``lat``/``lon`` written in the story;
2. the offline :class:`Gazetteer` that ships in the package (capitals, large cities, and the
   flagship story's places), asked for the place's query (or name) and then its aliases;
3. the :class:`GeoCache`, a JSON file of earlier online results kept beside the story;
4. an online geocoder, only when one is passed in (see :func:`online_geocoder`); what it finds
   is added to the cache, and the cache is saved.

:func:`geocode_story` is the explicit online step (``storymap geocode``): it asks the online
geocoder for every place that needs it, politely (one request a second, retries with back-off),
and fills the cache, so that later builds resolve every place offline.

The default is offline: nothing here opens a socket unless an online geocoder is passed in.
geopy is imported only when a geopy object is needed, so importing this module stays cheap.
Coordinates are (lat, lon) throughout, as geopy has them.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storymap.errors import GeocodingError, Problem, StoryError
from storymap.files import replace_file
from storymap.model import Place, Story

if TYPE_CHECKING:
    from geopy.location import Location

__all__ = [
    "CACHE_NAME",
    "GEOCODERS",
    "GazetteerEntry",
    "Gazetteer",
    "GeoCache",
    "CacheEntry",
    "OnlineGeocoder",
    "OnlineGeocodingError",
    "GeocodeReport",
    "GeocodingStopped",
    "FOUND",
    "CACHED",
    "IN_GAZETTEER",
    "NOT_FOUND",
    "FAILED",
    "normalize",
    "online_geocoder",
    "locate",
    "resolve",
    "Located",
    "Resolution",
    "geocode_story",
]

CACHE_NAME = "geocache.json"  # the default cache file, beside the story file
MAX_CACHE_BYTES = 50_000_000  # a larger cache file is refused
CACHE_VERSION = 1

# Online providers that storymap supports: the name given to --geocoder → a label for messages.
GEOCODERS: dict[str, str] = {
    "nominatim": "OpenStreetMap Nominatim",
}

# ---------------------------------------------------------------------------------------------
# Matching names


_ASCII_PUNCT = re.compile(r"[^a-z0-9]")
_APOSTROPHES = dict.fromkeys(map(ord, "'’‘ʼʻ`´ʹ"), None)
_FOLD = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe"})


def normalize(text: str) -> str:
    """The key a name is matched by: case, accents, apostrophes and punctuation folded away.

    ``"P'yŏngyang"``, ``"pyongyang"`` and ``"PYONGYANG!"`` all give ``"pyongyang"``; ``"Москва"``
    gives ``"москва"``; hyphens, commas and runs of spaces become one space.
    """
    if text.isascii():  # most names: the same result, without the Unicode round trip
        return " ".join(
            _ASCII_PUNCT.sub(" ", text.lower().replace("'", "").replace("`", "")).split()
        )
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not "\u0300" <= c <= "\u036f")  # combining diacritics
    text = unicodedata.normalize("NFC", text).casefold().translate(_APOSTROPHES).translate(_FOLD)
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


# ---------------------------------------------------------------------------------------------
# The offline gazetteer


@dataclass(frozen=True)
class GazetteerEntry:
    """One place of the gazetteer. ``country`` is an ISO 3166-1 alpha-2 code."""

    name: str
    lat: float
    lon: float
    country: str
    aliases: tuple[str, ...] = ()
    source: str = ""
    population: int = 0

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> GazetteerEntry:
        return cls(
            name=str(raw["name"]),
            lat=float(raw["lat"]),
            lon=float(raw["lon"]),
            country=str(raw.get("country", "")),
            aliases=tuple(str(a) for a in raw.get("aliases", ())),
            source=str(raw.get("source", "")),
            population=int(raw.get("population", 0)),
        )


class Gazetteer:
    """An offline geocoder over a list of named places, with geopy's ``geocode`` interface.

    Matching ignores case, accents and punctuation, and knows each place's aliases. A query
    ``"Name, Country"`` (or ``"Name, Region, Country"``) matches ``Name`` in that country;
    the country may be written as its ISO code, its name or another name of it. Where several
    places share a name, a match on a name beats a match on an alias, then the more populous
    place comes first.
    """

    def __init__(
        self,
        entries: Iterable[GazetteerEntry],
        countries: Mapping[str, Iterable[str] | str] | None = None,
        *,
        keys: Iterable[Iterable[str]] | None = None,
    ):
        """``keys``, when given, holds each entry's matching keys (``normalize`` of its name,
        then of each alias), computed ahead so that loading does no Unicode work."""
        pairs = list(zip(entries, keys, strict=True)) if keys is not None else None
        if pairs is None:
            pairs = [(e, [normalize(n) for n in (e.name, *e.aliases)]) for e in entries]
        pairs.sort(key=lambda pair: -pair[0].population)  # stable: file order breaks ties
        self.entries: tuple[GazetteerEntry, ...] = tuple(e for e, _ in pairs)
        self._names: dict[str, list[GazetteerEntry]] = {}
        self._aliases: dict[str, list[GazetteerEntry]] = {}
        for entry, (name_key, *alias_keys) in pairs:
            self._names.setdefault(name_key, []).append(entry)
            for alias_key in alias_keys:
                bucket = self._aliases.setdefault(alias_key, [])
                if not bucket or bucket[-1] is not entry:  # two aliases, one key: once
                    bucket.append(entry)
        self._country_names: dict[str, str] = {}  # ISO code → display name
        self._country_keys: dict[str, set[str]] = {}  # normalized name or code → ISO codes
        for code, names in (countries or {}).items():
            names = [names] if isinstance(names, str) else list(names)
            self._country_names[code] = names[0] if names else code
            for name in (code, *names):
                self._country_keys.setdefault(normalize(name), set()).add(code)
        for code in {entry.country for entry in self.entries}:  # codes without a table entry
            self._country_keys.setdefault(normalize(code), set()).add(code)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Gazetteer:
        """From the JSON layout of ``storymap/data/gazetteer.json``."""
        countries = {
            code: [c["name"], *c.get("aliases", ())]
            for code, c in data.get("countries", {}).items()
        }
        places = data["places"]
        keys = [p["keys"] for p in places] if all("keys" in p for p in places) else None
        return cls((GazetteerEntry.from_json(p) for p in places), countries, keys=keys)

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Gazetteer:
        """The gazetteer in ``path``, or (read once, then shared) the one in the package."""
        if path is None:
            return _packaged_gazetteer()
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))

    towns = False  # whether the shipped GeoNames towns are looked in too (the packaged one)

    def country_codes(self, text: str) -> set[str]:
        """The ISO codes that a country's code, name or other name stands for (none: unknown)."""
        return set(self._country_keys.get(normalize(text), ()))

    def candidates(self, query: str, countries: set[str] | None = None) -> list[GazetteerEntry]:
        """Every place ``query`` may name, in ``countries`` when given: :meth:`lookup`'s,
        then (for the packaged gazetteer) the towns of 15,000 people or more of that name
        that it does not hold already. Unranked beyond lookup's order: see :func:`resolve`."""
        found = self.lookup(query)
        if self.towns:
            key, codes = normalize(query), None
            if not _town_ids(key):
                parts = [p for p in (normalize(part) for part in query.split(",")) if p]
                if len(parts) >= 2 and parts[-1] in self._country_keys:
                    key, codes = parts[0], self._country_keys[parts[-1]]
            for i in _town_ids(key):
                town = _town(i)
                if codes is not None and town.country not in codes:
                    continue
                if not any(
                    e.country == town.country
                    and abs(e.lat - town.lat) < 0.2
                    and abs(e.lon - town.lon) < 0.2
                    for e in found
                ):
                    found.append(town)
        if countries:
            found = [e for e in found if e.country in countries]
        return found

    def country_keys(self) -> dict[str, set[str]]:
        """Every matching key of a country's name, other names or code → its ISO codes."""
        return {key: set(codes) for key, codes in self._country_keys.items()}

    def country_name(self, code: str) -> str:
        return self._country_names.get(code, code)

    def lookup(self, query: str) -> list[GazetteerEntry]:
        """Every place that ``query`` names, best first; an empty list when none does."""
        key = normalize(query)
        if not key:
            return []
        found = self._names.get(key) or self._aliases.get(key)
        if found:
            return list(found)
        parts = [p for p in (normalize(part) for part in query.split(",")) if p]
        if len(parts) < 2 or parts[-1] not in self._country_keys:
            return []
        codes = self._country_keys[parts[-1]]
        for index in (self._names, self._aliases):
            found = [e for e in index.get(parts[0], ()) if e.country in codes]
            if found:
                return found
        return []

    def geocode(
        self, query: str, exactly_one: bool = True, **kwargs: Any
    ) -> Location | list[Location] | None:
        """As geopy's geocoders do: a ``Location``, a list of them, or None when not found.

        Other geopy keyword arguments (``timeout``, ``language``, …) are accepted and ignored.
        """
        if not isinstance(query, str):
            raise TypeError(f"the gazetteer takes a query string, not {type(query).__name__}")
        found = self.lookup(query)
        if not found:
            return None
        from geopy.location import Location

        locations = [
            Location(self.address(e), (e.lat, e.lon), dataclasses.asdict(e)) for e in found
        ]
        return locations[0] if exactly_one else locations

    def address(self, entry: GazetteerEntry) -> str:
        country = self.country_name(entry.country)
        return f"{entry.name}, {country}" if country else entry.name

    def __len__(self) -> int:
        return len(self.entries)


@functools.cache
def _packaged_gazetteer() -> Gazetteer:
    text = resources.files("storymap").joinpath("data", "gazetteer.json").read_text("utf-8")
    gazetteer = Gazetteer.from_json(json.loads(text))
    gazetteer.towns = True
    return gazetteer


TOWN_SOURCE = "GeoNames (CC BY 4.0)"


class _Towns:
    """The shipped towns (``storymap/data/towns.npz``), read once, when a name is first looked
    up: names and matching keys as newline-separated UTF-8, searched without splitting them."""

    def __init__(self) -> None:
        import numpy as np

        path = resources.files("storymap").joinpath("data", "towns.npz")
        with np.load(path, allow_pickle=False) as npz:
            self.keys = b"\n" + npz["keys"].tobytes()
            self.names = npz["names"].tobytes()
            self.latlon = npz["latlon"]
            self.population = npz["population"]
            self.country = npz["country"].tobytes().decode("ascii")
        self.key_ends = np.flatnonzero(np.frombuffer(self.keys, np.uint8) == 10)[1:]
        self.name_ends = np.flatnonzero(np.frombuffer(self.names, np.uint8) == 10)

    def ids(self, key: str) -> list[int]:
        """The towns whose matching key is ``key``, most populous first."""
        import numpy as np

        wanted = b"\n" + key.encode() + b"\n"
        found, at = [], self.keys.find(wanted)
        while at >= 0:
            found.append(int(np.searchsorted(self.key_ends, at + len(wanted) - 1)))
            at = self.keys.find(wanted, at + len(wanted) - 1)
        return found

    def name(self, i: int) -> str:
        start = int(self.name_ends[i - 1]) + 1 if i else 0
        return self.names[start : int(self.name_ends[i])].decode()


@functools.cache
def _towns() -> _Towns:
    return _Towns()


def _town_ids(key: str) -> list[int]:
    return _towns().ids(key) if key else []


def _town(i: int) -> GazetteerEntry:
    towns = _towns()
    lat, lon = (float(v) / 1e5 for v in towns.latlon[i])
    return GazetteerEntry(
        name=towns.name(i),
        lat=lat,
        lon=lon,
        country=towns.country[2 * i : 2 * i + 2],
        source=TOWN_SOURCE,
        population=int(towns.population[i]),
    )


# ---------------------------------------------------------------------------------------------
# The cache of earlier online results


@dataclass(frozen=True)
class CacheEntry:
    query: str
    lat: float
    lon: float
    address: str = ""
    provider: str = ""
    retrieved: str | None = None  # an ISO date, only when the caller passed one in


class GeoCache:
    """Earlier online results, in a JSON file that is safe to commit beside the story::

        {"version": 1,
         "entries": {"<normalized query>": {"query": …, "lat": …, "lon": …, "address": …,
                                            "provider": …, "retrieved": … or null}}}

    A missing file is an empty cache. :meth:`save` replaces the file atomically, so a crash
    mid-write leaves the previous cache whole.
    """

    def __init__(self, path: str | os.PathLike[str], entries: Mapping[str, CacheEntry] = ()):
        self.path = Path(path)
        self.entries: dict[str, CacheEntry] = dict(entries)
        self.changed = False

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], *, folder: str | os.PathLike[str] | None = None
    ) -> GeoCache:
        """Read the cache at ``path``. A malformed file raises :class:`StoryError` naming it.

        The cache is read like any file of a story: a regular file (not a FIFO or a device)
        of at most :data:`MAX_CACHE_BYTES`, and, given the story's ``folder``, one inside it
        (a symlink to a file elsewhere is refused)."""
        from storymap.inputs import InputError, NotRegularFileError, parse_json, read_capped

        path = Path(path)
        if folder is not None and os.path.lexists(path):
            inside = Path(folder).resolve()
            if not path.resolve().is_relative_to(inside):
                raise StoryError.at(
                    path,
                    None,
                    "",
                    f"the geocoding cache leads outside the story's folder ({inside}) to "
                    f"{path.resolve()}; replace it with a file, or pass --allow-outside if you "
                    "trust this story",
                )
        try:
            raw = read_capped(path, MAX_CACHE_BYTES)
        except FileNotFoundError:
            return cls(path)
        except NotRegularFileError as exc:
            raise _cache_error(path, None, "", str(exc)) from None
        except InputError:
            raise _cache_error(
                path, None, "", f"is larger than {MAX_CACHE_BYTES:,} bytes, the most it may be"
            ) from None
        except OSError as exc:
            raise _cache_error(path, None, "", f"cannot be read ({exc.strerror or exc})") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise _cache_error(path, line, "", "is not UTF-8 text") from None
        try:
            data = parse_json(text)
        except json.JSONDecodeError as exc:
            raise _cache_error(path, exc.lineno, "", f"is not valid JSON ({exc.msg})") from None
        except InputError as exc:
            raise _cache_error(path, None, "", str(exc)) from None
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            found = data.get("version") if isinstance(data, dict) else type(data).__name__
            raise _cache_error(path, None, "version", f"must be {CACHE_VERSION}, not {found!r}")
        raw_entries = data.get("entries", {})
        if not isinstance(raw_entries, dict):
            raise _cache_error(path, None, "entries", "must be an object of query → result")
        entries = {}
        for key, raw in raw_entries.items():
            entries[key] = _cache_entry(path, key, raw)
        return cls(path, entries)

    def get(self, query: str) -> CacheEntry | None:
        return self.entries.get(normalize(query))

    def put(self, entry: CacheEntry) -> None:
        self.entries[normalize(entry.query)] = entry
        self.changed = True

    def to_json(self) -> dict[str, Any]:
        return {
            "version": CACHE_VERSION,
            "entries": {k: dataclasses.asdict(e) for k, e in sorted(self.entries.items())},
        }

    def save(self) -> None:
        """Write the cache atomically, keeping its file mode (see ``files.replace_file``)."""
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        replace_file(self.path, text, keep_mode=True)
        self.changed = False


def _cache_error(path: Path, line: int | None, field: str, what: str) -> StoryError:
    return StoryError.at(
        path,
        line,
        field,
        f"the geocoding cache {what}; fix the file, or delete it and run again "
        "(online results are looked up anew with --geocoder)",
    )


def _cache_entry(path: Path, key: str, raw: Any) -> CacheEntry:
    where = f"entries.{key}"
    if not isinstance(raw, dict):
        raise _cache_error(path, None, where, "entry must be an object")
    unknown = set(raw) - {f.name for f in dataclasses.fields(CacheEntry)}
    if unknown:
        raise _cache_error(path, None, where, f"entry has unknown keys {sorted(unknown)}")
    for name, low, high in (("lat", -90, 90), ("lon", -180, 180)):
        value = raw.get(name)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or not low <= value <= high
        ):
            raise _cache_error(
                path, None, f"{where}.{name}", f"needs a number from {low} to {high}, not {value!r}"
            )
    for name in ("query", "address", "provider", "retrieved"):
        if raw.get(name) is not None and not isinstance(raw[name], str):
            raise _cache_error(path, None, f"{where}.{name}", "must be text")
    return CacheEntry(
        query=raw.get("query") or key,
        lat=float(raw["lat"]),
        lon=float(raw["lon"]),
        address=raw.get("address") or "",
        provider=raw.get("provider") or "",
        retrieved=raw.get("retrieved"),
    )


# ---------------------------------------------------------------------------------------------
# The optional online geocoder

# Where each provider says how it may be used; named when it refuses a request.
USAGE_POLICIES: dict[str, str] = {
    "nominatim": "https://operations.osmfoundation.org/policies/nominatim/",
}


class OnlineGeocodingError(GeocodingError):
    """An online lookup failed, after the retries it was worth.

    ``fatal`` is true when no later request can be expected to succeed either (the service
    refused the client, keeps asking it to slow down, or cannot be reached): stop asking.
    Otherwise the failure is this query's own (a server error, a timeout, an answer that is
    not a geocoding result) and other queries may still be asked.
    """

    def __init__(self, message: str, *, query: str, fatal: bool = False, attempts: int = 1):
        super().__init__(message)
        self.query = query
        self.fatal = fatal
        self.attempts = attempts


@dataclass(frozen=True)
class _Failure:
    """What one failed request means: whether to try again, to stop, and what to say."""

    what: str
    hint: str
    retry: bool = False  # worth another attempt after a wait
    fatal: bool = False  # when it still fails: stop asking this service
    retry_after: float | None = None  # seconds the service asked us to wait


@dataclass(frozen=True)
class OnlineGeocoder:
    """A polite online geocoder: call it with a query, get a ``Location`` or None.

    Requests go through geopy's ``RateLimiter`` (at most one a ``min_delay_seconds``). A
    timeout, a 429 (too many requests) or a 5xx answer is tried again up to ``max_retries``
    times, waiting ``backoff_seconds`` and then twice as long each time (1 s, 2 s, 4 s), or as
    long as the service's ``Retry-After`` asks when that is longer. Other refusals (403 and
    the other 4xx) are not tried again. Every wait goes through ``sleep``.

    Failures come out as :class:`OnlineGeocodingError` saying what went wrong and what to do.
    """

    provider: str  # a key of GEOCODERS
    geocode: Callable[..., Any]  # the provider's geocode, inside geopy's RateLimiter
    max_retries: int = 3
    backoff_seconds: float = 1.0
    max_wait_seconds: float = 120.0  # a longer Retry-After stops the run instead
    timeout: float | None = None  # seconds per request, for messages
    sleep: Callable[[float], None] = time.sleep

    def __call__(self, query: str) -> Location | None:
        return self._ask(query, exactly_one=True)

    def candidates(self, query: str, limit: int = 5) -> list[Location]:
        """Up to ``limit`` places the service finds for ``query``, its best first: for a
        caller that chooses among them (:func:`resolve`)."""
        return self._ask(query, exactly_one=False, limit=limit) or []

    def _ask(self, query: str, **options: Any) -> Any:
        attempt = 0
        while True:
            attempt += 1
            cause: Exception | None = None
            try:
                found = self.geocode(query, **options)
            except Exception as exc:  # sorted by _failure(); what it does not know re-raises
                failure, cause = self._failure(exc), exc
            else:
                if found is None:
                    return None
                if isinstance(found, list):  # several: the plausible ones, if any is
                    good = [x for x in found if self._plausible(x)]
                    if good or not found:
                        return good
                    location = found[0]
                elif self._plausible(found):
                    return found
                else:
                    location = found
                failure = _Failure(
                    f"answered with a result without valid coordinates ({location.raw!r:.80})",
                    "check that the geocoder's address points at the service",
                )
            if not failure.retry or attempt > self.max_retries:
                raise self._error(query, failure, attempt) from cause
            wait = self.backoff_seconds * 2 ** (attempt - 1)
            if failure.retry_after is not None:
                wait = max(wait, failure.retry_after)
            if wait > self.max_wait_seconds:
                what = f"{failure.what}, and asks to wait {wait:g} s before the next request"
                hint = "run again later; what was found so far is kept"
                raise self._error(query, _Failure(what, hint, fatal=True), attempt) from cause
            self.sleep(wait)

    def _plausible(self, location: Location) -> bool:
        lat, lon = location.latitude, location.longitude
        raw = location.raw if isinstance(location.raw, Mapping) else {}
        if any(raw.get(key) is None for key in _COORDINATE_KEYS.get(self.provider, ())):
            return False  # geopy reads missing coordinates as 0, 0
        return all(isinstance(v, (int, float)) and math.isfinite(v) for v in (lat, lon)) and (
            -90 <= lat <= 90 and -180 <= lon <= 180
        )

    def _failure(self, exc: Exception) -> _Failure:
        """What a failed request means; an error that is not the service's re-raises."""
        from geopy import exc as gexc

        status = getattr(exc.__cause__, "status_code", None)
        http = f"HTTP {status}" if status else ""
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is None and status:
            retry_after = _retry_after(exc.__cause__)
        agent_hint = "check that --user-agent NAME names your application and how to reach you"
        if self.provider in USAGE_POLICIES:
            agent_hint += f", as the usage policy asks ({USAGE_POLICIES[self.provider]})"
        garbage = _Failure(
            f"answered with something that is not a geocoding result ({_excerpt(exc)})",
            "check that the geocoder's address points at the service, and that no proxy or "
            "login page answers in its place",
        )

        if isinstance(exc, AnswerTooLarge):
            return _Failure(
                f"sent an answer larger than {exc.limit / 1e6:g} MB",
                "check that the geocoder's address points at a geocoding service",
                fatal=True,
            )
        if isinstance(exc, AnswerTooSlow):
            return _Failure(
                f"took longer than {exc.deadline:g} s to answer",
                "check the network connection and the service address, or try again later",
                retry=True,
                fatal=True,
            )
        if isinstance(exc, gexc.GeocoderRateLimited):  # 429
            return _Failure(
                "refused: too many requests",
                "wait, then run again; what was found so far is kept",
                retry=True,
                fatal=True,
                retry_after=retry_after,
            )
        if isinstance(exc, gexc.GeocoderQuotaExceeded):  # 402
            what = f"refused the request: quota exceeded ({http or exc})"
            return _Failure(what, "run again when the quota allows", fatal=True)
        if isinstance(
            exc, (gexc.GeocoderInsufficientPrivileges, gexc.GeocoderAuthenticationFailure)
        ):  # 401, 403, 407
            return _Failure(f"refused the request ({http or exc})", agent_hint, fatal=True)
        if isinstance(exc, gexc.GeocoderTimedOut):  # a timeout, or 408, 503, 504
            if status:
                what = f"failed ({http})"
            else:
                what = "timed out" + (f" (after {self.timeout:g} s)" if self.timeout else "")
            hint = "check the network connection, or try again later"
            return _Failure(what, hint, retry=True, retry_after=retry_after)
        if isinstance(exc, gexc.GeocoderUnavailable):  # no connection
            hint = "check the network connection and the service address, or try again later"
            what = f"could not be reached ({_network_reason(exc)})"
            return _Failure(what, hint, retry=True, fatal=True)
        if isinstance(exc, gexc.GeocoderParseError):
            return garbage
        if isinstance(exc, gexc.GeocoderQueryError):  # 400, 412-414, an error in the answer
            what = f"rejected the query ({http or exc})"
            return _Failure(what, "give the place another query:, or its lat: and lon:")
        if isinstance(exc, gexc.GeocoderServiceError):
            if status and 400 <= status < 500:  # 404, 405, 410…: the address is wrong
                hint = "check the geocoder's address; " + agent_hint
                return _Failure(f"refused the request ({http})", hint, fatal=True)
            # a 5xx, or the connection broke mid-answer
            return _Failure(f"failed ({http or exc})", "try again later", retry=True)
        if isinstance(exc, gexc.GeopyError):
            return _Failure(f"failed ({exc})", "try again later")
        if isinstance(exc, (ValueError, TypeError, AttributeError, KeyError, IndexError)):
            return garbage  # valid JSON, but not of the shape the provider's parser expects
        raise exc

    def _error(self, query: str, failure: _Failure, attempts: int) -> OnlineGeocodingError:
        label = GEOCODERS.get(self.provider, self.provider)
        tries = f" ({attempts} attempts)" if attempts > 1 else ""
        return OnlineGeocodingError(
            f"{label} geocoder {failure.what} looking up {query!r}{tries}; {failure.hint}",
            query=query,
            fatal=failure.fatal,
            attempts=attempts,
        )


# The keys of a provider's raw answer that must be there for its coordinates to mean anything.
_COORDINATE_KEYS: dict[str, tuple[str, ...]] = {"nominatim": ("lat", "lon")}


def _retry_after(http_error: Any) -> float | None:
    from geopy.adapters import get_retry_after

    headers = getattr(http_error, "headers", None)
    return get_retry_after(headers) if headers else None


def _network_reason(exc: BaseException) -> str:
    """Why a connection failed, in a few words ("connection refused", "name or service not
    known"), from the operating system's error somewhere in the chain of causes; else the
    first line of the error, shortened."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        error = todo.pop(0)
        if id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, OSError) and isinstance(error.strerror, str) and error.strerror:
            return error.strerror[0].lower() + error.strerror[1:]
        todo += [e for e in (error.__cause__, error.__context__) if e is not None]
        todo += [a for a in error.args if isinstance(a, BaseException)]
        reason = getattr(error, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
    first = str(exc).split("\n", 1)[0]
    return first if len(first) <= 80 else first[:79] + "…"


def _excerpt(exc: Exception) -> str:
    """The start of what the service sent (geopy's parse error carries it), or the error."""
    head, sep, body = str(exc).partition("\n")
    text = " ".join((body if sep else head).split())
    text = text if len(text) <= 60 else text[:60] + "…"
    return repr(text) if sep else text


MAX_ANSWER_BYTES = 2_000_000  # an online answer may hold at most this, decompressed
DEADLINE_FACTOR = 3  # an answer must be whole within this many times the timeout
_REDIRECTS = 5


class AnswerTooLarge(Exception):
    """An online geocoder sent more than the answer may hold."""

    def __init__(self, limit: int):
        super().__init__(f"the answer is larger than {limit:,} bytes")
        self.limit = limit


class AnswerTooSlow(Exception):
    """An online geocoder's answer was not whole by the deadline."""

    def __init__(self, deadline: float):
        super().__init__(f"the answer took longer than {deadline:g} s")
        self.deadline = deadline


@functools.cache
def _bounded_adapter() -> type:
    """geopy's adapter over the standard library's http.client, reading an answer as it comes
    (``read1``) so that neither its size nor its time is left to the server: at most
    ``max_bytes`` once decompressed (gzip and deflate are decompressed in steps, so a small
    bomb cannot grow past the limit), all within ``deadline`` seconds, each socket wait no
    longer than the time left. Redirects are followed, at most five, in the same time."""
    import http.client
    import ssl
    import zlib
    from urllib.parse import urljoin, urlsplit

    from geopy.adapters import AdapterHTTPError, BaseSyncAdapter
    from geopy.exc import (
        GeocoderParseError,
        GeocoderServiceError,
        GeocoderTimedOut,
        GeocoderUnavailable,
    )

    class BoundedAdapter(BaseSyncAdapter):
        def __init__(self, *, proxies: Any, ssl_context: Any, max_bytes: int, deadline: float):
            super().__init__(proxies=proxies, ssl_context=ssl_context)
            self.ssl_context = ssl_context
            self.max_bytes = max_bytes
            self.deadline = deadline

        def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
            text = self.get_text(url, timeout=timeout, headers=headers)
            try:
                return json.loads(text)
            except ValueError:
                raise GeocoderParseError(
                    f"Could not deserialize using deserializer:\n{text}"
                ) from None

        def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
            ends = time.monotonic() + self.deadline
            for _ in range(_REDIRECTS + 1):
                status, answer_headers, body = self._get(url, timeout, headers, ends)
                location = answer_headers.get("location")
                if status in (301, 302, 303, 307, 308) and location:
                    url = urljoin(url, location)
                    continue
                break
            charset = "utf-8"
            for part in answer_headers.get("content-type", "").split(";")[1:]:
                key, _, value = part.strip().partition("=")
                if key.lower() == "charset" and value:
                    charset = value.strip('"')
            try:
                text = body.decode(charset, errors="replace")
            except LookupError:
                text = body.decode("utf-8", errors="replace")
            if status >= 400:
                raise AdapterHTTPError(
                    f"Non-successful status code {status}",
                    status_code=status,
                    headers=answer_headers,
                    text=text,
                )
            return text

        def _get(
            self, url: str, timeout: float, headers: dict[str, str], ends: float
        ) -> tuple[int, dict[str, str], bytes]:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise GeocoderServiceError(f"not an http or https address: {url!r}")

            def wait() -> float:
                left = ends - time.monotonic()
                if left <= 0:
                    raise AnswerTooSlow(self.deadline)
                return min(timeout, left) if timeout else left

            if parts.scheme == "https":
                context = self.ssl_context or ssl.create_default_context()
                connection: Any = http.client.HTTPSConnection(
                    parts.hostname, parts.port, timeout=wait(), context=context
                )
            else:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=wait())
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            try:
                try:
                    connection.request(
                        "GET", path, headers={**headers, "Accept-Encoding": "gzip, deflate"}
                    )
                    sock = connection.sock  # the answer keeps it once the connection lets go
                    sock.settimeout(wait())
                    answer = connection.getresponse()
                    answer_headers = {k.lower(): v for k, v in answer.getheaders()}
                    body = self._read(answer, answer_headers, sock, wait)
                except (AnswerTooLarge, AnswerTooSlow):
                    raise
                except TimeoutError:
                    if time.monotonic() >= ends:
                        raise AnswerTooSlow(self.deadline) from None
                    raise GeocoderTimedOut("Service timed out") from None
                except (ConnectionError, OSError) as error:
                    raise GeocoderUnavailable(str(error)) from error
                except http.client.HTTPException as error:
                    raise GeocoderServiceError(f"{type(error).__name__}: {error}") from error
            finally:
                connection.close()
            return answer.status, answer_headers, body

        def _read(
            self,
            answer: Any,
            headers: dict[str, str],
            sock: Any,
            wait: Callable[[], float],
        ) -> bytes:
            encoding = headers.get("content-encoding", "identity").strip().lower()
            if encoding in ("gzip", "x-gzip", "deflate"):
                inflate: Any = zlib.decompressobj(47 if "gzip" in encoding else zlib.MAX_WBITS)
            elif encoding in ("identity", ""):
                inflate = None
            else:
                raise GeocoderServiceError(f"answer in an unknown encoding: {encoding!r}")
            body = bytearray()
            while True:
                sock.settimeout(wait())
                chunk = answer.read1(65536)
                if not chunk:
                    break
                if inflate is None:
                    body += chunk
                else:
                    try:
                        body += inflate.decompress(chunk, self.max_bytes + 1 - len(body))
                        while inflate.unconsumed_tail and len(body) <= self.max_bytes:
                            room = self.max_bytes + 1 - len(body)
                            body += inflate.decompress(inflate.unconsumed_tail, room)
                    except zlib.error as error:
                        raise GeocoderServiceError(f"a broken {encoding} answer: {error}") from None
                if len(body) > self.max_bytes or (inflate and inflate.unconsumed_tail):
                    raise AnswerTooLarge(self.max_bytes)
            wait()  # whole, but was it in time?
            return bytes(body)

    return BoundedAdapter


def online_geocoder(
    name: str,
    user_agent: str | None,
    *,
    domain: str | None = None,
    scheme: str | None = None,
    timeout: float = 10,
    min_delay_seconds: float = 1.0,
    max_retries: int = 3,
    backoff_seconds: float = 1.0,
    max_wait_seconds: float = 120.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    max_answer_bytes: int = MAX_ANSWER_BYTES,
    deadline: float | None = None,
) -> OnlineGeocoder:
    """An online geocoder by name (one of :data:`GEOCODERS`), at most one request a second.

    ``user_agent`` must name the application: public services such as Nominatim refuse
    anonymous or default clients. ``domain``/``scheme`` point it at another server.
    ``timeout`` is per request; ``max_retries``, ``backoff_seconds`` and ``max_wait_seconds``
    shape the retries (see :class:`OnlineGeocoder`). Every wait, between requests and before
    a retry, goes through ``sleep``, measured by ``clock``: pass both to run without waiting.
    An answer may hold at most ``max_answer_bytes`` (once decompressed) and must be complete
    within ``deadline`` seconds of the request (by default ``DEADLINE_FACTOR`` times
    ``timeout``), however slowly it trickles in.
    """
    if name not in GEOCODERS:
        choices = ", ".join(sorted(GEOCODERS))
        raise GeocodingError(f"unknown geocoder {name!r}; choose one of: {choices}")
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import get_geocoder_for_service, options

    agent = (user_agent or "").strip()
    if not agent or agent == options.default_user_agent or agent.startswith("geopy/"):
        given = f", not {user_agent!r}" if user_agent is not None else ""
        raise GeocodingError(
            f"the {name} geocoder needs a user agent that names your application{given}; "
            "pass --user-agent NAME, for example "
            "--user-agent 'my-newsroom-maps/1.0 (maps@example.org)'"
        )
    kwargs: dict[str, Any] = {"user_agent": agent, "timeout": timeout}
    if domain is not None:
        kwargs["domain"] = domain
    if scheme is not None:
        kwargs["scheme"] = scheme
    kwargs["adapter_factory"] = functools.partial(
        _bounded_adapter(),
        max_bytes=max_answer_bytes,
        deadline=DEADLINE_FACTOR * timeout if deadline is None else deadline,
    )
    geocoder = get_geocoder_for_service(name)(**kwargs)

    class Limiter(RateLimiter):  # geopy's spacing, on the clock and sleep passed in
        def _clock(self) -> float:
            return clock()

        def _sleep(self, seconds: float) -> None:
            sleep(seconds)

    limited = Limiter(
        geocoder.geocode,
        min_delay_seconds=min_delay_seconds,
        max_retries=0,  # retries are OnlineGeocoder's, which knows which errors deserve one
        error_wait_seconds=min_delay_seconds,
        swallow_exceptions=False,
    )
    return OnlineGeocoder(
        name,
        limited,
        max_retries=max_retries,
        backoff_seconds=backoff_seconds,
        max_wait_seconds=max_wait_seconds,
        timeout=timeout,
        sleep=sleep,
    )


# ---------------------------------------------------------------------------------------------
# Resolving a story


def _queries(place: Place) -> list[str]:
    """What to ask for: the query (or, without one, the name), then the aliases."""
    queries = []
    for q in (place.query or place.name, *place.aliases):
        if q and q.strip() and normalize(q) not in {normalize(x) for x in queries}:
            queries.append(q)
    return queries


def _quoted(queries: list[str]) -> str:
    if len(queries) == 1:
        return f"query {queries[0]!r}"
    return "queries " + ", ".join(repr(q) for q in queries)


def locate(
    story: Story,
    *,
    online: Callable[[str], Location | None] | None = None,
    cache_path: str | os.PathLike[str] | None = None,
    gazetteer: Gazetteer | None = None,
    retrieved: str | None = None,
) -> Story:
    """A copy of ``story`` in which every place has ``lat`` and ``lon``: :func:`resolve`'s
    story, without what it says about each place."""
    return resolve(
        story, online=online, cache_path=cache_path, gazetteer=gazetteer, retrieved=retrieved
    ).story


@dataclass(frozen=True)
class Resolution:
    """What a looked-up place of the story was resolved to."""

    place: str  # the place's id
    name: str  # the story's name for it
    query: str  # the query that found it
    matched: str  # the entry it matched: "Valencia, Spain"
    country: str  # ISO code, "" when unknown (an online or cached answer)
    lat: float
    lon: float
    origin: str  # "gazetteer", "cache" or "online"
    alternatives: tuple[str, ...] = ()  # the other places of that name, best first

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {"alternatives": list(self.alternatives)}


@dataclass(frozen=True)
class Located:
    """A located story, what each looked-up place was resolved to, and the doubts about it."""

    story: Story
    resolutions: tuple[Resolution, ...] = ()
    warnings: tuple[Problem, ...] = ()


#: The farthest (great-circle km) a leg of each mode plausibly reaches: a candidate farther than
#: this from a stop it is joined to by such a leg is not the place the story means.
REACH_KM: dict[str, float] = {
    "walk": 3_000,
    "bike": 5_000,
    "trolley": 300,
    "bus": 6_000,
    "car": 12_000,
    "train": 12_000,
    "boat": 5_000,
    "ferry": 2_500,
    "ship": 30_000,
    "flight": 30_000,
}
#: A place chosen farther than this from every other stop, reached by no flight, is pointed out.
FAR_KM = 5_000.0
#: Two candidates whose weights (log10 of population, less twice log10 of the distance to the
#: nearest other stop) differ by less than this are close in rank: about 3 times.
CLOSE_RANK = 0.5
_LONG_HAUL = ("flight",)


def resolve(
    story: Story,
    *,
    online: Callable[[str], Location | None] | None = None,
    cache_path: str | os.PathLike[str] | None = None,
    gazetteer: Gazetteer | None = None,
    retrieved: str | None = None,
    allow_outside: bool = False,
) -> Located:
    """Give every place of ``story`` coordinates, choosing among places of one name by the
    story's other stops.

    ``online`` is a geocoder callable (see :func:`online_geocoder`); without it nothing goes
    over the network. ``cache_path`` defaults to ``geocache.json`` beside the story file (no
    cache for a story without a path), and must then lie in the story's folder unless
    ``allow_outside``. ``retrieved`` (an ISO date) is recorded with new cache entries. A
    place that has a ``source`` keeps it; one without gets where its coordinates came from.

    A looked-up name's candidates (the gazetteer's, else the cache's or the online service's)
    that a leg joining them to a located stop could not reach (:data:`REACH_KM`) are left out;
    the others are ranked by population and closeness to the story's other stops. Places
    that cannot be resolved, or that no candidate fits, raise one :class:`StoryError` naming
    each; a failing online service raises :class:`GeocodingError`, after saving what it found.
    """
    folder = None
    if cache_path is None and story.path is not None:
        cache_path = Path(story.path).parent / CACHE_NAME
        folder = None if allow_outside else Path(story.path).parent
    provider = getattr(online, "provider", None) or ("online" if online else "")
    file = str(story.path) if story.path is not None else "<story>"
    cache: GeoCache | None = None
    gaz: Gazetteer | None = gazetteer
    places: dict[str, Place] = {}
    problems: list[Problem] = []
    pending: dict[str, tuple[str, list[GazetteerEntry], str]] = {}  # id → query, found, origin
    answers: dict[str, list[CacheEntry]] = {}  # id → the online service's answers, in order
    try:
        for pid, place in story.places.items():
            if place.located:
                places[pid] = place
                continue
            if gaz is None:
                gaz = Gazetteer.load()
            codes: set[str] | None = None
            if place.country:
                codes = gaz.country_codes(place.country)
                if not codes:
                    problems.append(
                        Problem(
                            file,
                            place.line,
                            f"places.{pid}.country",
                            f"unknown country '{place.country}'; use an ISO 3166 code such as "
                            "MY, or the country's English name",
                        )
                    )
                    continue
            queries = _queries(place)
            found = next(((q, c) for q in queries if (c := gaz.candidates(q, codes))), (None, []))
            if found[0] is not None:
                pending[pid] = (found[0], found[1], "gazetteer")
                continue
            if cache is None and cache_path is not None:
                cache = GeoCache.load(cache_path, folder=folder)
            cached = _from_cache(cache, queries)
            if cached is not None:
                pending[pid] = (cached.query, [_entry_of(cached)], "cache")
                continue
            asked = _ask_online_all(online, queries, provider, retrieved) if online else []
            if asked:
                if cache is not None:
                    cache.put(asked[0])  # the service's best, until the story chooses
                answers[pid] = asked
                pending[pid] = (asked[0].query, [_entry_of(e) for e in asked], "online")
                continue
            problems.append(_unresolved(story, place, queries, provider))
    finally:
        if cache is not None and cache.changed:
            cache.save()
    chooser = _Chooser(story, gaz, {pid: (p.lat, p.lon) for pid, p in places.items()})
    for pid, (_, found, _) in pending.items():
        if len(found) == 1:  # one candidate: a stop the others are ranked by
            chooser.anchors[pid] = (found[0].lat, found[0].lon)
    resolutions: list[Resolution] = []
    warnings: list[Problem] = []
    for pid in sorted(pending, key=chooser.order):
        query, found, origin = pending[pid]
        place = story.places[pid]
        where = f"places.{pid}"
        chosen, alternatives, note, refusal = chooser.choose(pid, place.name, found)
        if chosen is None:
            problems.append(Problem(file, place.line, where, refusal or ""))
            continue
        chooser.anchors[pid] = (chosen.lat, chosen.lon)
        if pid in answers and cache is not None:  # the cache keeps the answer the story chose
            cache.put(answers[pid][found.index(chosen)])
        if note:
            warnings.append(Problem(file, place.line, where, note))
        places[pid] = dataclasses.replace(
            place, lat=chosen.lat, lon=chosen.lon, source=place.source or chosen.source
        )
        resolutions.append(
            Resolution(
                place=pid,
                name=place.name,
                query=query,
                matched=chooser.describe(chosen),
                country=chosen.country,
                lat=chosen.lat,
                lon=chosen.lon,
                origin=origin,
                alternatives=tuple(chooser.describe(c) for c in alternatives),
            )
        )
    if cache is not None and cache.changed:
        cache.save()
    if problems:
        raise StoryError(sorted(problems, key=lambda p: p.line or 0))
    order = list(story.places)
    resolutions.sort(key=lambda r: order.index(r.place))
    return Located(
        dataclasses.replace(story, places={pid: places[pid] for pid in story.places}),
        tuple(resolutions),
        tuple(sorted(warnings, key=lambda p: p.line or 0)),
    )


class _Chooser:
    """Chooses among the places of one name by the story's other stops (``anchors``)."""

    def __init__(
        self, story: Story, gazetteer: Gazetteer | None, anchors: dict[str, tuple[float, float]]
    ):
        self.story = story
        self.gazetteer = gazetteer
        self.anchors = anchors
        self.first_at: dict[str, int] = {}
        for i, chapter in enumerate(story.chapters):
            self.first_at.setdefault(chapter.at, i)

    def order(self, pid: str) -> tuple[int, str]:
        """Places in the order the journey reaches them, so each is ranked by those before."""
        return (self.first_at.get(pid, len(self.story.chapters)), pid)

    def legs(self, pid: str) -> list[tuple[str, str]]:
        """The (other place, mode) of every leg that arrives at or leaves ``pid``."""
        chapters = self.story.chapters
        joined = []
        for i, chapter in enumerate(chapters):
            if chapter.at != pid:
                continue
            if i > 0 and chapter.by:
                joined.append((chapters[i - 1].at, chapter.by))
            if i + 1 < len(chapters) and chapters[i + 1].by:
                joined.append((chapters[i + 1].at, chapters[i + 1].by or ""))
        return [(other, mode) for other, mode in joined if other != pid]

    def nearest(self, pid: str, c: GazetteerEntry) -> tuple[float, str] | None:
        """The distance (km) from ``c`` to the nearest other located stop, and that stop."""
        near = [
            (_km(c.lat, c.lon, lat, lon), other)
            for other, (lat, lon) in self.anchors.items()
            if other != pid
        ]
        return min(near) if near else None

    def weight(self, pid: str, c: GazetteerEntry) -> float:
        near = self.nearest(pid, c)
        distance = 0.0 if near is None else 2 * math.log10(near[0] + 50)
        return math.log10(max(c.population, 1_000)) - distance

    def describe(self, c: GazetteerEntry) -> str:
        if not c.country:
            return c.name
        country = self.gazetteer.country_name(c.country) if self.gazetteer else c.country
        return f"{c.name}, {country}" if country and country != c.country else c.name

    def shown(self, c: GazetteerEntry) -> str:
        code = f" ({c.country})" if c.country else ""
        return f"{self.describe(c)}{code} at {c.lat:.4f}, {c.lon:.4f}"

    def stop(self, pid: str) -> str:
        place = self.story.places.get(pid)
        return f"{place.name} ({pid})" if place and place.name != pid else pid

    def choose(
        self, pid: str, name: str, found: list[GazetteerEntry]
    ) -> tuple[GazetteerEntry | None, list[GazetteerEntry], str | None, str | None]:
        """The candidate chosen, the others (best first), a warning, or why none fits."""
        legs = [(o, mode) for o, mode in self.legs(pid) if o in self.anchors]
        pin = "pin it with country: (an ISO code or a name) or with lat: and lon: and source:"

        def too_far(c: GazetteerEntry) -> tuple[str, str, float] | None:
            for other, mode in legs:
                km = _km(c.lat, c.lon, *self.anchors[other])
                if km > REACH_KM.get(mode, math.inf):
                    return other, mode, km
            return None

        fitting = [c for c in found if too_far(c) is None]
        if not fitting:
            reasons = []
            for c in found[:3]:
                other, mode, km = too_far(c) or ("", "", 0.0)
                reasons.append(
                    f"{self.shown(c)} lies {km:,.0f} km from {self.stop(other)}, too far for a "
                    f"{mode} leg"
                )
            return (
                None,
                [],
                None,
                (f"no place named '{name}' fits the journey: " + "; ".join(reasons) + f"; {pin}"),
            )
        ranked = sorted(fitting, key=lambda c: -self.weight(pid, c))  # stable: gazetteer order
        best, others = ranked[0], ranked[1:]
        near = self.nearest(pid, best)
        where = f", {near[0]:,.0f} km from {self.stop(near[1])}" if near else ""
        taken = f"'{name}' was taken to be {self.shown(best)}{where}"
        if others and self.weight(pid, best) - self.weight(pid, others[0]) < CLOSE_RANK:
            alts = "; ".join(self.shown(c) for c in others[:3])
            return best, others, f"{taken}; it could also be {alts}: {pin}", None
        far = near is not None and near[0] > FAR_KM
        if far and not any(mode in _LONG_HAUL for _, mode in self.legs(pid)):
            also = f" (also found: {self.shown(others[0])})" if others else ""
            return best, others, f"{taken}, far from the rest of the journey{also}; {pin}", None
        return best, others, None, None


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine on a sphere of the Earth's mean radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _from_cache(cache: GeoCache | None, queries: list[str]) -> CacheEntry | None:
    if cache is None:
        return None
    return next((entry for q in queries if (entry := cache.get(q)) is not None), None)


def _entry_of(entry: CacheEntry) -> GazetteerEntry:
    return GazetteerEntry(
        name=entry.address or entry.query,
        lat=entry.lat,
        lon=entry.lon,
        country="",
        source=_source_of(entry),
    )


def _ask_online_all(
    online: Callable[[str], Location | None],
    queries: list[str],
    provider: str,
    retrieved: str | None,
) -> list[CacheEntry]:
    """Every answer to the first query that has any, the service's best first: several from a
    geocoder that offers ``candidates`` (:class:`OnlineGeocoder`), else its one answer."""
    for query in queries:
        several = getattr(online, "candidates", None)
        if several is not None:
            found = list(several(query))
        else:
            location = online(query)
            found = [location] if location is not None else []
        if found:
            return [_answer_entry(query, x, provider, retrieved) for x in found]
    return []


def _answer_entry(
    query: str, location: Location, provider: str, retrieved: str | None
) -> CacheEntry:
    return CacheEntry(
        query=query,
        lat=float(location.latitude),
        lon=float(location.longitude),
        address=str(location.address or ""),
        provider=provider,
        retrieved=retrieved,
    )


def _ask_online(
    online: Callable[[str], Location | None],
    queries: list[str],
    provider: str,
    retrieved: str | None,
    missed: set[str] | None = None,
) -> CacheEntry | None:
    """Ask for each query in turn; the first found is the answer. ``missed`` collects the
    normalized queries that were asked and not found."""
    for query in queries:
        location = online(query)
        if location is None and missed is not None:
            missed.add(normalize(query))
        if location is not None:
            return _answer_entry(query, location, provider, retrieved)
    return None


def _source_of(entry: CacheEntry) -> str:
    label = GEOCODERS.get(entry.provider, entry.provider)
    if label and entry.address:
        return f"{label}: {entry.address}"
    return label or entry.address


def _unresolved(story: Story, place: Place, queries: list[str], provider: str) -> Problem:
    where = f"no coordinates for {place.name!r} ({_quoted(queries)})"
    if provider:
        label = GEOCODERS.get(provider, provider)
        message = (
            f"{where}: not in the offline gazetteer or the geocoding cache, and the {label} "
            "geocoder found nothing; add lat: and lon: to the place, or give it a query: "
            "that the geocoder can find"
        )
    else:
        message = (
            f"{where}: not in the offline gazetteer or the geocoding cache; add lat: and lon: "
            "to the place, or run with --geocoder nominatim --user-agent NAME to look it up online"
        )
    file = str(story.path) if story.path is not None else "<story>"
    return Problem(file, place.line, f"places.{place.id}", message)


# ---------------------------------------------------------------------------------------------
# The geocode command: ask the online service for every place it is needed for, once

# What became of a place, as given to the progress callable of geocode_story().
FOUND = "found"  # asked online and found; now in the cache
CACHED = "from the cache"  # already in the cache; not asked
IN_GAZETTEER = "in the gazetteer"  # the offline gazetteer knows it; not asked
NOT_FOUND = "not found"  # asked online; the service found nothing
FAILED = "failed"  # asked online; the service failed (see the report)

Progress = Callable[[int, int, str, str], None]  # (done, total, place id, status)


@dataclass
class GeocodeReport:
    """What :func:`geocode_story` did, place by place; place ids are in story order."""

    provider: str
    cache_path: Path
    total: int = 0  # the places without coordinates in the story
    found: dict[str, CacheEntry] = dataclasses.field(default_factory=dict)
    cached: dict[str, CacheEntry] = dataclasses.field(default_factory=dict)
    gazetteer: list[str] = dataclasses.field(default_factory=list)
    not_found: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    failed: dict[str, str] = dataclasses.field(default_factory=dict)  # place id → why
    problems: list[Problem] = dataclasses.field(default_factory=list)  # not found or failed
    stopped: str | None = None  # why the run stopped before the last place, if it did

    @property
    def done(self) -> int:
        return (
            len(self.found)
            + len(self.cached)
            + len(self.gazetteer)
            + len(self.not_found)
            + len(self.failed)
        )

    @property
    def complete(self) -> bool:
        """Every place without coordinates can now be resolved offline."""
        return self.done == self.total and not self.not_found and not self.failed

    def summary(self) -> str:
        """One line: ``7 places without coordinates: 3 found, 2 from the cache, …``."""
        counts = [
            (len(self.found), FOUND),
            (len(self.cached), CACHED),
            (len(self.gazetteer), IN_GAZETTEER),
            (len(self.not_found), NOT_FOUND),
            (len(self.failed), FAILED),
            (self.total - self.done, "not asked"),
        ]
        parts = [f"{n} {what}" for n, what in counts if n]
        places = "place" if self.total == 1 else "places"
        head = f"{self.total} {places} without coordinates"
        return f"{head}: {', '.join(parts)}" if parts else head


class GeocodingStopped(GeocodingError):
    """:func:`geocode_story` stopped asking the service; ``report`` says what it had done.

    What was found before is in the cache.
    """

    def __init__(self, message: str, report: GeocodeReport):
        super().__init__(message)
        self.report = report


def geocode_story(
    story: Story,
    *,
    online: OnlineGeocoder | Callable[[str], Location | None],
    cache_path: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    retrieved: str | None = None,
    refresh: bool = False,
    gazetteer: Gazetteer | None = None,
    give_up_after: int = 3,
    allow_outside: bool = False,
) -> GeocodeReport:
    """Look up online the places of ``story`` that need it, and keep the results in the cache.

    A place needs it when it has no ``lat``/``lon``, the offline gazetteer does not know it
    (builds look there before the cache, so an online result for it would never be used), and
    no query of it is in the cache yet; with ``refresh`` the cached ones are asked again (a
    cached result is kept when the service now finds nothing or fails). Each query of a place
    (its query or name, then its aliases) is asked in turn until one is found.

    ``online`` is usually an :class:`OnlineGeocoder`, which spaces, retries and times the
    requests. ``cache_path`` defaults to ``geocache.json`` beside the story (which must then
    lie in the story's folder unless ``allow_outside``). Each result is
    written to the cache as it arrives, with its query, the provider and ``retrieved`` (an ISO
    date), each time atomically, so an interrupted run keeps what it found.
    ``progress(done, total, place_id, status)`` is called once per place without coordinates,
    with one of :data:`FOUND`, :data:`CACHED`, :data:`IN_GAZETTEER`, :data:`NOT_FOUND` or
    :data:`FAILED`.

    A failure of one place (a server error or timeout after the retries, an answer that is
    not a geocoding result) is reported and the run goes on, until ``give_up_after`` places
    in a row have failed. A failure that no later request would escape (the service refuses
    the client, keeps answering 429, or cannot be reached) stops the run: that, and too many
    failures in a row, raise :class:`GeocodingStopped` carrying the report so far.
    """
    folder = None
    if cache_path is None and story.path is not None:
        cache_path = Path(story.path).parent / CACHE_NAME
        folder = None if allow_outside else Path(story.path).parent
    if cache_path is None:
        raise GeocodingError(
            "nowhere to keep the geocoding results: pass cache_path, or a story read from a file"
        )
    cache = GeoCache.load(cache_path, folder=folder)
    gaz = gazetteer if gazetteer is not None else Gazetteer.load()
    provider = getattr(online, "provider", None) or "online"
    label = GEOCODERS.get(provider, provider)
    file = str(story.path) if story.path is not None else "<story>"
    pending = [place for place in story.places.values() if not place.located]
    report = GeocodeReport(provider=provider, cache_path=cache.path, total=len(pending))
    fresh: dict[str, CacheEntry] = {}  # found during this run, by normalized query
    missed: set[str] = set()  # asked during this run and not found
    failures_in_a_row = 0

    for done, place in enumerate(pending, start=1):
        queries = _queries(place)
        keys = [normalize(q) for q in queries]
        status = FOUND
        codes = gaz.country_codes(place.country) if place.country else None
        if any(gaz.candidates(q, codes or None) for q in queries):
            report.gazetteer.append(place.id)
            status = IN_GAZETTEER
        elif hit := next((fresh[k] for k in keys if k in fresh), None):
            report.found[place.id] = hit
        elif not refresh and (cached := _from_cache(cache, queries)) is not None:
            report.cached[place.id] = cached
            status = CACHED
        else:
            try:
                entry = _ask_online(
                    online,
                    [q for q in queries if normalize(q) not in missed],
                    provider,
                    retrieved,
                    missed,
                )
            except GeocodingError as exc:
                fatal = getattr(exc, "fatal", False)
                failures_in_a_row += 1
                report.failed[place.id] = str(exc)
                report.problems.append(Problem(file, place.line, f"places.{place.id}", str(exc)))
                if progress is not None:
                    progress(done, report.total, place.id, FAILED)
                if fatal:
                    report.stopped = str(exc)
                elif failures_in_a_row >= give_up_after:
                    report.stopped = (
                        f"the {label} geocoder failed for {failures_in_a_row} places in a row; "
                        "stopped asking it; run again later (what was found is kept)"
                    )
                if report.stopped:
                    raise GeocodingStopped(report.stopped, report) from exc
                continue
            failures_in_a_row = 0
            if entry is not None:
                cache.put(entry)
                cache.save()
                fresh[normalize(entry.query)] = entry
                report.found[place.id] = entry
            else:
                report.not_found[place.id] = tuple(queries)
                status = NOT_FOUND
                kept = " (the cached result is kept)" if _from_cache(cache, queries) else ""
                message = (
                    f"the {label} geocoder found nothing for {place.name!r} "
                    f"({_quoted(queries)}){kept}; add lat: and lon: to the place, or give it "
                    "a query: that the geocoder can find"
                )
                report.problems.append(Problem(file, place.line, f"places.{place.id}", message))
        if progress is not None:
            progress(done, report.total, place.id, status)
    return report
