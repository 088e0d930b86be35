"""Pages of the portal's repair service."""

urlpatterns: list = []
