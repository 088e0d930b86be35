"""API routes of the property app (under /api/v1/)."""

from django.urls import path

from core.api.views import API_ROOT_LINKS

from . import views

if ("property", "api-v1:property-item-list") not in API_ROOT_LINKS:
    API_ROOT_LINKS.append(("property", "api-v1:property-item-list"))

urlpatterns = [
    path("property/items/", views.ItemListView.as_view(), name="property-item-list"),
    path("property/items/<int:pk>/", views.ItemDetailView.as_view(), name="property-item-detail"),
    path(
        "property/movements/", views.MovementCreateView.as_view(), name="property-movement-create"
    ),
    path("property/reports/balance/", views.BalanceView.as_view(), name="property-balance"),
]
