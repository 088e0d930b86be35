"""Pages of the monitoring app."""

from django.urls import path

from .views import pages, public

app_name = "monitoring"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("checks/<int:pk>/", pages.check_detail, name="check"),
    path("checks/<int:pk>/pause/", pages.check_pause, name="check-pause"),
    path("checks/<int:pk>/resume/", pages.check_resume, name="check-resume"),
    path("incidents/", pages.incident_list, name="incidents"),
    path("incidents/<int:pk>/", pages.incident_detail, name="incident"),
    path("incidents/<int:pk>/acknowledge/", pages.incident_acknowledge, name="incident-ack"),
    path("ack/<str:token>/", pages.acknowledge_link, name="ack-link"),
    path("database/", pages.database_activity, name="database"),
    path("availability.csv", pages.availability_csv, name="availability-csv"),
    path("availability.pdf", pages.availability_pdf, name="availability-pdf"),
    path("status/<slug:code>/", public.status_page, name="status"),
    path("metrics", public.metrics, name="metrics"),
]
