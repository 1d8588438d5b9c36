"""Public figures about the platform as a whole: aggregate counts only, nothing personal."""

from dataclasses import dataclass

from accounts.models import Organisation, User


@dataclass(frozen=True)
class PlatformFigures:
    organisations: int
    people: int


def platform_figures() -> PlatformFigures:
    """Count what the platform really holds; the home page never shows invented numbers."""
    return PlatformFigures(
        organisations=Organisation.objects.count(),
        people=User.objects.filter(is_active=True).count(),
    )
