from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicedeskConfig(AppConfig):
    """The ITIL service desk: incidents and user requests, portal and console."""

    name = "esup_saas.servicedesk"
    label = "servicedesk"
    verbose_name = _("Centre de services")

    def ready(self) -> None:
        # SLA and notifications (issue 3): declare the mail triggers, dispatch each ticket
        # event after its commit, and re-sync open tickets when a provider's SLA changes.
        from django.db.models.signals import post_save

        from esup_saas.catalog.services_sla import sla_listener_register

        from . import notify
        from .models import TicketEvent
        from .tasks import sla_refresh_provider_task

        notify.register_triggers()
        post_save.connect(notify.on_event_saved, sender=TicketEvent, dispatch_uid="sd-notify")
        sla_listener_register(sla_refresh_provider_task.delay)
