"""Pages of the portal's procurement service."""

urlpatterns: list = []
