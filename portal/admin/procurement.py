"""Procurement is in the admin with repair (portal/admin/repair.py)."""
