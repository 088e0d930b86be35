"""Pages of the labor_admin app."""

app_name = "labor_admin"

urlpatterns: list = []
