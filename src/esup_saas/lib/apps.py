from django.apps import AppConfig


class LibConfig(AppConfig):
    """Pure helpers; registered as an app for its template tags and system checks."""

    name = "esup_saas.lib"
    label = "lib"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)
