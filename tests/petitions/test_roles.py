"""Petitions roles: the data migration from model permissions, and the task names services
enqueue by."""

import importlib
from types import SimpleNamespace

import pytest
from celery import current_app
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import connection

from accounts import authz
from accounts.models import RoleAssignment
from core.models import Organization
from petitions import constants, roles

pytestmark = pytest.mark.django_db

migration = importlib.import_module("petitions.migrations.0006_permissions_to_roles")
EDITOR = SimpleNamespace(connection=connection)


def _held(user):
    return set(
        RoleAssignment.objects.filter(user=user, role__code__startswith="petitions.").values_list(
            "role__code", "scope__code"
        )
    )


def test_permission_holders_become_role_holders_in_their_unit_and_back(make_user):
    reader = make_user(username="reader")  # in IM
    reader.user_permissions.add(Permission.objects.get(codename="view_petition"))
    clerk = make_user(username="clerk", organization=Organization.objects.get(code="BLI"))
    group = Group.objects.create(name="petition staff")
    group.permissions.add(Permission.objects.get(codename="change_petition"))
    clerk.groups.add(group)
    nobody = make_user(username="nobody", organization=None)
    nobody.user_permissions.add(Permission.objects.get(codename="view_petition"))
    boss = make_user(username="boss", is_superuser=True)
    boss.user_permissions.add(Permission.objects.get(codename="change_petition"))

    migration.permissions_to_roles(apps, EDITOR)
    migration.permissions_to_roles(apps, EDITOR)  # twice: nothing more

    assert _held(reader) == {(roles.VIEWER, "IM")}
    assert _held(clerk) == {
        (roles.HANDLER, "BLI"),
        (roles.SUPERVISOR, "BLI"),
        (roles.DISPATCHER, "BLI"),
    }
    assert _held(nobody) == {(roles.VIEWER, None)}
    assert _held(boss) == set()
    assert authz.has_role(clerk, roles.HANDLER, Organization.objects.get(code="BLI"), fresh=True)

    migration.roles_to_permissions(apps, EDITOR)
    assert _held(reader) == _held(clerk) == _held(nobody) == set()


def test_every_task_name_services_enqueue_is_registered():
    names = [v for k, v in vars(constants).items() if k.startswith("TASK_")]
    assert names and all(name in current_app.tasks for name in names)
