from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PassportConfig(AppConfig):
    name = "passport"
    verbose_name = _("Passport")

    def ready(self) -> None:
        # A confirmed email address brings the awards already made to it (passport/receivers.py).
        from . import receivers  # noqa: F401
