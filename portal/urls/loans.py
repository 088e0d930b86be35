"""Pages of the portal's loans service."""

urlpatterns: list = []
