"""Console URLs of the service levels, under /console/sla/ (namespace ``sla``)."""

from django.urls import path

from . import views_sla as v

app_name = "sla"
urlpatterns = [
    path("", v.home, name="home"),
    path("new/", v.sla_edit, name="sla_new"),
    path("<int:pk>/", v.sla_edit, name="sla_edit"),
    path("hours/", v.hours_list, name="hours_list"),
    path("hours/new/", v.hours_edit, name="hours_new"),
    path("hours/<int:pk>/", v.hours_edit, name="hours_edit"),
    path("calendars/", v.calendar_list, name="calendar_list"),
    path("calendars/new/", v.calendar_edit, name="calendar_new"),
    path("calendars/<int:pk>/", v.calendar_edit, name="calendar_edit"),
    path("coverages/<int:pk>/", v.coverage_edit, name="coverage_edit"),
    path("providers/<slug:code>/", v.provider_settings, name="provider_settings"),
]
