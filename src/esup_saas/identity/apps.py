from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    """Login (local, CAS, SAML 2, OpenID Connect), external identities and directories."""

    name = "esup_saas.identity"
    label = "identity"
    verbose_name = _("Identités et annuaires")
