"""Pages of the portal's leave service."""

from django.urls import path

from ..views import leave as views

urlpatterns = [
    path("leave/", views.leave_home, name="leave"),
    path("leave/new/", views.leave_new, name="leave_new"),
    path("leave/team/", views.leave_team, name="leave_team"),
    path("leave/<int:pk>/", views.leave_detail, name="leave_request"),
    path("leave/<int:pk>/amend/", views.leave_amend, name="leave_amend"),
    path("leave/<int:pk>/accept/", views.leave_accept, name="leave_accept"),
    path("leave/<int:pk>/decline/", views.leave_decline, name="leave_decline"),
    path("leave/<int:pk>/cancel/", views.leave_cancel, name="leave_cancel"),
    path("leave/<int:pk>/attachment/", views.leave_attachment, name="leave_attachment"),
]
