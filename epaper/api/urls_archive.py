"""API routes of the archive (under ``/api/v1/epaper/``)."""

from django.urls import path

from .archive import NewsletterIssueListView

urlpatterns = [
    path(
        "newsletters/<slug:code>/issues/",
        NewsletterIssueListView.as_view(),
        name="epaper-newsletter-issues",
    ),
]
