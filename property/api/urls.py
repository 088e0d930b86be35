"""API routes of the property app (under /api/v1/)."""

urlpatterns: list = []
