from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    """FAQ categories, FAQs and known errors."""

    name = "esup_saas.knowledge"
    label = "knowledge"
    verbose_name = _("Base de connaissances")
