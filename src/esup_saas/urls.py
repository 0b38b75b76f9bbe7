"""Root URL configuration: login, portal, console, admin, API schema."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from esup_saas.catalog.registry import registered_offers
from esup_saas.servicedesk import views as servicedesk_views

urlpatterns = [
    path("", servicedesk_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("esup_saas.identity.urls")),
    path("portal/", include("esup_saas.servicedesk.urls_portal")),
    # SLA, reports and notifications (issue 3): console pages in their own URL modules.
    path("console/sla/reports/", include("esup_saas.servicedesk.urls_sla")),
    path("console/sla/", include("esup_saas.catalog.urls_sla")),
    path("console/notifications/", include("esup_saas.notifications.urls_console")),
    path("notifications/", include("esup_saas.notifications.urls")),
    path("console/", include("esup_saas.servicedesk.urls_console")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# The hosted offers, found through the catalogue's registry (filled by each offer's
# AppConfig.ready(), before the URLconf is loaded): the platform never imports an offer.
urlpatterns += [
    path(f"{spec.code}/", include((spec.urls, spec.url_namespace)))
    for spec in registered_offers()
    if spec.urls
]

# No ``/media/`` route, not even with DEBUG: uploaded files (private attachments, another
# tenant's) are only downloaded through the scoped views of the portal and the console.
