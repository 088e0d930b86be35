"""Who could read or act on petitions through Django permissions now holds petitions roles.

Before: ``petitions.view_petition`` (directly or through a group) let one read every case;
``petitions.change_petition`` let one act on every case and use the unmatched-mail queue.
After (``petitions/roles.py``): a holder of ``view_petition`` gets ``petitions.viewer``, a
holder of ``change_petition`` gets ``petitions.handler``, ``petitions.supervisor`` and
``petitions.dispatcher``, each limited to the holder's own unit with its sub-units (every unit
when the holder has no unit). Superusers need no role. The permissions stay: they now only
gate the Django admin.

The reverse removes the assignments that the forward step would create (same user, role and
unit), whoever created them.
"""

from django.db import migrations
from django.db.models import Q

from accounts.roles import roles_sync
from petitions.roles import DISPATCHER, HANDLER, ROLES, SUPERVISOR, VIEWER

MAPPING = {
    "view_petition": [VIEWER],
    "change_petition": [HANDLER, SUPERVISOR, DISPATCHER],
}


def _planned(apps):
    """``(user id, role code, unit id or None)`` for every permission holder."""
    Permission = apps.get_model("auth", "Permission")
    User = apps.get_model("accounts", "User")
    planned = set()
    for codename, codes in MAPPING.items():
        permission = Permission.objects.filter(
            content_type__app_label="petitions", codename=codename
        ).first()
        if permission is None:
            continue
        holders = (
            User.objects.filter(
                Q(user_permissions=permission) | Q(groups__permissions=permission),
                is_superuser=False,
            )
            .distinct()
            .values_list("pk", "organization_id")
        )
        for user_id, unit_id in holders:
            planned.update((user_id, code, unit_id) for code in codes)
    return planned


def permissions_to_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    roles_sync(specs=ROLES, role_model=Role, using=schema_editor.connection.alias)
    roles = {
        r.code: r
        for r in Role.objects.filter(
            application__isnull=True,
            code__in=list({c for codes in MAPPING.values() for c in codes}),
        )
    }
    for user_id, code, unit_id in sorted(_planned(apps), key=str):
        RoleAssignment.objects.get_or_create(
            user_id=user_id,
            role=roles[code],
            scope_id=unit_id,
            defaults={"source": "manual", "include_subunits": True},
        )


def roles_to_permissions(apps, schema_editor):
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    for user_id, code, unit_id in _planned(apps):
        RoleAssignment.objects.filter(
            user_id=user_id, role__code=code, role__application__isnull=True, scope_id=unit_id
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_authz_roles_unit_officers"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("petitions", "0005_case_numbers_from_core_sequences"),
    ]

    operations = [migrations.RunPython(permissions_to_roles, roles_to_permissions)]
