"""OpenID Connect provider of the portal, built on django-oauth-toolkit.

Modules: ``keys`` (signing keys and their rotation; imported by settings, so it imports no
Django models), ``validators`` (claims, token events), ``views``/``urls`` (the ``/o/``
endpoints), ``backchannel`` (OpenID Connect Back-Channel Logout), ``selectors`` (access policy,
roles, subjects), ``services`` (role changes, sign-ins), ``metrics`` (counters), ``admin``.
"""
