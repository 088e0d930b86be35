"""Pages of the portal's my requests and my approvals."""

urlpatterns: list = []
