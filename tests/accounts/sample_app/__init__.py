"""A stand-in app with a ``roles.py``, for the role-declaration tests."""
