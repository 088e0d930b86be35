"""``/api/v1/epaper/``: subscriptions (a double opt-in) and the archive's read side."""

from django.urls import include, path

urlpatterns = [
    path("epaper/", include("epaper.api.urls_subscriptions")),
    path("epaper/", include("epaper.api.urls_archive")),
]
