"""Writes of the LDAP part: match directory users to HR accounts, mirror directory groups,
turn group membership into roles, and the scheduled group sync."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from core.alerts import admin_alert, in_each_language
from core.choices import AuditAction
from core.locks import single_flight
from core.services import audit_record

from ..choices import RoleSource
from ..models import DirectoryGroup, DirectorySyncState, Role, RoleAssignment, User
from .config import Directory
from .connection import connect, directory_error, paged_search, read_entry
from .errors import DirectoryError, DirectoryRefusal

logger = logging.getLogger(__name__)


def normalize_dn(dn: str) -> str:
    """DNs are compared and stored in lower case (as django-auth-ldap returns them)."""
    return (dn or "").strip().lower()


def first_value(attrs: dict, name: str) -> str:
    """The first value of an attribute, looked up without regard to case ('' if missing)."""
    wanted = name.lower()
    for key, values in (attrs or {}).items():
        if key.lower() == wanted and values:
            value = values[0]
            if isinstance(value, bytes):
                value = value.decode("utf-8", "replace")
            return str(value).strip()
    return ""


# --- Login: whose account is this -------------------------------------------------------------


def directory_user_resolve(
    *, directory: Directory, login_name: str, attrs: dict
) -> tuple[User, bool]:
    """The HR account of a directory user, found by employee number.

    Returns ``(user, built)``: ``built`` is True for a new, unsaved account, which happens only
    when the directory has ``create_missing``. Never creates a second account for a person who
    already has one. Raises DirectoryRefusal when there is no number or no matching account.
    """
    number = first_value(attrs, directory.employee_number_attribute)
    if not number:
        raise DirectoryRefusal(
            "no_employee_number",
            f"attribute {directory.employee_number_attribute} is empty",
        )
    user = User.objects.filter(employee_number=number).first()
    if user is not None:
        return user, False
    if not directory.create_missing:
        raise DirectoryRefusal(
            "no_hr_account", f"no account with employee number {number}", number=number
        )
    username = login_name
    if User.objects.filter(username__iexact=username).exists():
        username = f"{login_name}@{directory.key}"
    return User(username=username, employee_number=number), True


def directory_login_failure_record(
    *,
    username: str,
    directory: str,
    reason: str,
    detail: str = "",
    user: User | None = None,
    ip_address: str | None = None,
) -> None:
    """Audit a failed directory login with its reason (e.g. ``unreachable``)."""
    message = f"directory={directory} reason={reason}"
    if detail:
        message += f" ({detail})"
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        obj=user,
        actor=None,
        actor_repr=(username or "")[:150],
        message=message,
        ip_address=ip_address,
    )


# --- Groups and roles -------------------------------------------------------------------------


@transaction.atomic
def directory_user_groups_apply(
    *, user: User, directory: Directory, groups: Iterable[tuple[str, str]]
) -> dict:
    """Set ``user``'s groups in ``directory`` to ``groups`` (``(dn, name)`` pairs, as read at
    login), then bring their directory roles in line. Groups of other directories are kept."""
    wanted = {normalize_dn(dn): name for dn, name in groups}
    current = set(
        user.directory_groups.filter(directory=directory.key).values_list("dn", flat=True)
    )
    added = removed = 0
    now = timezone.now()
    for dn, name in wanted.items():
        group = _group_upsert(directory=directory.key, dn=dn, name=name)
        if dn not in current:
            group.members.add(user)
            added += 1
    for group in DirectoryGroup.objects.filter(
        directory=directory.key, dn__in=current - set(wanted)
    ):
        group.members.remove(user)
        removed += 1
    DirectoryGroup.objects.filter(directory=directory.key, dn__in=wanted).update(synced_at=now)
    roles_added, roles_removed = user_directory_roles_apply(user=user)
    return {
        "groups_added": added,
        "groups_removed": removed,
        "roles_added": roles_added,
        "roles_removed": roles_removed,
    }


def _group_upsert(*, directory: str, dn: str, name: str) -> DirectoryGroup:
    group = DirectoryGroup.objects.filter(directory=directory, dn=dn).first()
    if group is None:
        group = DirectoryGroup(directory=directory, dn=dn, name=name[:200] or dn[:200])
        group.full_clean()
        try:
            with transaction.atomic():
                group.save()
        except IntegrityError:  # created meanwhile by a login or another sync
            return DirectoryGroup.objects.get(directory=directory, dn=dn)
    elif name and group.name != name[:200]:
        group.name = name[:200]
        group.full_clean()
        group.save(update_fields=["name"])
    return group


@transaction.atomic
def user_directory_roles_apply(*, user: User) -> tuple[int, int]:
    """Make the user's directory-sourced roles equal the roles mapped to the directory groups
    they belong to (in any directory). Roles the user holds from another source are left
    alone. Returns ``(added, removed)``; every change is audited."""
    groups_by_role: dict[int, list[str]] = {}
    for role_id, group_name in Role.objects.filter(directory_groups__members=user).values_list(
        "id", "directory_groups__name"
    ):
        groups_by_role.setdefault(role_id, []).append(group_name)
    wanted = set(groups_by_role)
    ours = {
        a.role_id: a
        for a in RoleAssignment.objects.select_for_update()
        .filter(user=user, source=RoleSource.DIRECTORY, scope__isnull=True)
        .select_related("role", "user")
    }
    held_otherwise = set(
        RoleAssignment.objects.filter(user=user, scope__isnull=True)
        .exclude(source=RoleSource.DIRECTORY)
        .values_list("role_id", flat=True)
    )
    added = 0
    for role in Role.objects.filter(pk__in=wanted - set(ours) - held_otherwise).order_by("pk"):
        assignment = RoleAssignment(user=user, role=role, source=RoleSource.DIRECTORY)
        assignment.full_clean()
        assignment.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=assignment,
            message="role granted from directory group(s) "
            + ", ".join(sorted(groups_by_role[role.pk])),
        )
        added += 1
    removed = 0
    for role_id in sorted(set(ours) - wanted):
        assignment = ours[role_id]
        audit_record(
            action=AuditAction.DELETE,
            obj=assignment,
            message="role removed: no longer in a directory group mapped to it",
        )
        assignment.delete()
        removed += 1
    return added, removed


@transaction.atomic
def directory_group_roles_apply(*, group: DirectoryGroup) -> tuple[int, int]:
    """After a group's role mapping changed (admin): re-apply roles for its members."""
    added = removed = 0
    for user in group.members.order_by("pk"):
        a, r = user_directory_roles_apply(user=user)
        added += a
        removed += r
    return added, removed


