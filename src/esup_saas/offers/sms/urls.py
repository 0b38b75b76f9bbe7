"""SMS-U URLs (namespace ``sms``), mounted at ``/sms/`` through the offer registry."""

app_name = "sms"
urlpatterns: list = []
