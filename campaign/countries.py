"""ISO 3166-1 alpha-2 country codes and their names in the visitor's language (from Babel's
CLDR data, so no list is kept here)."""

from functools import cache

from babel import Locale, UnknownLocaleError
from django.utils.translation import get_language

# CLDR territories that are not countries of ISO 3166-1 (groupings, placeholders).
_NOT_COUNTRIES = {
    *("EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"),
    *("AC", "CP", "CQ", "DG", "EA", "IC", "TA"),
}


@cache
def _names(language: str) -> dict[str, str]:
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    return {
        code: name
        for code, name in locale.territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def is_country(code: str) -> bool:
    return code in _names("en")


def country_name(code: str, language: str | None = None) -> str:
    language = (language or get_language() or "en").split("-")[0]
    return _names(language).get(code) or _names("en").get(code) or code


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    language = (language or get_language() or "en").split("-")[0]
    return sorted(_names(language).items(), key=lambda item: item[1].casefold())
