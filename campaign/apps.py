from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = _("Campaign")

    def ready(self) -> None:
        # The counters follow awards through signals of audit events, awards and organisations
        # (issuing itself is not changed): see campaign/hooks.py.
        from . import hooks  # noqa: F401
