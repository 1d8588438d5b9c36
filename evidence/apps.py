from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Learner evidence")

    def ready(self):
        from . import receivers  # noqa: F401
