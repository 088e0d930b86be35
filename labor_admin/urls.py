"""Pages of the labor_admin app (/labor-admin/)."""

from django.urls import path

from . import views

app_name = "labor_admin"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("mine/", views.my_cases, name="mine"),
    path("overdue/", views.overdue_cases, name="overdue"),
    path("export.csv", views.case_export, name="export"),
    path("new/", views.intake_choose, name="intake_choose"),
    path("new/<str:code>/", views.intake, name="intake"),
    path("import/", views.case_import, name="import"),
    path("board/", views.board, name="board"),
    path("board/figures/", views.board_figures, name="board_figures"),
    path("types/<str:code>/preview/", views.type_preview, name="type_preview"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path(
        "<int:pk>/transitions/<int:transition_pk>/",
        views.case_transition,
        name="transition",
    ),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
]
