"""Routes of the e-paper app (filled in by its issue)."""

urlpatterns = []
