"""API routes of the subscriptions (under ``/api/v1/epaper/``): the newsletters open for
subscription and the double opt-in."""

from django.urls import path

from .subscriptions import NewsletterListView, SubscriptionCreateView

urlpatterns = [
    path("newsletters/", NewsletterListView.as_view(), name="epaper-newsletter-list"),
    path("subscriptions/", SubscriptionCreateView.as_view(), name="epaper-subscription-create"),
]
