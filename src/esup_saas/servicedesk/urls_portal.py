"""Portal URLs (customers' PCU and end users), namespace ``portal``."""

from django.urls import path

from .views import portal

app_name = "portal"
urlpatterns = [
    path("", portal.home, name="home"),
    path("new/", portal.new_request, name="new"),
    path("new/<int:subcategory_id>/", portal.new_request_form, name="new_form"),
    path("requests/", portal.ongoing_requests, name="ongoing"),
    path("requests/closed/", portal.closed_requests, name="closed"),
    path("requests/<str:ref>/", portal.ticket_detail, name="ticket"),
    path("requests/<str:ref>/comment/", portal.ticket_comment, name="comment"),
    path("requests/<str:ref>/accept/", portal.ticket_accept, name="accept"),
    path("requests/<str:ref>/reopen/", portal.ticket_reopen, name="reopen"),
    path(
        "requests/<str:ref>/attachments/<int:attachment_id>/",
        portal.attachment_download,
        name="attachment",
    ),
    path("faq/", portal.faq_list, name="faq"),
    path("faq/<int:pk>/", portal.faq_detail, name="faq_detail"),
    path("contracts/", portal.contract_list, name="contracts"),
    path("contracts/documents/<int:document_id>/", portal.document_download, name="document"),
]
