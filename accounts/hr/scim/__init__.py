"""SCIM 2.0 (RFC 7643/7644) push endpoint for HR systems, mounted at ``/scim/v2/``."""
