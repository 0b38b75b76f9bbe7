"""Console URLs (providers' agents, service managers, coordinators), namespace ``console``."""

from django.urls import path

from .views import console

app_name = "console"
urlpatterns = [
    path("", console.home, name="home"),
]
