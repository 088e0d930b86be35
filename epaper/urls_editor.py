"""The editors' pages under ``/epaper/editor/`` (login; a newsletter's editors' role or
``epaper.manager``; a newsletter the person may not edit answers 404)."""

from django.urls import path

from .views import editor

urlpatterns = [
    path("", editor.home, name="editor"),
    path("<slug:code>/", editor.issues, name="editor_issues"),
    path("<slug:code>/new/", editor.issue_new, name="editor_issue_new"),
    path("<slug:code>/<int:pk>/", editor.issue_edit, name="editor_issue"),
    path("<slug:code>/<int:pk>/preview/", editor.issue_preview, name="editor_preview"),
    path("<slug:code>/<int:pk>/schedule/", editor.issue_schedule, name="editor_schedule"),
    path("<slug:code>/<int:pk>/unschedule/", editor.issue_unschedule, name="editor_unschedule"),
    path("<slug:code>/<int:pk>/cancel/", editor.issue_cancel, name="editor_cancel"),
    path("<slug:code>/<int:pk>/test/", editor.issue_test, name="editor_test"),
    path("<slug:code>/<int:pk>/images/", editor.asset_upload, name="editor_asset_upload"),
    path(
        "<slug:code>/<int:pk>/images/<int:asset_pk>/delete/",
        editor.asset_delete,
        name="editor_asset_delete",
    ),
]
