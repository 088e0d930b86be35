"""The embedded default's data folder, prepared by the launchers, never by loading settings.

Loading ``mol_portal.settings`` only reads. Each entry point that serves or manages (``manage.py``,
``wsgi.py``, ``asgi.py``) calls :func:`prepare` first; it creates, once, what the embedded
default keeps in ``DATA_DIR``:

- ``secret_key``: a random key (mode 0600) used when no usable ``SECRET_KEY`` is set and the
  portal runs embedded or with DEBUG on, so sessions survive a restart;
- the static root that WhiteNoise serves from when there is no collectstatic step.

Production (``DATABASE_URL`` set, DEBUG off) never gets here: settings refuse a missing key.
"""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSECURE_KEYS = frozenset({"", "change-me", "changeme", "secret", "django-insecure"})
TRUE = frozenset({"1", "true", "yes", "on"})


def data_dir(environ=os.environ) -> Path:
    return Path(environ.get("DATA_DIR") or BASE_DIR / "var")


def is_insecure(key: str) -> bool:
    return key in INSECURE_KEYS or key.startswith("django-insecure")


def generated_key_file(environ=os.environ) -> Path | None:
    """Where the generated key lives, or None when this configuration must not use one.

    Only the environment is read: ``SECRET_KEY``/``SECRET_KEY_FILE`` set to a usable key, or
    production without DEBUG, give None."""
    key = environ.get("SECRET_KEY", "").strip()
    if not key and environ.get("SECRET_KEY_FILE"):
        key = Path(environ["SECRET_KEY_FILE"]).read_text(encoding="utf-8").strip()
    if not is_insecure(key):
        return None
    embedded = not environ.get("DATABASE_URL", "").strip()
    debug = environ.get("DJANGO_DEBUG", "").strip().lower() in TRUE
    return data_dir(environ) / "secret_key" if (embedded or debug) else None


def static_root(environ=os.environ) -> Path:
    return Path(environ.get("STATIC_ROOT") or data_dir(environ) / "staticfiles")


def prepare(environ=os.environ) -> None:
    """Create the generated key and the static root if they are missing (idempotent)."""
    key_file = generated_key_file(environ)
    if key_file is not None and not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once keep the first key, neither overwrites it.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(50))
    try:
        static_root(environ).mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only location: WhiteNoise then warns once, nothing breaks
        pass
