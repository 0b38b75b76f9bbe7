"""A person's own notification preferences, under /notifications/ (namespace ``notifications``)."""

from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [path("preferences/", views.preferences, name="preferences")]
