"""repair in the Django admin."""
