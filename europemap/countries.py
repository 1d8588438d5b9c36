"""Country names in the visitor's language, from the CLDR data that Babel ships."""

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from django.utils.translation import get_language


@lru_cache(maxsize=16)
def _territories(language: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(language.replace("-", "_")).territories)
    except (UnknownLocaleError, ValueError):
        return dict(Locale("en").territories)


def country_name(code: str, language: str | None = None) -> str:
    """The name of an ISO 3166-1 alpha-2 country; the code itself when CLDR does not know it."""
    code = (code or "").upper()
    return _territories(language or get_language() or "en").get(code, code)
