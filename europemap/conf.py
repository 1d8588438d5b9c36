"""Map settings: a Django setting when the project defines one, else the environment variable
of the same name, else the default (documented in docs/map.md)."""

import os
from urllib.parse import urlsplit

from django.conf import settings


def _setting(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value).strip()


def tile_url() -> str:
    """An online tile layer, e.g. https://tile.example.org/{z}/{x}/{y}.png (MAP_TILE_URL).

    Empty by default: the map then draws the country outlines shipped with the site and works
    offline. Only an https:// or http:// URL is used; anything else is ignored.
    """
    url = _setting("MAP_TILE_URL", "")
    return url if urlsplit(url).scheme in {"http", "https"} and urlsplit(url).netloc else ""


def tile_origin() -> str:
    """The tile server's origin, which the page's Content-Security-Policy must allow."""
    parts = urlsplit(tile_url())
    # {s} subdomain templates ("{s}.tile.example.org") become a wildcard host.
    host = parts.netloc.replace("{s}.", "*.")
    return f"{parts.scheme}://{host}" if host else ""


def tile_attribution() -> str:
    """Credit shown for the tile layer (MAP_TILE_ATTRIBUTION), as plain text."""
    return _setting("MAP_TILE_ATTRIBUTION", "")


def data_cache_seconds() -> int:
    """How long the open-data files are cached, on the server and by clients
    (MAP_DATA_CACHE_SECONDS, default 60; 0 switches the server cache off)."""
    try:
        return max(int(_setting("MAP_DATA_CACHE_SECONDS", "60")), 0)
    except ValueError:
        return 60
