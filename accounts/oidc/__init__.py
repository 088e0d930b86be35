"""OpenID Connect provider of the portal, built on django-oauth-toolkit.

Modules: ``keys`` (signing keys and their rotation; imported by settings, so it imports no
Django models), ``validators`` (claims, key look-up by ``kid``, token events), ``views``/``urls``
(the ``/o/`` endpoints), ``backchannel`` and ``tasks`` (OpenID Connect Back-Channel Logout),
``selectors`` (access policy, roles, subjects, introspection), ``services`` (role changes,
sign-ins, audit), ``clients`` (client authentication and the cache of registered clients),
``fastcache`` (the cache on hot paths), ``metrics`` (counters), ``hashers`` (client secrets),
``receivers`` (signals), ``demo``. Its models are in ``accounts/models/oidc.py``, its admin
in ``accounts/admin/oidc.py``, the rights API in ``accounts/api/``. See
accounts/README.md, "OpenID Connect provider" and "Rights API".
"""
