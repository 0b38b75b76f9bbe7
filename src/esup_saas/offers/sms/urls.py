"""SMS-U URLs (namespace ``sms``), mounted at ``/sms/`` through the offer registry."""

from django.urls import path

from . import api, views

app_name = "sms"
urlpatterns = [
    path("", views.index, name="index"),
    path("ws/", api.smsuapi, name="smsuapi"),
    path("api/<slug:org>/messages/", api.MessageListApi.as_view(), name="api_messages"),
    path(
        "api/<slug:org>/messages/<int:pk>/",
        api.MessageDetailApi.as_view(),
        name="api_message",
    ),
    path("api/<slug:org>/blacklist/<str:phone>/", api.BlacklistApi.as_view(), name="api_blacklist"),
    path("api/<slug:org>/quota/", api.QuotaApi.as_view(), name="api_quota"),
    path("<slug:org>/", views.home, name="home"),
    path("<slug:org>/adhesion/", views.optin, name="optin"),
    path("<slug:org>/adhesion/code/", views.optin_confirm, name="optin_confirm"),
    path("<slug:org>/adhesion/retrait/", views.optin_withdraw, name="optin_withdraw"),
    path("<slug:org>/envoi/", views.send, name="send"),
    path("<slug:org>/envoi/compte/", views.send_count, name="send_count"),
    path("<slug:org>/suivi/", views.message_list, name="message_list"),
    path("<slug:org>/suivi/<int:pk>/", views.message_detail, name="message_detail"),
    path("<slug:org>/suivi/<int:pk>/signaler/", views.message_report, name="message_report"),
    path("<slug:org>/suivi/<int:pk>/annuler/", views.message_cancel, name="message_cancel"),
    path("<slug:org>/approbation/", views.approval_list, name="approval_list"),
    path("<slug:org>/approbation/<int:pk>/", views.approval_decide, name="approval_decide"),
    path("<slug:org>/gestion/<slug:kind>/", views.manage, name="manage"),
    path("<slug:org>/gestion/<slug:kind>/<int:pk>/", views.manage_edit, name="manage_edit"),
    path(
        "<slug:org>/gestion/<slug:kind>/<int:pk>/supprimer/",
        views.manage_delete,
        name="manage_delete",
    ),
    path(
        "<slug:org>/applications/<int:pk>/secret/",
        views.application_secret,
        name="application_secret",
    ),
    path("<slug:org>/parametres/", views.settings_edit, name="settings"),
    path("<slug:org>/liste-noire/", views.blacklist, name="blacklist"),
    path("<slug:org>/rapports/", views.report, name="report"),
    path("<slug:org>/rapports/envois/", views.report_detail, name="report_detail"),
    path("<slug:org>/a-propos/", views.about, name="about"),
]
