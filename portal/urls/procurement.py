"""Pages of the portal's procurement service."""

from django.urls import path

from ..views import procurement as views

urlpatterns = [
    path("procurement/", views.my_requests, name="procurement_requests"),
    path("procurement/new/", views.request_new, name="procurement_new"),
    path("procurement/<int:pk>/", views.request_detail, name="procurement_request"),
    path("procurement/<int:pk>/withdraw/", views.request_withdraw, name="procurement_withdraw"),
    path("procurement/<int:pk>/files/<int:file>/", views.attachment, name="procurement_attachment"),
]
