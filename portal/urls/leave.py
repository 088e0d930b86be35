"""Pages of the portal's leave service."""

urlpatterns: list = []
