"""API routes of the monitoring app (under /api/v1/)."""

from django.urls import path

from core.api.views import API_ROOT_LINKS

from . import views

if ("monitoring", "api-v1:monitoring-check-list") not in API_ROOT_LINKS:
    API_ROOT_LINKS.append(("monitoring", "api-v1:monitoring-check-list"))

urlpatterns = [
    path("monitoring/checks/", views.CheckListCreateView.as_view(), name="monitoring-check-list"),
    path(
        "monitoring/checks/<int:pk>/",
        views.CheckDetailView.as_view(),
        name="monitoring-check-detail",
    ),
    path(
        "monitoring/incidents/",
        views.IncidentListView.as_view(),
        name="monitoring-incident-list",
    ),
    path(
        "monitoring/incidents/<int:pk>/",
        views.IncidentDetailView.as_view(),
        name="monitoring-incident-detail",
    ),
    path(
        "monitoring/incidents/<int:pk>/acknowledge/",
        views.IncidentAcknowledgeView.as_view(),
        name="monitoring-incident-ack",
    ),
]
