from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """The service catalogue, customer and provider contracts, documents, the offer registry."""

    name = "esup_saas.catalog"
    label = "catalog"
    verbose_name = _("Catalogue de services")
