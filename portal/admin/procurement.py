"""procurement in the Django admin."""
