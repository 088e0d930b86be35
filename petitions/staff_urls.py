from django.urls import path

from .views import staff

app_name = "staff"

urlpatterns = [
    path("", staff.triage, name="triage"),
    path("export.csv", staff.export_csv, name="export"),
    path("overdue/", staff.overdue, name="overdue"),
    path("queue/", staff.queue, name="queue"),
    path("queue/<int:pk>/assign/", staff.queue_assign, name="queue_assign"),
    path("attachments/<int:pk>/", staff.attachment_download, name="attachment"),
    path("<int:pk>/", staff.detail, name="detail"),
    path("<int:pk>/assign/", staff.assign, name="assign"),
    path("<int:pk>/note/", staff.note, name="note"),
    path("<int:pk>/extend/", staff.extend, name="extend"),
    path("<int:pk>/reply/", staff.reply, name="reply"),
    path("<int:pk>/reject/", staff.reject, name="reject"),
    path("<int:pk>/merge/", staff.merge, name="merge"),
]