# --- Scheduled sync ---------------------------------------------------------------------------


@dataclass
class SyncResult:
    directory: str
    mode: str  # "full", "incremental" or "skipped"
    groups_seen: list[str] = field(default_factory=list)  # DNs read from the directory
    members_added: int = 0
    members_removed: int = 0
    roles_added: int = 0
    roles_removed: int = 0
    unmatched: int = 0  # member entries without an HR account
    marker: str = ""

    def summary(self) -> str:
        return (
            f"directory sync {self.directory}: {self.mode}, {len(self.groups_seen)} groups, "
            f"members +{self.members_added}/-{self.members_removed}, "
            f"roles +{self.roles_added}/-{self.roles_removed}, unmatched {self.unmatched}"
        )


def _marker_key(value: str):
    """Order change markers: numbers (AD uSNChanged) numerically, timestamps as text."""
    return (0, int(value), "") if value.isdigit() else (1, 0, value)


def directory_sync(*, directory: Directory, full: bool = False) -> SyncResult:
    """Mirror the directory's groups and their members, then apply the mapped roles.

    Incremental when the directory offers ``change_attribute`` and an earlier run stored a
    marker: only groups changed since then are read. Full otherwise (and when ``full``): every
    group is read and groups gone from the directory lose their members (the row and its role
    mapping stay). Nested group types always sync in full. Raises DirectoryError when the
    directory cannot be read (the error is kept in DirectorySyncState)."""
    state, _ = DirectorySyncState.objects.get_or_create(directory=directory.key)
    incremental = bool(
        not full
        and directory.change_attribute
        and state.last_change_marker
        and not directory.nested_groups
    )
    result = SyncResult(directory=directory.key, mode="incremental" if incremental else "full")
    if not directory.has_groups:
        result.mode = "skipped"
        return result
    # Two workers never sync one directory at once.
    with single_flight(f"accounts.ldap-sync.{directory.key}") as acquired:
        if not acquired:
            logger.info("directory sync %s already running elsewhere", directory.key)
            result.mode = "skipped"
            return result
        try:
            groups, numbers = _read_groups(directory, state.last_change_marker, incremental)
        except DirectoryError as exc:
            DirectorySyncState.objects.filter(pk=state.pk).update(last_error=str(exc)[:2000])
            raise
        _apply_groups(directory, state, groups, numbers, incremental, result)
    audit_record(action=AuditAction.OTHER, message=result.summary())
    logger.info(result.summary())
    return result


