"""Signing keys of the OpenID Connect provider, and their rotation.

Imported by ``mol_portal/settings.py`` (so it imports nothing from Django's models), which
calls ``signing_keys_setting``: loading the settings reads configured key material but writes
nothing. In directory mode the keys are read, and the first one generated, on first use (the
first token signed or JWKS served, or ``manage.py oidc_rotate_key``), once per process.

Where the keys come from, first match wins:

1. ``OIDC_RSA_PRIVATE_KEY`` (the PEM itself) or ``OIDC_RSA_PRIVATE_KEY_FILE`` (a path, e.g. a
   Docker secret): the signing key. Previous keys that must still verify go, as concatenated
   PEM blocks, in the file named by ``OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILE``. Rotation is then
   the operator's job (new secret, old one moved to the inactive file, restart).
2. Otherwise the key directory ``OIDC_KEYS_DIR`` (default ``DATA_DIR/oidc``), managed by
   ``manage.py oidc_rotate_key``. When it holds no key, one is generated on first use.

Key directory layout (directory mode 0700, every file 0600)::

    OIDC_KEYS_DIR/
      signing-20261103T020000Z-3f9c1a7b.pem   <- oldest: published in the JWKS, verifies only
      signing-20261201T020000Z-a1b2c3d4.pem   <- newest: signs ID tokens and logout tokens
      .lock                                   <- serialises generation between processes

One RSA private key (PKCS#8 PEM, 2048 bits) per file. The timestamp in the name is when the key
became the signing key (UTC). The newest file signs; every older file is published in the JWKS
so tokens it signed keep verifying. A key is retired (its file deleted) once the key after it
has been signing for longer than the longest token lifetime: by then nothing it signed is still
valid. Processes read the directory when they start, so restart the web and worker processes
after a rotation.
"""

from __future__ import annotations

import fcntl
import functools
import logging
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils.functional import lazy
from jwcrypto import jwk

logger = logging.getLogger("accounts.oidc.keys")

KEY_FILE_PATTERN = re.compile(r"^signing-(\d{8}T\d{6}Z)-([0-9a-f]{8})\.pem$")
PEM_BLOCK = re.compile(
    r"-----BEGIN (?:RSA )?PRIVATE KEY-----.+?-----END (?:RSA )?PRIVATE KEY-----", re.DOTALL
)
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
RSA_KEY_BITS = 2048


class KeyConfigurationError(Exception):
    """The configured key material cannot be used."""


@dataclass
class KeyFile:
    path: Path
    activated_at: datetime
    _kid: str = ""

    @property
    def pem(self) -> str:
        return self.path.read_text(encoding="ascii")

    @property
    def kid(self) -> str:
        if not self._kid:
            self._kid = key_id(self.pem)
        return self._kid


