"""``/api/v1/sso/``: included from ``mol_portal/urls.py`` (the ``api_v1`` list)."""

from django.urls import path

from . import views

urlpatterns = [
    path("sso/token-info/", views.TokenInfoView.as_view(), name="sso-token-info"),
    path("sso/users/", views.ApplicationUserListView.as_view(), name="sso-user-list"),
    path("sso/users/<str:key>/", views.UserRightsView.as_view(), name="sso-user-rights"),
    path("sso/users/<str:key>/roles/", views.UserRoleAssignView.as_view(), name="sso-user-roles"),
    path(
        "sso/users/<str:key>/roles/<slug:role>/",
        views.UserRoleRemoveView.as_view(),
        name="sso-user-role",
    ),
    path("sso/roles/", views.ApplicationRoleListView.as_view(), name="sso-role-list"),
    path("sso/metrics/", views.MetricsView.as_view(), name="sso-metrics"),
]

# Listed on the API root (/api/v1/).
from core.api.views import API_ROOT_LINKS  # noqa: E402

if ("sso-users", "api-v1:sso-user-list") not in API_ROOT_LINKS:
    API_ROOT_LINKS.append(("sso-users", "api-v1:sso-user-list"))
