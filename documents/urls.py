from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("pending/", views.pending, name="pending"),
    path("new/", views.document_register, name="register"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/revoke/", views.delegation_revoke, name="delegation_revoke"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("chains/<int:chain_pk>/", views.chain_detail, name="chain"),
    path("chains/<int:chain_pk>/steps/<int:step_pk>/approve/", views.step_approve, name="approve"),
    path("chains/<int:chain_pk>/steps/<int:step_pk>/return/", views.step_return, name="return"),
    path("chains/<int:chain_pk>/steps/<int:step_pk>/forward/", views.step_forward, name="forward"),
    path("chains/<int:chain_pk>/restart/", views.chain_restart, name="restart"),
    path("chains/<int:chain_pk>/cancel/", views.chain_cancel, name="cancel"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
]
