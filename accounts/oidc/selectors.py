"""Reads of the OpenID Connect part: the access policy of applications, a person's roles in one
application, subject identifiers and token look-ups.

The access policy (``applications_for_user`` / ``user_may_use``) is the one rule for "who may use
which application": the authorize step, refresh tokens, the rights API and the launcher all ask
it. An application with none of ``allowed_units``, ``allowed_roles`` and
``allowed_directory_groups`` set is open to every active user; otherwise the user must be in an
allowed unit (or a unit below it), OR hold an allowed role, OR be a member of an allowed
directory group.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from oauth2_provider.models import (
    get_access_token_model,
    get_refresh_token_model,
    refresh_token_expire_timedelta,
)

from core.i18n import bilingual
from core.models import Organization

from ..models import Application, DirectoryGroup, Role, RoleAssignment, SubjectIdentifier, User
from .constants import APPLICATION_ADMIN_ROLE

# --- Access policy ----------------------------------------------------------------------------


def _valid_assignments() -> Q:
    today = timezone.localdate()
    return Q(valid_until__isnull=True) | Q(valid_until__gte=today)


def user_unit_chain_ids(user: User) -> set[int]:
    """The user's unit and every unit above it: the user is inside an allowed unit's subtree
    exactly when an allowed unit is among these."""
    unit = user.organization
    if unit is None:
        return set()
    return {unit.pk, *(u.pk for u in unit.ancestors())}


def user_role_ids(user: User) -> set[int]:
    """Roles the user holds today: assigned (not past ``valid_until``) or through a directory
    group mapped to the role."""
    direct = RoleAssignment.objects.filter(_valid_assignments(), user=user).values_list(
        "role_id", flat=True
    )
    via_groups = DirectoryGroup.roles.through.objects.filter(
        directorygroup__members=user
    ).values_list("role_id", flat=True)
    return set(direct) | set(via_groups)


def applications_for_user(user) -> QuerySet[Application]:
    """Applications ``user`` may use (see the module docstring). Inactive and anonymous users
    may use none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Application.objects.none()
    units = Application.allowed_units.through.objects.filter(application_id=OuterRef("pk"))
    roles = Application.allowed_roles.through.objects.filter(application_id=OuterRef("pk"))
    groups = Application.allowed_directory_groups.through.objects.filter(
        application_id=OuterRef("pk")
    )
    open_to_all = ~Exists(units) & ~Exists(roles) & ~Exists(groups)
    group_ids = DirectoryGroup.members.through.objects.filter(user_id=user.pk).values(
        "directorygroup_id"
    )
    admitted = (
        Exists(units.filter(organization_id__in=user_unit_chain_ids(user)))
        | Exists(roles.filter(role_id__in=user_role_ids(user)))
        | Exists(groups.filter(directorygroup_id__in=group_ids))
    )
    return Application.objects.filter(open_to_all | admitted)


def application_display_name(application: Application | None) -> str:
    """The application's name in the current language."""
    if application is None:
        return ""
    return bilingual(application.name, application.name_en) or application.client_id


def user_may_use(user, application: Application) -> bool:
    """Whether the access policy of ``application`` admits ``user``."""
    return applications_for_user(user).filter(pk=application.pk).exists()


def user_has_consented(user, application: Application, scopes: list[str]) -> bool:
    """Whether ``user`` holds a live token of ``application`` covering ``scopes`` (how
    django-oauth-toolkit remembers consent)."""
    tokens = get_access_token_model().objects.filter(
        user=user, application=application, expires__gt=timezone.now()
    )
    return any(token.allow_scopes(scopes) for token in tokens.only("scope"))


