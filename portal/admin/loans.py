"""loans in the Django admin."""
