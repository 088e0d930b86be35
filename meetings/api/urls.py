"""API routes of the meetings app (under /api/v1/)."""

urlpatterns: list = []
