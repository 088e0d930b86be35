"""Rotate the OpenID Connect signing key (see accounts/oidc/keys.py for the file layout)."""

import os
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from oauth2_provider.settings import oauth2_settings

from core.choices import AuditAction
from core.services import audit_record

from ...oidc.keys import KeyConfigurationError, key_files, retire_keys, rotate_keys


def longest_token_lifetime() -> timedelta:
    """The longest a token signed (or backed) by a key can still be presented: ID tokens,
    access tokens and refresh tokens alike (an application may send an old ID token as
    ``id_token_hint`` for as long as its refresh token keeps its session alive)."""
    seconds = [
        oauth2_settings.ID_TOKEN_EXPIRE_SECONDS or 0,
        oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS or 0,
        oauth2_settings.REFRESH_TOKEN_EXPIRE_SECONDS or 0,
    ]
    return timedelta(seconds=max(int(s) for s in seconds))


class Command(BaseCommand):
    help = (
        "Add a new OpenID Connect signing key and make it the one that signs; keep the previous "
        "keys published in the JWKS; delete keys whose successor has signed for longer than the "
        "longest token lifetime. Restart the web and worker processes afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--retire-only",
            action="store_true",
            help="Only delete the keys that are past their time; add no key.",
        )
        parser.add_argument(
            "--list",
            action="store_true",
            dest="list_keys",
            help="List the keys and change nothing.",
        )

    def handle(self, *args, retire_only=False, list_keys=False, **options):
        keys_dir = settings.OIDC_KEYS_DIR
        managed_by_env = any(
            os.environ.get(name) for name in ("OIDC_RSA_PRIVATE_KEY", "OIDC_RSA_PRIVATE_KEY_FILE")
        )
        if managed_by_env and not list_keys:
            raise CommandError(
                "The signing key comes from OIDC_RSA_PRIVATE_KEY(_FILE): rotate it there (new key "
                "in the secret, the old one appended to OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILE, "
                "restart). This command manages OIDC_KEYS_DIR only."
            )
        lifetime = longest_token_lifetime()
        now = timezone.now()
        if list_keys:
            self._list(keys_dir, now, lifetime)
            return
        try:
            if retire_only:
                result = retire_keys(keys_dir, now=now, max_token_lifetime=lifetime)
            else:
                result = rotate_keys(keys_dir, now=now, max_token_lifetime=lifetime)
        except KeyConfigurationError as exc:
            raise CommandError(str(exc)) from exc
        if result.added is not None:
            self.stdout.write(f"new signing key {result.added.kid} ({result.added.path.name})")
        for retired in result.retired:
            self.stdout.write(f"retired {retired.path.name}")
        self.stdout.write(
            f"{len(result.kept)} key(s) published in the JWKS; tokens live up to {lifetime}. "
            "Restart the web and worker processes to use the new key."
        )
        audit_record(
            action=AuditAction.OTHER,
            actor_repr="manage.py oidc_rotate_key",
            message=(
                f"oidc.key_rotated added={result.added.kid if result.added else '-'} "
                f"retired={len(result.retired)} published={len(result.kept)}"
            ),
        )

    def _list(self, keys_dir, now, lifetime):
        files = key_files(keys_dir)
        if not files:
            self.stdout.write(f"no keys in {keys_dir}")
            return
        for index, key in enumerate(files):
            if index == len(files) - 1:
                state = "signing"
            else:
                retire_at = files[index + 1].activated_at + lifetime
                state = f"published, retire after {retire_at:%Y-%m-%d %H:%M:%S}Z"
            self.stdout.write(f"{key.path.name}  kid={key.kid}  {state}")