def admitted_users(application: Application) -> QuerySet[User]:
    """Every active user the access policy of ``application`` admits."""
    users = User.objects.filter(is_active=True)
    unit_ids = list(application.allowed_units.values_list("pk", flat=True))
    role_ids = list(application.allowed_roles.values_list("pk", flat=True))
    group_ids = list(application.allowed_directory_groups.values_list("pk", flat=True))
    if not (unit_ids or role_ids or group_ids):
        return users
    subtree: set[int] = set()
    for unit in Organization.objects.filter(pk__in=unit_ids):
        subtree |= unit.descendant_ids()
    today = timezone.localdate()
    holds_role = RoleAssignment.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        user_id=OuterRef("pk"),
        role_id__in=role_ids,
    )
    in_group = DirectoryGroup.members.through.objects.filter(user_id=OuterRef("pk")).filter(
        Q(directorygroup_id__in=group_ids)
        | Q(directorygroup__roles__in=role_ids)  # groups mapped to an allowed role
    )
    return users.filter(Q(organization_id__in=subtree) | Exists(holds_role) | Exists(in_group))


# --- Roles in one application -----------------------------------------------------------------


@dataclass
class RoleGrant:
    """A role a person holds in one application, where, and why."""

    role: Role
    scopes: list[Organization | None] = field(default_factory=list)  # None: everywhere
    sources: set[str] = field(default_factory=set)
    valid_until: object = None
    units_only: set[int] = field(default_factory=set)  # scopes without their sub-units

    def includes_subunits(self, unit: Organization) -> bool:
        return unit.pk not in self.units_only

    @property
    def code(self) -> str:
        return self.role.code

    @property
    def unrestricted(self) -> bool:
        return None in self.scopes


def _merge_grants(assignments, groups, application_id) -> list[RoleGrant]:
    grants: dict[int, RoleGrant] = {}
    for assignment in assignments:
        role = assignment.role
        if role.application_id != application_id:
            continue
        grant = grants.setdefault(role.pk, RoleGrant(role=role))
        if assignment.scope not in grant.scopes:
            grant.scopes.append(assignment.scope)
        if assignment.scope_id and not assignment.include_subunits:
            grant.units_only.add(assignment.scope_id)
        grant.sources.add(assignment.source)
    for group in groups:
        for role in group.roles.all():
            if role.application_id != application_id:
                continue
            grant = grants.setdefault(role.pk, RoleGrant(role=role))
            if None not in grant.scopes:
                grant.scopes.append(None)
            grant.sources.add("directory")
    return sorted(grants.values(), key=lambda g: g.role.code)


def user_roles_in_application(user: User, application: Application) -> list[RoleGrant]:
    """The roles ``user`` holds in ``application`` (never another application's or portal-wide
    ones), merged from assignments and directory groups, in three queries."""
    assignments = RoleAssignment.objects.filter(
        _valid_assignments(), user=user, role__application=application
    ).select_related("role", "scope")
    groups = DirectoryGroup.objects.filter(members=user, roles__application=application).distinct()
    groups = groups.prefetch_related(
        Prefetch("roles", queryset=Role.objects.filter(application=application))
    )
    return _merge_grants(assignments, groups, application.pk)


def user_role_codes_in_application(user: User, application: Application) -> list[str]:
    """Just the codes, assigned or through a directory group, in one query (for the ``roles``
    claim)."""
    today = timezone.localdate()
    assigned = Q(assignments__user=user) & (
        Q(assignments__valid_until__isnull=True) | Q(assignments__valid_until__gte=today)
    )
    codes = (
        Role.objects.filter(application=application)
        .filter(assigned | Q(directory_groups__members=user))
        .values_list("code", flat=True)
    )
    return sorted(set(codes))


def user_is_application_admin(user, application: Application) -> bool:
    """Whether ``user`` holds the role ``admin`` of ``application`` (and is active)."""
    if user is None or not user.is_active:
        return False
    return APPLICATION_ADMIN_ROLE in user_role_codes_in_application(user, application)


def application_members(application: Application) -> QuerySet[User]:
    """Users who hold at least one role of ``application`` (assigned or through a group)."""
    today = timezone.localdate()
    assigned = RoleAssignment.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        user_id=OuterRef("pk"),
        role__application=application,
    )
    grouped = DirectoryGroup.members.through.objects.filter(
        user_id=OuterRef("pk"), directorygroup__roles__application=application
    )
    return User.objects.filter(Exists(assigned) | Exists(grouped))


