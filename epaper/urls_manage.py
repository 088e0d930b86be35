"""The e-paper managers' subscriber pages under ``/epaper/manage/`` (login and the role
``epaper.manager``): search, a subscriber with the personal-data export and erasure, the CSV
import and its reports."""

from django.urls import path

from .views import manage

urlpatterns = [
    path("", manage.subscribers, name="subscribers"),
    path("<int:pk>/", manage.subscriber, name="subscriber"),
    path(
        "<int:pk>/export.<str:fmt>",
        manage.subscriber_export,
        name="subscriber_export",
    ),
    path("<int:pk>/erase/", manage.subscriber_erase, name="subscriber_erase"),
    path("import/", manage.import_upload, name="import"),
    path("import/<int:pk>/", manage.import_batch, name="import_batch"),
]
