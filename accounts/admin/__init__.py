"""The accounts app's admin, one module per concern. Every model registers with the portal's
admin site (``accounts.admin_site.PortalAdminSite``, the default site through
``accounts.apps.PortalAdminConfig``)."""

from . import hr, ldap, officers, oidc, security, users

__all__ = ["hr", "ldap", "officers", "oidc", "security", "users"]
