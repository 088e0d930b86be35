"""Supplies in the Django admin: see ``portal.admin.loans`` (both services share it)."""
