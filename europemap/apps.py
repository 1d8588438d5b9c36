from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EuropemapConfig(AppConfig):
    name = "europemap"
    verbose_name = _("Badge Europe map")
