"""accounts.authz: roles in units, sub-units, validity, superusers, querysets, unit officers,
and the role declarations synced after migrate."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.sql import emit_post_migrate_signal
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from freezegun import freeze_time

from accounts import authz, roles
from accounts.choices import UnitOfficerKind, UnitOfficerSource
from accounts.models import Application, Role, RoleAssignment, UnitOfficer, User
from accounts.oidc.services import role_assign, role_remove
from accounts.roles import RoleSpec
from core.models import Organization

pytestmark = pytest.mark.django_db

HANDLER = "sample_app.clerk"


@pytest.fixture
def tree(db):
    """ROOT > A > A1 > A1X, and ROOT > B."""

    def unit(code, parent=None):
        return Organization.objects.create(
            code=code, name_zh=code, name_en=code, kind="section", parent=parent
        )

    root = unit("T-ROOT")
    a = unit("T-A", root)
    a1 = unit("T-A1", a)
    a1x = unit("T-A1X", a1)
    b = unit("T-B", root)
    return SimpleNamespace(root=root, a=a, a1=a1, a1x=a1x, b=b)


@pytest.fixture
def role(db):
    found, _ = Role.objects.get_or_create(
        application=None, code=HANDLER, defaults={"name_zh": "承辦人"}
    )
    return found


def grant(user, role, scope=None, **kwargs):
    return RoleAssignment.objects.create(user=user, role=role, scope=scope, **kwargs)


def test_unscoped_role_covers_every_unit(make_user, role, tree):
    user = make_user()
    grant(user, role)
    assert authz.has_role(user, HANDLER)
    assert authz.has_role(user, HANDLER, unit=tree.b)
    assert authz.has_role(user, role, unit=tree.a1x.pk)


def test_scoped_role_covers_its_unit_and_every_unit_below(make_user, role, tree):
    user = make_user()
    grant(user, role, tree.a)
    assert authz.has_role(user, HANDLER)
    assert authz.has_role(user, HANDLER, unit=tree.a)
    assert authz.has_role(user, HANDLER, unit=tree.a1x)
    assert not authz.has_role(user, HANDLER, unit=tree.root)
    assert not authz.has_role(user, HANDLER, unit=tree.b)


def test_scoped_role_without_subunits_covers_only_its_unit(make_user, role, tree):
    user = make_user()
    grant(user, role, tree.a, include_subunits=False)
    assert authz.has_role(user, HANDLER, unit=tree.a)
    assert not authz.has_role(user, HANDLER, unit=tree.a1)
    assert authz.units_where(user, HANDLER) == frozenset({tree.a.pk})


def test_role_not_held_is_false(make_user, role, tree):
    user = make_user()
    assert not authz.has_role(user, HANDLER)
    assert not authz.has_role(user, HANDLER, unit=tree.a)
    assert authz.units_where(user, HANDLER) == frozenset()


def test_application_role_with_the_same_code_does_not_count(make_user, tree):
    app = Application.objects.create(
        name="X", client_type="confidential", authorization_grant_type="authorization-code"
    )
    app_role = Role.objects.create(application=app, code="clerk", name_zh="X")
    user = make_user()
    grant(user, app_role)
    assert not authz.has_role(user, "clerk")


@freeze_time("2026-12-01 17:00:00")  # UTC; already 2 December in Taipei
def test_assignment_counts_through_its_last_day_in_taipei(make_user, role, tree):
    today_taipei = date(2026, 12, 2)
    valid = make_user()
    grant(valid, role, valid_until=today_taipei)
    expired = make_user()
    grant(expired, role, valid_until=today_taipei - timedelta(days=1))
    assert authz.has_role(valid, HANDLER, unit=tree.a)
    assert not authz.has_role(expired, HANDLER)
    assert not authz.has_role(expired, HANDLER, unit=tree.a)
    assert list(authz.role_holders(HANDLER, tree.a)) == [valid]


def test_superuser_holds_every_role_everywhere(make_user, tree):
    boss = make_user(is_superuser=True)
    assert authz.has_role(boss, HANDLER, unit=tree.b)
    assert authz.units_where(boss, HANDLER) == frozenset(
        Organization.objects.values_list("pk", flat=True)
    )
    assert authz.scope_q(boss, HANDLER) == Q(pk__isnull=False)


def test_inactive_and_anonymous_users_hold_nothing(make_user, role, tree):
    gone = make_user(is_active=False)
    grant(gone, role)
    retired_boss = make_user(is_superuser=True, is_active=False)
    for user in (gone, retired_boss, AnonymousUser(), None):
        assert not authz.has_role(user, HANDLER)
        assert authz.units_where(user, HANDLER) == frozenset()
        assert authz.scope_q(user, HANDLER) == Q(pk__in=[])


def test_units_where_merges_scopes_and_expands_subtrees(make_user, role, tree):
    user = make_user()
    grant(user, role, tree.a1)
    grant(user, role, tree.b, include_subunits=False)
    assert authz.units_where(user, HANDLER) == frozenset({tree.a1.pk, tree.a1x.pk, tree.b.pk})


def test_units_where_of_an_unscoped_role_is_every_unit(make_user, role, tree):
    user = make_user()
    grant(user, role, tree.a)
    grant(user, role)
    assert authz.units_where(user, HANDLER) == frozenset(
        Organization.objects.values_list("pk", flat=True)
    )


def test_scope_q_filters_a_queryset_to_the_covered_units(make_user, role, tree):
    clerk = make_user(organization=tree.root)
    grant(clerk, role, tree.a)
    in_a1 = make_user(organization=tree.a1)
    in_b = make_user(organization=tree.b)
    people = User.objects.filter(pk__in=[clerk.pk, in_a1.pk, in_b.pk])
    assert set(people.filter(authz.scope_q(clerk, HANDLER, field="organization"))) == {in_a1}
    # composition: covered units OR oneself
    either = authz.scope_q(clerk, HANDLER, field="organization") | Q(pk=clerk.pk)
    assert set(people.filter(either)) == {in_a1, clerk}
    both = authz.scope_q(clerk, HANDLER, field="organization") & Q(pk=in_b.pk)
    assert not people.filter(both).exists()


def test_scope_q_everywhere_and_nowhere_compose_as_all_and_none(make_user, role, tree):
    everywhere = make_user()
    grant(everywhere, role)
    nobody = make_user()
    other = make_user(organization=tree.b)
    people = User.objects.filter(pk__in=[everywhere.pk, nobody.pk, other.pk])
    all_q = authz.scope_q(everywhere, HANDLER, field="organization")
    none_q = authz.scope_q(nobody, HANDLER, field="organization")
    assert people.filter(all_q).count() == 3
    assert set(people.filter(all_q & Q(pk=other.pk))) == {other}
    assert set(people.filter(all_q | Q(pk=other.pk))) == {everywhere, nobody, other}
    assert not people.filter(none_q).exists()
    assert set(people.filter(none_q | Q(pk=nobody.pk))) == {nobody}
    assert not people.filter(none_q & Q(pk=nobody.pk)).exists()


def test_role_holders_are_the_people_the_role_covers_for_a_unit(make_user, role, tree):
    everywhere = make_user(username="a-everywhere")
    grant(everywhere, role)
    above = make_user(username="b-above")
    grant(above, role, tree.a)
    above_only = make_user(username="c-above-only")
    grant(above_only, role, tree.a, include_subunits=False)
    exact_only = make_user(username="d-exact")
    grant(exact_only, role, tree.a1, include_subunits=False)
    elsewhere = make_user(username="e-elsewhere")
    grant(elsewhere, role, tree.b)
    inactive = make_user(username="f-inactive", is_active=False)
    grant(inactive, role)
    make_user(username="g-superuser", is_superuser=True)
    assert list(authz.role_holders(HANDLER, tree.a1)) == [everywhere, above, exact_only]
    assert list(authz.role_holders(HANDLER, tree.a)) == [everywhere, above, above_only]
    assert list(authz.role_holders(role, tree.b.pk)) == [everywhere, elsewhere]
    assert set(authz.role_holders(HANDLER)) == {
        everywhere,
        above,
        above_only,
        exact_only,
        elsewhere,
    }


def test_unit_head_and_deputies_in_order(make_user, tree):
    head = make_user()
    first, second = make_user(), make_user()
    UnitOfficer.objects.create(unit=tree.a, user=second, kind=UnitOfficerKind.DEPUTY, sort_order=2)
    UnitOfficer.objects.create(unit=tree.a, user=head, kind=UnitOfficerKind.HEAD)
    UnitOfficer.objects.create(unit=tree.a, user=first, kind=UnitOfficerKind.DEPUTY, sort_order=1)
    assert authz.unit_head(tree.a) == head
    assert authz.unit_deputies(tree.a) == [first, second]
    assert authz.unit_officers(tree.a.pk) == [head, first, second]
    assert authz.is_unit_officer(first, tree.a)
    assert not authz.is_unit_officer(first, tree.a1)
    assert authz.unit_head(tree.b) is None
    assert authz.unit_officers(tree.b) == []


def test_inactive_officers_are_not_returned(make_user, tree):
    head = make_user(is_active=False)
    deputy = make_user(is_active=False)
    UnitOfficer.objects.create(unit=tree.a, user=head, kind=UnitOfficerKind.HEAD)
    UnitOfficer.objects.create(unit=tree.a, user=deputy, kind=UnitOfficerKind.DEPUTY)
    assert authz.unit_head(tree.a) is None
    assert authz.unit_deputies(tree.a) == []
    assert not authz.is_unit_officer(deputy, tree.a)


def test_a_unit_has_at_most_one_head(make_user, tree):
    UnitOfficer.objects.create(unit=tree.a, user=make_user(), kind=UnitOfficerKind.HEAD)
    second = UnitOfficer(
        unit=tree.a, user=make_user(), kind=UnitOfficerKind.HEAD, source=UnitOfficerSource.HR
    )
    with translation.override("en"), pytest.raises(ValidationError, match="already has a head"):
        second.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_repeated_checks_on_one_user_read_the_database_once(
    make_user, role, tree, django_assert_num_queries
):
    user = make_user()
    grant(user, role, tree.a)
    # assignments (1) + the subtree of T-A, one query per level (A, A1, A1X: 3)
    with django_assert_num_queries(4):
        assert authz.has_role(user, HANDLER, unit=tree.a1x)
    with django_assert_num_queries(0):
        for _ in range(10):
            assert authz.has_role(user, HANDLER, unit=tree.a1)
            assert not authz.has_role(user, HANDLER, unit=tree.b)
            assert not authz.has_role(user, "sample_app.auditor", unit=tree.a)
            assert authz.scope_q(user, HANDLER).children
            assert tree.a.pk in authz.units_where(user, HANDLER)


def test_fresh_re_reads_the_assignments(make_user, role, tree):
    user = make_user()
    assert not authz.has_role(user, HANDLER, unit=tree.b)
    grant(user, role, tree.b)
    assert not authz.has_role(user, HANDLER, unit=tree.b)  # cached for this request
    assert authz.has_role(user, HANDLER, unit=tree.b, fresh=True)
    RoleAssignment.objects.filter(user=user).delete()
    assert authz.units_where(user, HANDLER) == frozenset({tree.b.pk})
    assert authz.units_where(user, HANDLER, fresh=True) == frozenset()


def test_role_services_drop_the_cache(make_user, role, tree):
    user = make_user()
    assert not authz.has_role(user, HANDLER, unit=tree.a1)
    role_assign(application=None, user=user, role_code=HANDLER, scope=tree.a)
    assert authz.has_role(user, HANDLER, unit=tree.a1)
    role_assign(
        application=None, user=user, role_code=HANDLER, scope=tree.a, include_subunits=False
    )
    assert not authz.has_role(user, HANDLER, unit=tree.a1)
    assert RoleAssignment.objects.get(user=user).include_subunits is False
    role_remove(application=None, user=user, role_code=HANDLER, scope=tree.a)
    assert not authz.has_role(user, HANDLER, unit=tree.a)


# --- Role codes and declarations --------------------------------------------------------------


@pytest.mark.parametrize("code", ["petitions.handler", "documents.registrar", "payroll-admin"])
def test_role_code_accepts_dotted_and_slug_codes(code):
    Role(code=code, name_zh="角色").clean_fields()


@pytest.mark.parametrize("code", ["Petitions.Handler", "a.b.c", ".handler", "hand ler", "x."])
def test_role_code_refuses_other_shapes(code):
    with pytest.raises(ValidationError):
        Role(code=code, name_zh="角色").clean_fields()


SAMPLE_APP = SimpleNamespace(name="tests.accounts.sample_app", label="sample_app")


def test_declared_roles_are_read_from_each_apps_roles_module():
    specs = roles.declared_roles([SAMPLE_APP])
    assert [s.code for s in specs] == ["sample_app.clerk", "sample_app.auditor"]


def test_declared_role_outside_its_app_namespace_is_refused():
    with pytest.raises(ImproperlyConfigured, match="must start with 'other'"):
        roles.declared_roles([SimpleNamespace(name="tests.accounts.sample_app", label="other")])


def test_a_role_declared_twice_is_refused():
    with pytest.raises(ImproperlyConfigured, match="also declared"):
        roles.declared_roles([SAMPLE_APP, SAMPLE_APP])


def test_roles_sync_creates_updates_and_never_deletes():
    Role.objects.filter(code__startswith="sample_app.").delete()
    kept = Role.objects.create(application=None, code="sample_app.retired", name_zh="舊")
    specs = [RoleSpec(code="sample_app.clerk", name_zh="承辦人", name_en="Clerk")]
    assert roles.roles_sync(specs=specs) == (1, 0)
    assert roles.roles_sync(specs=specs) == (0, 0)
    renamed = [
        RoleSpec(code="sample_app.clerk", name_zh="承辦", name_en="Case clerk", sensitive=True)
    ]
    assert roles.roles_sync(specs=renamed) == (0, 1)
    clerk = Role.objects.get(application=None, code="sample_app.clerk")
    assert (clerk.name_zh, clerk.name_en, clerk.is_sensitive) == ("承辦", "Case clerk", True)
    assert Role.objects.filter(pk=kept.pk).exists()


def test_post_migrate_syncs_the_declared_roles(monkeypatch):
    Role.objects.filter(code__startswith="sample_app.").delete()
    sample = roles.declared_roles([SAMPLE_APP])
    monkeypatch.setattr(roles, "declared_roles", lambda app_configs=None: sample)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    synced = Role.objects.filter(application=None, code__startswith="sample_app.")
    assert dict(synced.values_list("code", "is_sensitive")) == {
        "sample_app.clerk": False,
        "sample_app.auditor": True,
    }


def test_every_installed_apps_declared_role_exists_after_migrate():
    for spec in roles.declared_roles():
        role = Role.objects.get(application=None, code=spec.code)
        assert role.is_sensitive == spec.sensitive
