"""Map tile providers, by their xyzservices names."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xyzservices import TileProvider

DEFAULT_TILES = "OpenStreetMap.Mapnik"


@cache
def provider(name: str) -> TileProvider:
    """The xyzservices provider called ``name``; ValueError with the fix when there is none."""
    import xyzservices

    try:
        tiles = xyzservices.providers.query_name(name)
    except ValueError:
        raise ValueError(
            f"unknown tile provider '{name}'; use an xyzservices name such as "
            f"{DEFAULT_TILES}, OpenTopoMap or Esri.WorldImagery, or none for no tiles"
        ) from None
    if tiles.requires_token():
        raise ValueError(
            f"tile provider '{name}' needs an API key, which storymap does not pass on; "
            f"choose a provider without one, such as {DEFAULT_TILES}, or none"
        )
    return tiles
