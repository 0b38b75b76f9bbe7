"""Console URLs of the SLA reports, under /console/sla/reports/ (namespace ``sla_reports``)."""

from django.urls import path

from . import views_sla

app_name = "sla_reports"
urlpatterns = [path("compliance/", views_sla.compliance, name="compliance")]
