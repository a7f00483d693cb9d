"""Map tile providers, by their xyzservices names."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from xyzservices import TileProvider

DEFAULT_TILES = "OpenStreetMap.Mapnik"


def check_name(name: str) -> None:
    """ValueError, with the fix, unless ``name`` is an xyzservices provider."""
    import xyzservices

    try:
        xyzservices.providers.query_name(name)
    except ValueError:
        raise ValueError(_unknown(name)) from None


def _unknown(name: str) -> str:
    return (
        f"unknown tile provider '{name}'; use an xyzservices name such as "
        f"{DEFAULT_TILES}, OpenTopoMap or Esri.WorldImagery, or none for no tiles"
    )


@cache
def provider(name: str, key: str | None = None) -> TileProvider:
    """The xyzservices provider called ``name``, with its API ``key`` if it needs one
    (percent-encoded into the URL).

    Raises ValueError, with the fix, for an unknown name or a missing key.
    """
    import xyzservices

    try:
        tiles = xyzservices.providers.query_name(name)
    except ValueError:
        raise ValueError(_unknown(name)) from None
    if tiles.requires_token():
        if not key:
            raise ValueError(
                f"tile provider '{name}' needs an API key; give it with --tiles-key KEY, "
                f"or choose a provider without one, such as {DEFAULT_TILES}, or none"
            )
        slots = [k for k, v in tiles.items() if isinstance(v, str) and v.startswith("<insert your")]
        if len(slots) != 1:
            raise ValueError(
                f"tile provider '{name}' needs {len(slots)} keys ({', '.join(slots)}), and "
                "--tiles-key gives one; choose another provider"
            )
        # Percent-encoded, so that no character of the key ({x}, &, #, /, a space) changes
        # the URL or the template the page fills in.
        tiles = tiles(**{slots[0]: quote(key, safe="")})
    return tiles
