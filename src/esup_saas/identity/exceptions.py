"""Errors of the identity app.

:class:`LoginRefused` is raised by the provisioning service and the authentication
backends; it is *not* a ``PermissionDenied`` so that ``django.contrib.auth.authenticate``
lets it through to the protocol view, which shows the refusal page (and opens no session).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class LoginRefused(Exception):
    """A login is refused for a reason the person should be told.

    ``reason`` is one of :attr:`REASONS`' keys; ``detail`` is for the logs (never shown).
    """

    REASONS = {
        "unknown_institution": _(
            "Votre établissement n'est pas (encore) client de la plateforme : "
            "aucun compte ne peut être créé pour vous. Contactez le point de contact "
            "unique de votre établissement."
        ),
        "missing_attribute": _(
            "Votre fournisseur d'identité n'a pas transmis les informations nécessaires "
            "(eduPersonPrincipalName). Contactez le support de votre établissement."
        ),
        "invalid_ticket": _(
            "Le ticket d'authentification CAS est invalide, expiré ou a déjà été utilisé. "
            "Veuillez vous reconnecter."
        ),
        "invalid_assertion": _(
            "La réponse du fournisseur d'identité a été refusée (signature invalide, "
            "assertion expirée ou rejouée). Veuillez vous reconnecter."
        ),
        "provider_error": _(
            "Le fournisseur d'identité n'a pas pu confirmer votre connexion. "
            "Veuillez réessayer plus tard."
        ),
        "inactive_account": _("Votre compte est désactivé."),
        "method_disabled": _("Ce mode de connexion n'est pas activé sur cette plateforme."),
    }

    def __init__(self, reason: str, detail: str = "") -> None:
        if reason not in self.REASONS:
            raise ValueError(f"unknown refusal reason {reason!r}")
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    @property
    def message(self) -> str:
        """The French (translated) sentence shown to the person."""
        return str(self.REASONS[self.reason])


class UnknownInstitution(LoginRefused):
    """Neither ``supannEtablissement`` nor the eppn's domain names a known organisation."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("unknown_institution", detail)
