from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    """Login (local, CAS, SAML 2, OpenID Connect), external identities and directories."""

    name = "esup_saas.identity"
    label = "identity"
    verbose_name = _("Identités et annuaires")

    def ready(self) -> None:
        # Offers reach the directory through lib.directory_port, never by importing identity.
        from esup_saas.lib.directory_port import register_directory

        from .ports import IdentityDirectory

        register_directory(IdentityDirectory())
