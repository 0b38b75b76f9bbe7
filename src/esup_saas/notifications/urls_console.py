"""Console URLs of the notifications, under /console/notifications/."""

from django.urls import path

from . import views

app_name = "notifications_console"
urlpatterns = [
    path("", views.triggers, name="triggers"),
    path("triggers/<slug:code>/", views.trigger_edit, name="trigger_edit"),
    path("mails/", views.mail_log, name="mails"),
    path("mails/<int:pk>/", views.mail_detail, name="mail_detail"),
]
