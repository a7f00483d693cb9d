"""The same stops and lines drawn with folium alone, as a person would write it.

Usage: python bench/plain_folium.py STORY.geojson OUT.html

Reads the GeoJSON written by ``storymap export`` (a Point per chapter, a LineString
or MultiLineString per leg) and draws a marker with the chapter title as its popup
for each Point and a polyline for each line, on folium's default tiles.
"""

from __future__ import annotations

import json
import sys

import folium


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: plain_folium.py STORY.geojson OUT.html", file=sys.stderr)
        return 2
    source, out = argv
    with open(source, encoding="utf-8") as handle:
        features = json.load(handle)["features"]

    fmap = folium.Map()
    latlons: list[tuple[float, float]] = []
    for feature in features:
        geometry = feature["geometry"]
        if geometry["type"] == "Point":
            lon, lat = geometry["coordinates"][:2]
            folium.Marker([lat, lon], popup=folium.Popup(feature["properties"]["title"])).add_to(
                fmap
            )
            latlons.append((lat, lon))
            continue
        if geometry["type"] == "LineString":
            parts = [geometry["coordinates"]]
        elif geometry["type"] == "MultiLineString":
            parts = geometry["coordinates"]
        else:
            continue
        for part in parts:
            path = [(lat, lon) for lon, lat, *_ in part]
            folium.PolyLine(path).add_to(fmap)
            latlons.extend(path)

    if latlons:
        lats = [lat for lat, _ in latlons]
        lons = [lon for _, lon in latlons]
        fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])
    fmap.save(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
