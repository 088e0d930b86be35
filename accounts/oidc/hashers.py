"""How OAuth2 client secrets are stored.

django-oauth-toolkit hashes client secrets with ``CLIENT_SECRET_HASHER``, whose default is the
first entry of ``PASSWORD_HASHERS``: Argon2 with Django's parameters (100 MiB, 2 passes,
8 lanes), about 0.3-0.4 s per check on our machines. Every token request, introspection and
rights-API call with a secret pays that check, which would cap a core at a few requests per
second.

Key stretching protects *low-entropy* secrets (passwords people choose). Client secrets here
are generated: 128 characters drawn from 62 letters and digits (about 760 bits), and the admin
refuses hand-typed secrets shorter than ``MIN_CLIENT_SECRET_LENGTH``. Nobody brute-forces such
a secret from its hash, however cheap the hash. So client secrets are stored with salted
PBKDF2-SHA256 at a small iteration count: still a one-way, salted, constant-time-compared hash
(a leaked database reveals no secret), at about 0.05 ms per check. User passwords keep Argon2:
this hasher is appended at the *end* of ``PASSWORD_HASHERS``, so it is never the default.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher

MIN_CLIENT_SECRET_LENGTH = 40


class ClientSecretHasher(PBKDF2PasswordHasher):
    """Salted PBKDF2-SHA256 for generated, high-entropy OAuth2 client secrets only."""

    algorithm = "pbkdf2_sha256_client"
    iterations = 100

    def must_update(self, encoded):
        # Never ask to re-hash with the (user-password) default hasher.
        return False
