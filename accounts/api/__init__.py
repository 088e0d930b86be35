"""The rights API for applications, mounted at ``/api/v1/sso/`` (see accounts/README.md)."""
