from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    """Organisations (the tenants), persons, teams and role memberships."""

    name = "esup_saas.tenancy"
    label = "tenancy"
    verbose_name = _("Organisations et personnes")
