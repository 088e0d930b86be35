"""Pages of the portal's supplies service."""

urlpatterns: list = []