def generate_private_key_pem() -> str:
    """A new RSA private key as PKCS#8 PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode("ascii")


def key_id(pem: str) -> str:
    """The ``kid`` published in the JWKS: the RFC 7638 thumbprint, as django-oauth-toolkit
    computes it."""
    return jwk.JWK.from_pem(pem.encode("ascii")).thumbprint()


def split_pem_blocks(text: str) -> list[str]:
    return [block.strip() + "\n" for block in PEM_BLOCK.findall(text or "")]


def key_files(keys_dir: Path) -> list[KeyFile]:
    """The key files of ``keys_dir``, oldest first."""
    if not keys_dir.is_dir():
        return []
    found = []
    for path in keys_dir.iterdir():
        match = KEY_FILE_PATTERN.match(path.name)
        if match:
            activated = datetime.strptime(match.group(1), TIMESTAMP_FORMAT).replace(tzinfo=UTC)
            found.append(KeyFile(path=path, activated_at=activated))
    return sorted(found, key=lambda k: (k.activated_at, k.path.name))


def _ensure_dir(keys_dir: Path) -> None:
    keys_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(keys_dir, 0o700)


def _write_key(keys_dir: Path, pem: str, now: datetime) -> KeyFile:
    stamp = now.astimezone(UTC).strftime(TIMESTAMP_FORMAT)
    path = keys_dir / f"signing-{stamp}-{secrets.token_hex(4)}.pem"
    # O_EXCL + 0600 from the start: the key is never readable by others, not even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(pem)
    activated = datetime.strptime(stamp, TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    return KeyFile(path=path, activated_at=activated)


class _DirectoryLock:
    """An exclusive lock on ``keys_dir/.lock`` so two processes never generate at once."""

    def __init__(self, keys_dir: Path):
        self.path = keys_dir / ".lock"

    def __enter__(self):
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        self.handle = os.fdopen(fd, "r+")
        fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def ensure_key(keys_dir: Path, *, now: datetime | None = None) -> list[KeyFile]:
    """The keys of ``keys_dir``, generating the first one when there is none."""
    existing = key_files(keys_dir)
    if existing:
        return existing
    _ensure_dir(keys_dir)
    with _DirectoryLock(keys_dir):
        existing = key_files(keys_dir)  # another process may have won the race
        if existing:
            return existing
        created = _write_key(keys_dir, generate_private_key_pem(), now or datetime.now(UTC))
        logger.warning("OpenID Connect: generated a new signing key %s", created.path)
        return [created]


def load_signing_keys(
    *,
    pem: str = "",
    pem_file: str = "",
    inactive_file: str = "",
    keys_dir: Path,
    generate: bool = True,
) -> tuple[str, list[str]]:
    """(signing key PEM, [published-only key PEMs]) from the environment or the directory."""
    pem = (pem or "").strip()
    if not pem and pem_file:
        try:
            pem = Path(pem_file).read_text(encoding="ascii").strip()
        except OSError as exc:
            raise KeyConfigurationError(
                f"OIDC_RSA_PRIVATE_KEY_FILE {pem_file!r} cannot be read: {exc}"
            ) from exc
    if pem:
        blocks = split_pem_blocks(pem)
        if len(blocks) != 1:
            raise KeyConfigurationError(
                "OIDC_RSA_PRIVATE_KEY must hold exactly one PEM private key."
            )
        inactive: list[str] = []
        if inactive_file:
            try:
                inactive = split_pem_blocks(Path(inactive_file).read_text(encoding="ascii"))
            except OSError as exc:
                raise KeyConfigurationError(
                    f"OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILE {inactive_file!r} cannot be read: {exc}"
                ) from exc
        return blocks[0], inactive
    files = ensure_key(keys_dir) if generate else key_files(keys_dir)
    if not files:
        return "", []
    pems = [f.pem for f in files]
    return pems[-1], list(reversed(pems[:-1]))


@functools.cache
def _directory_keys(keys_dir: Path) -> tuple[str, tuple[str, ...]]:
    active, published = load_signing_keys(keys_dir=keys_dir)
    return active, tuple(published)


def signing_keys_setting(
    *, pem: str = "", pem_file: str = "", inactive_file: str = "", keys_dir: Path
) -> tuple[str, list[str]]:
    """The values of OAUTH2_PROVIDER's OIDC_RSA_PRIVATE_KEY and OIDC_RSA_PRIVATE_KEYS_INACTIVE,
    without side effects.

    A key given by the environment (``pem`` or ``pem_file``) is read and checked now, so a bad
    one stops start-up. Otherwise both values are lazy: the key directory is read on first use
    (generating the first key when it is empty) and kept for the life of the process, as the
    eager read at start was before (restart after ``oidc_rotate_key``).
    """
    if (pem or "").strip() or pem_file:
        return load_signing_keys(pem=pem, pem_file=pem_file, inactive_file=inactive_file,
                                 keys_dir=keys_dir)  # fmt: skip
    active = lazy(lambda: _directory_keys(Path(keys_dir))[0], str)()
    published = lazy(lambda: list(_directory_keys(Path(keys_dir))[1]), list)()
    return active, published


@dataclass
class RotationResult:
    added: KeyFile | None
    retired: list[KeyFile]
    kept: list[KeyFile]


def retire_keys(keys_dir: Path, *, now: datetime, max_token_lifetime: timedelta) -> RotationResult:
    """Delete every key whose successor has been signing for longer than the longest token
    lifetime. The newest key is never retired."""
    files = key_files(keys_dir)
    retired = []
    for older, newer in zip(files, files[1:], strict=False):
        if now >= newer.activated_at + max_token_lifetime:
            _ = older.kid  # remembered for the report before the file goes
            older.path.unlink()
            retired.append(older)
    kept = [f for f in files if all(f.path != r.path for r in retired)]
    return RotationResult(added=None, retired=retired, kept=kept)


def rotate_keys(keys_dir: Path, *, now: datetime, max_token_lifetime: timedelta) -> RotationResult:
    """Add a new signing key, keep the previous ones published, retire the expired ones."""
    _ensure_dir(keys_dir)
    with _DirectoryLock(keys_dir):
        previous = key_files(keys_dir)
        if previous and previous[-1].activated_at >= now.replace(microsecond=0):
            raise KeyConfigurationError(
                "The newest key was made this very second; wait a second and rotate again."
            )
        added = _write_key(keys_dir, generate_private_key_pem(), now)
        result = retire_keys(keys_dir, now=now, max_token_lifetime=max_token_lifetime)
    result.added = added
    return result
