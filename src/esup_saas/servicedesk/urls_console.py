"""Console URLs (providers' agents, service managers, coordinators), namespace ``console``.

The organisation and catalogue pages live in their own apps' ``views.py`` and are routed
here so that the whole console sits under ``/console/``.
"""

from django.urls import path

from esup_saas.catalog import views as catalog_views
from esup_saas.tenancy import views as tenancy_views

from .views import console

app_name = "console"
urlpatterns = [
    path("", console.home, name="home"),
    path("org/", tenancy_views.organisation_select, name="org_select"),
    # Tickets
    path("tickets/", console.ticket_list, name="ticket_list"),
    path("tickets/bulk-assign/", console.ticket_bulk_assign, name="ticket_bulk_assign"),
    path("tickets/<str:ref>/", console.ticket_detail, name="ticket_detail"),
    path(
        "tickets/<str:ref>/transition/<slug:code>/",
        console.ticket_transition,
        name="ticket_transition",
    ),
    path("tickets/<str:ref>/qualification/", console.ticket_qualify, name="ticket_qualify"),
    path("tickets/<str:ref>/log/<slug:visibility>/", console.ticket_log_add, name="ticket_log"),
    path(
        "tickets/<str:ref>/attachments/",
        console.ticket_attachment_add,
        name="ticket_attachment_add",
    ),
    path(
        "tickets/<str:ref>/attachments/<int:pk>/",
        console.ticket_attachment_download,
        name="ticket_attachment",
    ),
    path("teams/<int:pk>/agents/", console.team_agents, name="team_agents"),
    # Saved searches
    path("searches/", console.saved_search_create, name="saved_search_create"),
    path("searches/<int:pk>/delete/", console.saved_search_remove, name="saved_search_delete"),
    # Organisations
    path("organisations/", tenancy_views.organisation_list, name="organisation_list"),
    path(
        "organisations/<slug:code>/",
        tenancy_views.organisation_detail,
        name="organisation_detail",
    ),
    path(
        "organisations/<slug:code>/memberships/",
        tenancy_views.membership_add,
        name="membership_add",
    ),
    path(
        "organisations/<slug:code>/memberships/<int:pk>/revoke/",
        tenancy_views.membership_remove,
        name="membership_revoke",
    ),
    # Catalogue (read-only)
    path("services/", catalog_views.service_list, name="service_list"),
    path("services/<int:pk>/", catalog_views.service_detail, name="service_detail"),
    path(
        "services/<int:pk>/documents/<int:doc_pk>/",
        catalog_views.service_document,
        name="service_document",
    ),
    path("contracts/", catalog_views.contract_list, name="contract_list"),
    path("contracts/<int:pk>/", catalog_views.contract_detail, name="contract_detail"),
    path(
        "contracts/<int:pk>/documents/<int:doc_pk>/",
        catalog_views.contract_document,
        name="contract_document",
    ),
]
