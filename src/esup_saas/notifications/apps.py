from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Outgoing mail: triggers, editable templates (FR / EN), the log, retries, opt-out."""

    name = "esup_saas.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
