from django.apps import AppConfig


class LibConfig(AppConfig):
    """Pure helpers; registered as an app only so its template tags are found."""

    name = "esup_saas.lib"
    label = "lib"
