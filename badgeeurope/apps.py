from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgeEuropeConfig(AppConfig):
    name = "badgeeurope"
    verbose_name = _("Badge Europe")

    def ready(self) -> None:
        # Registers the configuration checks (badgeeurope.E001 …).
        from . import checks  # noqa: F401
