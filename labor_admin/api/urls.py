"""API routes of the labor_admin app (under /api/v1/)."""

urlpatterns: list = []
