"""supplies in the Django admin."""
