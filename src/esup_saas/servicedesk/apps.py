from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicedeskConfig(AppConfig):
    """The ITIL service desk: incidents and user requests, portal and console."""

    name = "esup_saas.servicedesk"
    label = "servicedesk"
    verbose_name = _("Centre de services")
