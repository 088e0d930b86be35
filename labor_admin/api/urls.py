"""API routes of the labor_admin app (under /api/v1/labor-admin/)."""

from django.urls import path

from core.api.views import API_ROOT_LINKS

from . import views

if ("labor-admin", "api-v1:labor-admin-case-list") not in API_ROOT_LINKS:
    API_ROOT_LINKS.append(("labor-admin", "api-v1:labor-admin-case-list"))

urlpatterns = [
    path(
        "labor-admin/case-types/",
        views.CaseTypeListView.as_view(),
        name="labor-admin-case-type-list",
    ),
    path("labor-admin/cases/", views.CaseListCreateView.as_view(), name="labor-admin-case-list"),
    path(
        "labor-admin/cases/<int:pk>/",
        views.CaseDetailView.as_view(),
        name="labor-admin-case-detail",
    ),
    path(
        "labor-admin/cases/<int:pk>/transitions/",
        views.CaseTransitionView.as_view(),
        name="labor-admin-case-transitions",
    ),
    path("labor-admin/board/", views.BoardView.as_view(), name="labor-admin-board"),
]
