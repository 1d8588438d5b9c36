"""System checks that refuse dangerous production configurations.

Ids are stable; the README and docs/operations.md list them.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]", "testserver"}


def is_local_site() -> bool:
    host = urlsplit(settings.SITE_URL).hostname or ""
    return host in LOCAL_HOSTS or host.endswith(".localhost")


@register(Tags.security, deploy=False)
def check_production_settings(app_configs=None, **kwargs) -> list[Error]:
    errors: list[Error] = []
    site = urlsplit(settings.SITE_URL)
    local = is_local_site()
    if site.scheme not in {"http", "https"} or not site.hostname:
        errors.append(
            Error(
                "SITE_URL must be an absolute http(s) URL.",
                hint="For example SITE_URL=https://badges.example.org",
                id="badgeeurope.E003",
            )
        )
        return errors
    if local:
        return errors
    if not settings.SECRET_KEY_FROM_ENV:
        errors.append(
            Error(
                "SECRET_KEY is not set for a public site.",
                hint="Set SECRET_KEY to a long random value kept secret and stable.",
                id="badgeeurope.E001",
            )
        )
    if settings.DEBUG:
        errors.append(
            Error(
                "DEBUG is on for a public site.",
                hint="Unset DEBUG: it shows settings and source code to visitors.",
                id="badgeeurope.E002",
            )
        )
    if site.scheme != "https":
        errors.append(
            Error(
                "SITE_URL must use https for a public site.",
                hint="Badge identifiers and issuer keys are published under SITE_URL; "
                "verifiers require https.",
                id="badgeeurope.E004",
            )
        )
    return errors
