"""Password hashing for people's passwords.

Django's Argon2 defaults (102,400 KiB, 2 passes, 8 lanes) cost about 0.2 s of CPU per login on
a 2-core server, which caps password logins near 5 per second per core. OWASP's password storage
guidance gives Argon2id with 19 MiB of memory, 2 passes and 1 lane as its baseline; we use that
by default (about 50 logins per second per core here) and let a ministry raise it through the
environment. Existing hashes keep verifying; they are re-hashed with the current parameters at
the next successful login (Django's ``must_update``).
"""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class TunedArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with parameters from settings (ARGON2_MEMORY_KIB, ARGON2_TIME_COST,
    ARGON2_PARALLELISM)."""

    @property
    def memory_cost(self):
        return settings.ARGON2_MEMORY_KIB

    @property
    def time_cost(self):
        return settings.ARGON2_TIME_COST

    @property
    def parallelism(self):
        return settings.ARGON2_PARALLELISM
