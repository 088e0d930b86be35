"""API routes of the meetings app (under /api/v1/)."""

from django.urls import path

from core.api.views import API_ROOT_LINKS

from . import views

if ("meetings", "api-v1:meeting-list") not in API_ROOT_LINKS:
    API_ROOT_LINKS.append(("meetings", "api-v1:meeting-list"))

urlpatterns = [
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/cases/", views.CaseListView.as_view(), name="meeting-case-list"),
    path("meetings/search/", views.SearchView.as_view(), name="meeting-search"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
]
