"""Resolve a story's places to coordinates.

Each place is resolved by the first of these that knows it:

1. the ``lat``/``lon`` written in the story;
2. the offline :class:`Gazetteer` that ships in the package (capitals, large cities, and the
   flagship story's places), asked for the place's query (or name) and then its aliases;
3. the :class:`GeoCache`, a JSON file of earlier online results kept beside the story;
4. an online geocoder, only when one is passed in (see :func:`online_geocoder`); what it finds
   is added to the cache, and the cache is saved.

The default is offline: nothing here opens a socket unless an online geocoder is passed in.
geopy is imported only when a geopy object is needed, so importing this module stays cheap.
Coordinates are (lat, lon) throughout, as geopy has them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import math
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storymap.errors import GeocodingError, Problem, StoryError
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
    "normalize",
    "online_geocoder",
    "locate",
]

CACHE_NAME = "geocache.json"  # the default cache file, beside the story file
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
                if entry not in bucket:
                    bucket.append(entry)
        self._country_names: dict[str, str] = {}  # ISO code → display name
        self._country_keys: dict[str, set[str]] = {}  # normalized name or code → ISO codes
        for code, names in (countries or {}).items():
            names = [names] if isinstance(names, str) else list(names)
            self._country_names[code] = names[0] if names else code
            for name in (code, *names):
                self._country_keys.setdefault(normalize(name), set()).add(code)
        for entry in self.entries:  # a country without a table entry still matches its code
            self._country_keys.setdefault(normalize(entry.country), set()).add(entry.country)

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
    return Gazetteer.from_json(json.loads(text))


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
    def load(cls, path: str | os.PathLike[str]) -> GeoCache:
        """Read the cache at ``path``. A malformed file raises :class:`StoryError` naming it."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise _cache_error(path, None, "", f"cannot be read ({exc})") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _cache_error(path, exc.lineno, "", f"is not valid JSON ({exc.msg})") from exc
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
        """Write the cache atomically: a temporary file in the same folder, fsync, replace."""
        import tempfile

        text = json.dumps(self.to_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        folder = self.path.parent
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        try:
            try:
                mode = self.path.stat().st_mode & 0o777
            except FileNotFoundError:
                mode = 0o644
            os.fchmod(fd, mode)  # mkstemp makes the file private; keep the cache's own mode
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
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


@dataclass(frozen=True)
class OnlineGeocoder:
    """A rate-limited geopy geocoder: call it with a query, get a ``Location`` or None.

    geopy's errors come out as :class:`GeocodingError` saying what went wrong and what to do.
    """

    provider: str  # a key of GEOCODERS
    geocode: Callable[..., Any]  # geopy's RateLimiter around the provider's geocode

    def __call__(self, query: str) -> Location | None:
        from geopy import exc

        try:
            return self.geocode(query, exactly_one=True)
        except exc.GeocoderTimedOut as e:
            hint = "check the network connection, or try again later"
            raise self._error(query, "timed out", hint) from e
        except exc.GeocoderRateLimited as e:
            raise self._error(query, "refused: too many requests", "wait, then run again") from e
        except (exc.GeocoderInsufficientPrivileges, exc.GeocoderAuthenticationFailure) as e:
            hint = "check that --user-agent NAME names your application and how to reach you"
            raise self._error(query, f"refused the request ({e})", hint) from e
        except exc.GeocoderUnavailable as e:
            hint = "check the network connection and the service address, or try again later"
            raise self._error(query, f"could not be reached ({e})", hint) from e
        except exc.GeopyError as e:
            raise self._error(query, f"failed ({e})", "try again later") from e

    def _error(self, query: str, what: str, hint: str) -> GeocodingError:
        label = GEOCODERS.get(self.provider, self.provider)
        return GeocodingError(f"{label} geocoder {what} looking up {query!r}; {hint}")


def online_geocoder(
    name: str,
    user_agent: str | None,
    *,
    domain: str | None = None,
    scheme: str | None = None,
    timeout: float = 10,
    min_delay_seconds: float = 1.0,
    max_retries: int = 2,
    error_wait_seconds: float = 5.0,
) -> OnlineGeocoder:
    """An online geocoder by name (one of :data:`GEOCODERS`), at most one request a second.

    ``user_agent`` must name the application: public services such as Nominatim refuse
    anonymous or default clients. ``domain``/``scheme`` point it at another server.
    """
    if name not in GEOCODERS:
        choices = ", ".join(sorted(GEOCODERS))
        raise GeocodingError(f"unknown geocoder {name!r}; choose one of: {choices}")
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import get_geocoder_for_service, options

    agent = (user_agent or "").strip()
    if not agent or agent == options.default_user_agent or agent.startswith("geopy/"):
        raise GeocodingError(
            f"the {name} geocoder needs a user agent that names your application, not "
            f"{user_agent!r}; pass --user-agent NAME, for example "
            "--user-agent 'my-newsroom-maps/1.0 (maps@example.org)'"
        )
    kwargs: dict[str, Any] = {"user_agent": agent, "timeout": timeout}
    if domain is not None:
        kwargs["domain"] = domain
    if scheme is not None:
        kwargs["scheme"] = scheme
    geocoder = get_geocoder_for_service(name)(**kwargs)
    limited = RateLimiter(
        geocoder.geocode,
        min_delay_seconds=min_delay_seconds,
        max_retries=max_retries,
        error_wait_seconds=max(error_wait_seconds, min_delay_seconds),
        swallow_exceptions=False,
    )
    return OnlineGeocoder(name, limited)


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
    """A copy of ``story`` in which every place has ``lat`` and ``lon``.

    ``online`` is a geocoder callable (see :func:`online_geocoder`); without it nothing goes
    over the network. ``cache_path`` defaults to ``geocache.json`` beside the story file (no
    cache for a story without a path). ``retrieved`` (an ISO date) is recorded with new cache
    entries. A place that has a ``source`` keeps it; one without gets where its coordinates
    came from. Places that cannot be resolved raise one :class:`StoryError` naming each;
    a failing online service raises :class:`GeocodingError`, after saving what it found.
    """
    if cache_path is None and story.path is not None:
        cache_path = Path(story.path).parent / CACHE_NAME
    provider = getattr(online, "provider", None) or ("online" if online else "")
    cache: GeoCache | None = None
    gaz: Gazetteer | None = gazetteer
    places: dict[str, Place] = {}
    problems: list[Problem] = []
    try:
        for pid, place in story.places.items():
            if place.located:
                places[pid] = place
                continue
            queries = _queries(place)
            if gaz is None:
                gaz = Gazetteer.load()
            hit = next((found[0] for q in queries if (found := gaz.lookup(q))), None)
            if hit is not None:
                places[pid] = dataclasses.replace(
                    place, lat=hit.lat, lon=hit.lon, source=place.source or hit.source
                )
                continue
            if cache is None and cache_path is not None:
                cache = GeoCache.load(cache_path)
            cached = _from_cache(cache, queries)
            if cached is None and online is not None:
                cached = _ask_online(online, queries, provider, retrieved)
                if cached is not None and cache is not None:
                    cache.put(cached)
            if cached is not None:
                source = place.source or _source_of(cached)
                places[pid] = dataclasses.replace(
                    place, lat=cached.lat, lon=cached.lon, source=source
                )
                continue
            problems.append(_unresolved(story, place, queries, provider))
    finally:
        if cache is not None and cache.changed:
            cache.save()
    if problems:
        raise StoryError(problems)
    return dataclasses.replace(story, places=places)


def _from_cache(cache: GeoCache | None, queries: list[str]) -> CacheEntry | None:
    if cache is None:
        return None
    return next((entry for q in queries if (entry := cache.get(q)) is not None), None)


def _ask_online(
    online: Callable[[str], Location | None],
    queries: list[str],
    provider: str,
    retrieved: str | None,
) -> CacheEntry | None:
    for query in queries:
        location = online(query)
        if location is not None:
            return CacheEntry(
                query=query,
                lat=float(location.latitude),
                lon=float(location.longitude),
                address=str(location.address or ""),
                provider=provider,
                retrieved=retrieved,
            )
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
