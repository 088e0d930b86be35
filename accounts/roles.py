"""Portal-wide roles declared as data, and their sync into ``accounts.Role``.

Each app that checks roles declares them in ``<app>/roles.py``::

    from accounts.roles import RoleSpec

    ROLES = [
        RoleSpec(
            code="petitions.handler",
            name_zh="陳情案件承辦人",
            name_en="Petition handler",
            description="Handles the petitions of the units the role covers.",
            sensitive=False,
        ),
    ]

After every ``migrate`` (so fresh databases and test databases have them) a ``post_migrate``
handler of accounts (``roles_sync_after_migrate``, connected in ``AccountsConfig.ready``) writes
every installed app's ``ROLES`` into ``Role`` rows with ``application`` empty: a missing row is
created, names, description and the sensitive flag are updated to the declaration, and a role no
longer declared is never deleted (assignments may still point at it; an administrator retires
it). A code must start with its app's label and a dot (``"petitions."`` for ``petitions``).

Accounts itself checks no portal-wide role, so its own ``ROLES`` is empty.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from dataclasses import dataclass

from django.apps import apps as global_apps
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoleSpec:
    """One portal-wide role: ``code`` is ``"<app>.<name>"``."""

    code: str
    name_zh: str
    name_en: str = ""
    description: str = ""
    sensitive: bool = False


ROLES: list[RoleSpec] = []


def declared_roles(app_configs=None) -> list[RoleSpec]:
    """Every ``ROLES`` entry of the installed apps' ``roles.py`` modules, in app order.

    Raises ``ImproperlyConfigured`` for a code outside its app's namespace or declared twice.
    """
    specs: list[RoleSpec] = []
    seen: dict[str, str] = {}
    if app_configs is None:
        app_configs = global_apps.get_app_configs()
    for app_config in app_configs:
        module_name = f"{app_config.name}.roles"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        for spec in getattr(module, "ROLES", []):
            if not spec.code.startswith(f"{app_config.label}."):
                raise ImproperlyConfigured(
                    f"{module_name}: role code {spec.code!r} must start with "
                    f"{app_config.label!r} and a dot."
                )
            if spec.code in seen:
                raise ImproperlyConfigured(
                    f"{module_name}: role code {spec.code!r} is also declared by {seen[spec.code]}."
                )
            seen[spec.code] = module_name
            specs.append(spec)
    return specs


def roles_sync(
    *, specs: list[RoleSpec], role_model=None, using: str = "default"
) -> tuple[int, int]:
    """Create or update one portal-wide ``Role`` per spec; never delete. Returns
    ``(created, updated)``. ``role_model`` is the (historical) model to write through; the
    current one by default."""
    if role_model is None:
        role_model = global_apps.get_model("accounts", "Role")
    created = updated = 0
    existing = {
        role.code: role
        for role in role_model.objects.using(using).filter(
            application__isnull=True, code__in=[s.code for s in specs]
        )
    }
    for spec in specs:
        wanted = {
            "name_zh": spec.name_zh,
            "name_en": spec.name_en,
            "description": spec.description,
            "is_sensitive": spec.sensitive,
        }
        role = existing.get(spec.code)
        if role is None:
            role_model.objects.using(using).create(application=None, code=spec.code, **wanted)
            created += 1
            continue
        changed = [name for name, value in wanted.items() if getattr(role, name) != value]
        if changed:
            for name in changed:
                setattr(role, name, wanted[name])
            role.save(using=using, update_fields=changed)
            updated += 1
    return created, updated


def roles_sync_after_migrate(sender, *, apps=None, using="default", verbosity=1, **kwargs):
    """``post_migrate`` receiver: sync the declared roles through the migrated state's model
    (skipped when that state has no ``Role``, e.g. after migrating accounts to zero)."""
    try:
        role_model = (apps or global_apps).get_model("accounts", "Role")
    except LookupError:
        return
    created, updated = roles_sync(specs=declared_roles(), role_model=role_model, using=using)
    if verbosity >= 2 and (created or updated):
        logger.info("Portal-wide roles: %d created, %d updated.", created, updated)
