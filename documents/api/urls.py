from django.urls import path

from core.api.views import API_ROOT_LINKS

from . import views

if ("documents", "api-v1:document-list") not in API_ROOT_LINKS:
    API_ROOT_LINKS.append(("documents", "api-v1:document-list"))

urlpatterns = [
    path("documents/", views.DocumentListCreateView.as_view(), name="document-list"),
    path("documents/<int:pk>/", views.DocumentStatusView.as_view(), name="document-detail"),
    path(
        "documents/by-number/<str:number>/",
        views.DocumentByNumberView.as_view(),
        name="document-by-number",
    ),
]
