"""Pages of the portal's my requests and my approvals."""

from django.urls import path

from ..views import mine as views

urlpatterns = [
    path("mine/requests/", views.my_requests, name="my_requests"),
    path("mine/approvals/", views.my_approvals, name="my_approvals"),
]