def role_holders(application: Application, code: str) -> Q:
    """A filter on users: holding the role ``code`` of ``application``."""
    direct = RoleAssignment.objects.filter(
        _valid_assignments(), role__application=application, role__code=code
    ).values("user_id")
    via_groups = DirectoryGroup.members.through.objects.filter(
        directorygroup__roles__application=application, directorygroup__roles__code=code
    ).values("user_id")
    return Q(pk__in=direct) | Q(pk__in=via_groups)


def with_roles_in_application(users: QuerySet[User], application: Application) -> QuerySet[User]:
    """``users`` with what ``roles_from_prefetch`` needs prefetched (a fixed number of queries
    for any page size)."""
    assignments = RoleAssignment.objects.filter(
        _valid_assignments(), role__application=application
    ).select_related("role", "scope")
    groups = (
        DirectoryGroup.objects.filter(roles__application=application)
        .distinct()
        .prefetch_related(Prefetch("roles", queryset=Role.objects.filter(application=application)))
    )
    return users.select_related("organization", "oidc_subject").prefetch_related(
        Prefetch("role_assignments", queryset=assignments, to_attr="app_assignments"),
        Prefetch("directory_groups", queryset=groups, to_attr="app_groups"),
    )


def roles_from_prefetch(user: User, application: Application) -> list[RoleGrant]:
    return _merge_grants(user.app_assignments, user.app_groups, application.pk)


def application_roles(application: Application) -> QuerySet[Role]:
    return Role.objects.filter(application=application).order_by("code")


# --- Subjects ---------------------------------------------------------------------------------


def subject_for_user(user: User) -> str:
    """The user's ``sub``: made on first use, then never changed."""
    cached = getattr(user, "_oidc_sub", None)
    if cached:
        return cached
    try:
        value = str(user.oidc_subject.sub)
    except SubjectIdentifier.DoesNotExist:
        record, _ = SubjectIdentifier.objects.get_or_create(user=user)
        value = str(record.sub)
    user._oidc_sub = value
    return value


def ensure_subjects(users: list[User]) -> None:
    """Give every user of ``users`` a subject identifier, in at most two queries."""
    missing = []
    for user in users:
        try:
            user._oidc_sub = str(user.oidc_subject.sub)
        except SubjectIdentifier.DoesNotExist:
            missing.append(user)
    if not missing:
        return
    SubjectIdentifier.objects.bulk_create(
        [SubjectIdentifier(user=u) for u in missing], ignore_conflicts=True
    )
    subs = dict(SubjectIdentifier.objects.filter(user__in=missing).values_list("user_id", "sub"))
    for user in missing:
        user._oidc_sub = str(subs[user.pk])


def user_by_key(key: str) -> User | None:
    """A user by ``sub`` (a UUID) or, failing that, by employee number."""
    key = (key or "").strip()
    if not key:
        return None
    queryset = User.objects.select_related("organization", "oidc_subject")
    try:
        sub = uuid.UUID(key)
    except ValueError:
        sub = None
    if sub is not None:
        user = queryset.filter(oidc_subject__sub=sub).first()
        if user is not None:
            return user
    return queryset.filter(employee_number=key).first()


# --- Tokens -----------------------------------------------------------------------------------


