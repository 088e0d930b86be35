"""The MFA part of the single sign-on: local password policy and lockout, second factor (TOTP
and backup codes), client-certificate login, the login steps and sessions.

Modules: ``selectors`` (reads: who needs a second factor, sessions, tokens), ``services``
(writes: devices, backup codes, passwords, lockouts, session records), ``flow`` (the login
steps kept in the session between the first and the second factor), ``certificates``
(parsing the proxy's header, the authentication backend, registering a certificate),
``passwords`` (the history validator), ``receivers`` (audit of lockouts, session records on
logout). Its admin is in ``accounts/admin/`` (``users``, ``security``); the launcher is
``accounts.launcher`` (writes) and ``accounts.selectors`` (reads).
"""