def _read_groups(directory: Directory, marker: str, incremental: bool):
    """Read groups (and resolve their members to employee numbers) from the directory.

    Returns ``(groups, numbers)``: ``groups`` maps group DN to ``(name, member DNs, change
    value)``; ``numbers`` maps member DN to employee number."""
    import ldap  # noqa: PLC0415 - optional (ldap extra)
    from ldap.filter import escape_filter_chars  # noqa: PLC0415 - optional (ldap extra)

    change = directory.change_attribute
    member_attr = directory.member_attribute
    attrs = [directory.group_name_attribute, member_attr] + ([change] if change else [])
    filterstr = directory.group_filter
    if incremental:
        filterstr = f"(&{filterstr}({change}>={escape_filter_chars(marker)}))"
    conn = connect(directory)
    try:
        groups: dict[str, tuple[str, list[str], str]] = {}
        for dn, values in paged_search(
            conn, directory, directory.group_search_base, filterstr, attrs
        ):
            name = (values.get(directory.group_name_attribute.lower()) or [""])[0]
            members = [normalize_dn(m) for m in values.get(member_attr.lower(), [])]
            stamp = (values.get(change.lower()) or [""])[0] if change else ""
            groups[normalize_dn(dn)] = (name, members, stamp)
        if directory.nested_groups:
            groups = _expand_nested(groups)
        member_dns = {m for _, members, _ in groups.values() for m in members} - set(groups)
        numbers: dict[str, str] = {}
        emp = directory.employee_number_attribute
        if not incremental and member_dns:
            # One search over all users beats a read per member on a full run.
            user_filter = f"(&{directory.user_list_filter()}({emp}=*))"
            for dn, values in paged_search(
                conn, directory, directory.user_search_base, user_filter, [emp]
            ):
                numbers[normalize_dn(dn)] = first_value(values, emp)
        for dn in sorted(member_dns - set(numbers)):
            values = read_entry(conn, dn, [emp])
            numbers[dn] = first_value(values or {}, emp)
        return groups, numbers
    except ldap.LDAPError as exc:
        raise directory_error(directory, exc) from exc
    finally:
        try:
            conn.unbind_s()
        except ldap.LDAPError:  # pragma: no cover - closing a dead connection
            pass


def _expand_nested(groups: dict[str, tuple[str, list[str], str]]):
    """Members of nested groups count as members of the groups that contain them."""

    def members_of(dn: str, seen: frozenset[str]) -> set[str]:
        direct = groups[dn][1]
        result = {m for m in direct if m not in groups}
        for child in direct:
            if child in groups and child not in seen:
                result |= members_of(child, seen | {child})
        return result

    return {
        dn: (name, sorted(members_of(dn, frozenset({dn}))), stamp)
        for dn, (name, _, stamp) in groups.items()
    }


@transaction.atomic
def _apply_groups(directory, state, groups, numbers, incremental, result: SyncResult):
    wanted_numbers = {n for n in numbers.values() if n}
    users = dict(
        User.objects.filter(employee_number__in=wanted_numbers).values_list("employee_number", "pk")
    )
    affected: set[int] = set()
    now = timezone.now()
    for dn in sorted(groups):
        name, members, _ = groups[dn]
        group = _group_upsert(directory=directory.key, dn=dn, name=name)
        wanted: set[int] = set()
        for member in members:
            user_id = users.get(numbers.get(member, ""))
            if user_id is None:
                result.unmatched += 1
            else:
                wanted.add(user_id)
        current = set(group.members.values_list("pk", flat=True))
        if wanted - current:
            group.members.add(*sorted(wanted - current))
        if current - wanted:
            group.members.remove(*sorted(current - wanted))
        result.members_added += len(wanted - current)
        result.members_removed += len(current - wanted)
        affected |= wanted ^ current
        DirectoryGroup.objects.filter(pk=group.pk).update(synced_at=now)
        result.groups_seen.append(dn)
    if not incremental:
        for group in DirectoryGroup.objects.filter(directory=directory.key).exclude(
            dn__in=list(groups)
        ):
            gone = set(group.members.values_list("pk", flat=True))
            if gone:
                group.members.clear()
                result.members_removed += len(gone)
                affected |= gone
        # A full run also repairs roles: every member of the directory's groups is checked,
        # so a mapping changed outside the admin (or a missed run) is caught up here.
        affected |= set(
            User.objects.filter(directory_groups__directory=directory.key).values_list(
                "pk", flat=True
            )
        )
    for user in User.objects.filter(pk__in=affected).order_by("pk"):
        added, removed = user_directory_roles_apply(user=user)
        result.roles_added += added
        result.roles_removed += removed
    stamps = [stamp for _, _, stamp in groups.values() if stamp]
    if incremental:
        stamps.append(state.last_change_marker)
    result.marker = max(stamps, key=_marker_key) if stamps else ""
    state.last_change_marker = result.marker[:100]
    state.last_synced_at = now
    state.last_error = ""
    state.full_clean()
    state.save(update_fields=["last_change_marker", "last_synced_at", "last_error"])
    directory_outage_over(directory=directory, now=now)


