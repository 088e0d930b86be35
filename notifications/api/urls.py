from django.urls import path

from core.api.views import API_ROOT_LINKS

from . import views

if ("notifications", "api-v1:notification-list") not in API_ROOT_LINKS:
    API_ROOT_LINKS.append(("notifications", "api-v1:notification-list"))

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="notification-list"),
    path("notifications/metrics/", views.OutboxMetricsView.as_view(), name="notification-metrics"),
    path(
        "notifications/<int:pk>/",
        views.NotificationDetailView.as_view(),
        name="notification-detail",
    ),
]
