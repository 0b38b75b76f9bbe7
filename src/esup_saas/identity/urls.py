"""URLs of the identity app, included under ``accounts/`` by the root URL configuration.

The names are the libraries' own (``cas_ng_login``, ``saml2_acs``,
``oidc_authentication_callback``…) because the libraries reverse them.
"""

from django.urls import path

from . import views

urlpatterns = [
    # CAS 3
    path("cas/login/", views.CASLoginView.as_view(), name="cas_ng_login"),
    path("cas/logout/", views.CASLogoutView.as_view(), name="cas_ng_logout"),
    # SAML 2
    path("saml2/login/", views.SAMLLoginView.as_view(), name="saml2_login"),
    path("saml2/acs/", views.SAMLAssertionConsumerView.as_view(), name="saml2_acs"),
    path("saml2/metadata/", views.SAMLMetadataView.as_view(), name="saml2_metadata"),
    # OpenID Connect
    path(
        "oidc/authenticate/", views.OIDCAuthenticateView.as_view(), name="oidc_authentication_init"
    ),
    path("oidc/callback/", views.OIDCCallbackView.as_view(), name="oidc_authentication_callback"),
    # Local accounts: password reset by mail
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("reset/done/", views.password_reset_complete, name="password_reset_complete"),
]