def checksum(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def access_token_by_value(value: str):
    """The stored access token for a raw token value (tokens are kept only as checksums)."""
    if not value:
        return None
    return (
        get_access_token_model()
        .objects.select_related("application", "user", "user__organization")
        .filter(token_checksum=checksum(value))
        .first()
    )


def refresh_token_by_value(value: str):
    if not value:
        return None
    return (
        get_refresh_token_model()
        .objects.select_related("application", "user", "access_token")
        .filter(token_checksum=checksum(value), revoked__isnull=True)
        .first()
    )


def _refresh_token_expiry(refresh):
    """When a live refresh token stops being accepted (as django-oauth-toolkit decides it:
    its lifetime after its access token's expiry), or None when it is already dead."""
    if refresh.access_token is None:
        return None
    delta = refresh_token_expire_timedelta()
    return refresh.access_token.expires + delta if delta else refresh.access_token.expires


def token_introspection(
    application: Application, value: str, hint: str = ""
) -> tuple[dict, int | None]:
    """RFC 7662 answer about ``value`` for the calling ``application``, and the id of the user
    the token was issued for (None for client tokens and inactive answers).

    A token is active only when it exists, has not expired or been revoked, belongs to
    ``application`` and (for user tokens) its user is still active. Anything else, including
    another client's token, is ``{"active": false}`` and nothing more. An access token is read
    in one query without building model instances (introspection is the hottest endpoint).
    """
    inactive = ({"active": False}, None)
    if not value:
        return inactive
    row = None
    if hint != "refresh_token":
        row = _access_token_row(value)
    if row is None:
        row = _refresh_token_row(value)
        if row is None and hint == "refresh_token":
            row = _access_token_row(value)
    if row is None or row["application_id"] != application.pk:
        return inactive
    if row["user_id"] is not None and not row["user__is_active"]:
        return inactive
    if row["expires"] is None or row["expires"] <= timezone.now():
        return inactive
    data = {
        "active": True,
        "scope": row["scope"],
        "client_id": application.client_id,
        "token_type": row["token_type"],
        "exp": int(row["expires"].timestamp()),
        "iat": int(row["created"].timestamp()),
    }
    if row["user_id"] is not None:
        sub = row["user__oidc_subject__sub"]
        if sub is None:
            sub = subject_for_user(User.objects.get(pk=row["user_id"]))
        # SQLite keeps UUIDs as 32 hex digits: normalise to the canonical form.
        data["sub"] = str(uuid.UUID(str(sub)))
        data["username"] = row["user__username"]
    return data, row["user_id"]


def _access_token_row(value: str) -> dict | None:
    """The access token for ``value`` with what introspection needs from its user, in one
    hand-written query (the ORM spends longer building this join than the database answering
    it, on the busiest endpoint of the single sign-on)."""
    token = get_access_token_model()._meta.db_table
    user = User._meta.db_table
    subject = SubjectIdentifier._meta.db_table
    sql = (
        f"SELECT t.application_id, t.user_id, t.created, t.expires, t.scope, "  # noqa: S608
        f"u.is_active, u.username, s.sub "
        f"FROM {token} t LEFT JOIN {user} u ON u.id = t.user_id "
        f"LEFT JOIN {subject} s ON s.user_id = t.user_id "
        f"WHERE t.token_checksum = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [checksum(value)])
        found = cursor.fetchone()
    if found is None:
        return None
    names = ("application_id", "user_id", "created", "expires", "scope")
    row = dict(zip(names, found[:5], strict=True))
    row.update(
        {
            "user__is_active": found[5],
            "user__username": found[6],
            "user__oidc_subject__sub": found[7],
            "token_type": "Bearer",
        }
    )
    for name in ("created", "expires"):
        row[name] = _aware(row[name])
    return row


def _aware(moment):
    """SQLite hands back naive (UTC) datetimes for raw queries; PostgreSQL aware ones."""
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment, UTC)
    return moment


def _refresh_token_row(value: str) -> dict | None:
    refresh = refresh_token_by_value(value)
    if refresh is None or refresh.access_token is None:
        return None
    return {
        "application_id": refresh.application_id,
        "user_id": refresh.user_id,
        "created": refresh.created,
        "user__is_active": refresh.user.is_active,
        "user__username": refresh.user.get_username(),
        "user__oidc_subject__sub": None,
        "expires": _refresh_token_expiry(refresh),
        "scope": refresh.access_token.scope,
        "token_type": "refresh_token",
    }
