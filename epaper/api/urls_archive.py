"""API routes of the e-paper app."""

urlpatterns = []