# --- Directory down: alert the administrators once per outage --------------------------------


def _state_admin_link(state_id: int) -> str:
    return reverse("admin:accounts_directorysyncstate_change", args=[state_id])


@transaction.atomic
def directory_outage_alert(*, directory: Directory, error: DirectoryError) -> bool:
    """The directory stayed unreachable after the sync's retries: alert the administrators
    (``core.alerts.admin_alert``), once per outage. The alert is remembered on the
    directory's ``DirectorySyncState`` (``outage_alerted_at``) and sent again only after a
    successful sync in between. True when this call sent it."""
    state, _created = DirectorySyncState.objects.get_or_create(directory=directory.key)
    now = timezone.now()
    claimed = DirectorySyncState.objects.filter(pk=state.pk, outage_alerted_at__isnull=True).update(
        outage_alerted_at=now, last_error=str(error)[:2000]
    )
    if not claimed:
        logger.info("directory %s still unreachable; administrators already alerted", directory.key)
        return False
    last_ok = state.last_synced_at

    def body() -> str:
        lines = [
            gettext(
                "The directory of %(name)s (%(key)s, %(uri)s) could not be reached by the "
                "group sync, also after its retries."
            )
            % {"name": directory.label(), "key": directory.key, "uri": directory.server_uri},
            gettext("Error: %(error)s") % {"error": error},
            gettext("Last successful sync: %(time)s")
            % {
                "time": timezone.localtime(last_ok).strftime("%Y-%m-%d %H:%M")
                if last_ok
                else gettext("never")
            },
            "",
            gettext(
                "Sign-ins through this directory fail and its groups and roles are not "
                "brought up to date until it answers again; local accounts still sign in. "
                "The sync tries again at its next scheduled run. You are told once when it "
                "is back."
            ),
        ]
        return "\n".join(lines)

    admin_alert(
        key="accounts.ldap_directory_down",
        subject=in_each_language(
            lambda: gettext("Directory %(name)s cannot be reached") % {"name": directory.label()}
        ),
        body=in_each_language(body),
        source="accounts",
        link=_state_admin_link(state.pk),
    )
    return True


def directory_outage_over(*, directory: Directory, now=None) -> bool:
    """A sync of the directory succeeded: when an outage alert went out, forget it (the next
    outage alerts again) and tell the administrators it is back. True when it was down."""
    state = DirectorySyncState.objects.filter(directory=directory.key).first()
    if state is None or state.outage_alerted_at is None:
        return False
    cleared = DirectorySyncState.objects.filter(
        pk=state.pk, outage_alerted_at__isnull=False
    ).update(outage_alerted_at=None)
    if not cleared:
        return False
    down_since = state.outage_alerted_at
    admin_alert(
        key="accounts.ldap_directory_back",
        subject=in_each_language(
            lambda: gettext("Directory %(name)s is reachable again") % {"name": directory.label()}
        ),
        body=in_each_language(
            lambda: (
                gettext(
                    "The group sync of %(name)s (%(key)s) succeeded again at %(time)s, after "
                    "the outage reported at %(since)s."
                )
                % {
                    "name": directory.label(),
                    "key": directory.key,
                    "time": timezone.localtime(now or timezone.now()).strftime("%Y-%m-%d %H:%M"),
                    "since": timezone.localtime(down_since).strftime("%Y-%m-%d %H:%M"),
                }
            )
        ),
        source="accounts",
        link=_state_admin_link(state.pk),
    )
    return True
