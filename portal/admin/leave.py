"""leave in the Django admin."""
