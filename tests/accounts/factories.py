"""factory_boy factories for people, units and roles, shared by every app's tests.

``UserFactory()`` makes an active user in the IM unit (資訊處) whose password is
``PASSWORD`` (hashed once per test session; tests that only sign in with ``force_login`` may
pass ``password=None`` to skip hashing). ``OrganizationFactory(parent=...)`` adds a unit to
the reference tree loaded by the migrations. ``RoleFactory`` makes a portal-wide role
(``application`` empty, code ``"<app>.<name>"``); ``RoleAssignmentFactory(user=..., role=...,
scope=unit)`` grants it in a unit (and, by default, the units below it).
"""

import functools

import factory
from django.contrib.auth.hashers import make_password

from accounts.models import Role, RoleAssignment, User
from core.choices import OrganizationKind
from core.models import Organization

PASSWORD = "correct-horse-battery-9"


@functools.cache
def _password_hash() -> str:
    return make_password(PASSWORD)


def unit(code: str = "IM") -> Organization:
    """A unit of the reference tree by its code (IM: 資訊處, BLI: 勞工保險局, ...)."""
    return Organization.objects.get(code=code)


class OrganizationFactory(factory.django.DjangoModelFactory):
    """A unit under ``parent`` (default: the IM unit)."""

    class Meta:
        model = Organization
        django_get_or_create = ("code",)

    parent = factory.LazyFunction(unit)
    kind = OrganizationKind.SECTION
    code = factory.Sequence(lambda n: f"T{n:03d}")
    name_zh = factory.Sequence(lambda n: f"測試科{n}")
    name_en = factory.Sequence(lambda n: f"Test section {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    employee_number = factory.Sequence(lambda n: f"T{n:05d}")
    name_zh = factory.Sequence(lambda n: f"測試員{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.gov.tw")
    organization = factory.LazyFunction(unit)
    password = factory.LazyFunction(_password_hash)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if kwargs.get("password") is None:
            kwargs["password"] = "!"  # unusable: force_login only
        return super()._create(model_class, *args, **kwargs)


class RoleFactory(factory.django.DjangoModelFactory):
    """A portal-wide role."""

    class Meta:
        model = Role
        django_get_or_create = ("code",)

    application = None
    code = factory.Sequence(lambda n: f"tests.role_{n}")
    name_zh = factory.Sequence(lambda n: f"測試角色{n}")
    name_en = factory.Sequence(lambda n: f"Test role {n}")


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    """``user`` holds ``role`` in ``scope`` (None: everywhere) and the units below it."""

    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = factory.SubFactory(RoleFactory)
    scope = None
    include_subunits = True
