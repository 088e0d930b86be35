"""LDAP/AD login against several directories (one per agency) and directory group sync.

Configured by ``settings.LDAP_DIRECTORIES`` (a list; see ``accounts/README.md``). Nothing here
imports python-ldap or django-auth-ldap at import time: with no directory configured LDAP is
off and the project runs without those libraries.
"""
