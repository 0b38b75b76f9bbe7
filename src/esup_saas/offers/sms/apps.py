from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmsConfig(AppConfig):
    """The hosted offer SMS-U (specs/sms.md), registered with the catalogue's offer registry."""

    name = "esup_saas.offers.sms"
    label = "sms"
    verbose_name = _("SMS-U")

    def ready(self) -> None:
        from esup_saas.catalog.registry import OfferSpec, register_offer

        from .demo import demo_load
        from .models import Function
        from .selectors import sms_sent

        register_offer(
            OfferSpec(
                code="sms",
                name="SMS-U",
                url_namespace="sms",
                urls="esup_saas.offers.sms.urls",
                metrics={"sms_sent": sms_sent},
                roles=tuple(Function.values),
                demo=demo_load,
            )
        )
