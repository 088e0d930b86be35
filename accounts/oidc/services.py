"""Writes of the OpenID Connect part: role changes, sign-ins at applications, the audit trail of
token events, and the admin's application settings."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import AuditAction
from core.models import Organization
from core.services import audit_record

from .. import authz
from ..choices import RoleSource
from ..models import Application, ApplicationSignIn, Role, RoleAssignment, User
from . import metrics

# Role assignments the rights API may remove: the others belong to their source (the HR feed,
# a directory group) and would come back at the next sync.
REMOVABLE_SOURCES = (RoleSource.MANUAL, RoleSource.APPLICATION)


# --- Audit trail ------------------------------------------------------------------------------


def audit_oidc_event(
    *,
    event: str,
    application: Application | None = None,
    user: User | None = None,
    actor: User | None = None,
    client: Application | None = None,
    details: str = "",
    changes: dict | None = None,
    action: str = AuditAction.OTHER,
):
    """One audit entry for a single sign-on event. The message starts with ``oidc.<event>``
    and names the client, so the log can be filtered by event or by application."""
    parts = [f"oidc.{event}"]
    if application is not None:
        parts.append(f"client={application.client_id}")
    if client is not None and client != application:
        parts.append(f"via={client.client_id}")
    if details:
        parts.append(details)
    actor_repr = None
    if actor is None and client is not None:
        actor_repr = f"client:{client.client_id}"
    elif actor is None and application is not None and user is None:
        actor_repr = f"client:{application.client_id}"
    return audit_record(
        action=action,
        obj=user if user is not None else application,
        actor=actor,
        actor_repr=actor_repr,
        message=" ".join(parts),
        changes=changes,
    )


def token_event_record(*, event: str, grant_type: str, application, user, scope: str) -> None:
    """A token was issued, refreshed or revoked: audit it and count it."""
    audit_oidc_event(
        event=event,
        application=application,
        user=user,
        actor=user,
        details=f"grant={grant_type} scope={scope}".strip(),
    )
    if event in ("token_issued", "token_refreshed"):
        metrics.increment("sso_token_grants_total", grant_type=grant_type)
    elif event == "token_revoked":
        metrics.increment("sso_token_revocations_total")


def policy_refusal_record(*, user: User, application: Application, step: str) -> None:
    audit_oidc_event(
        event="policy_refused",
        application=application,
        user=user,
        actor=user,
        details=f"step={step}",
        action=AuditAction.LOGIN_FAILED,
    )
    metrics.increment("sso_policy_refusals_total")


def consent_record(*, user: User, application: Application, granted: bool, scope: str) -> None:
    audit_oidc_event(
        event="consent_granted" if granted else "consent_refused",
        application=application,
        user=user,
        actor=user,
        details=f"scope={scope}",
    )
    metrics.increment("sso_consents_total", decision="granted" if granted else "refused")


# --- Applications -----------------------------------------------------------------------------


def application_prepare(*, application: Application) -> Application:
    """Settings the admin does not offer: ID tokens are always RS256-signed with the portal's
    key, client secrets are always hashed, and internal applications (only they) skip the
    consent screen."""
    application.algorithm = Application.RS256_ALGORITHM
    application.hash_client_secret = True
    application.skip_authorization = bool(application.is_internal)
    return application


def application_consent_flag_align(*, application: Application) -> None:
    """Make ``skip_authorization`` follow ``is_internal`` for an application saved outside the
    admin (shell, fixtures), so the consent screen is shown exactly to external ones."""
    if application.skip_authorization != application.is_internal:
        Application.objects.filter(pk=application.pk).update(
            skip_authorization=application.is_internal
        )
        application.skip_authorization = application.is_internal


# --- Sign-ins at applications -----------------------------------------------------------------


def application_sign_in_record(
    *,
    user: User,
    application: Application,
    issuer: str,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> None:
    """Remember that ``user`` is signed in at ``application`` (an ID token was issued), and
    from which browser when the authorization step saw it (a refresh keeps the last one)."""
    now = timezone.now()
    values = {"last_signed_in_at": now, "signed_out_at": None, "issuer": issuer}
    if user_agent is not None:
        values.update(ip_address=ip_address, user_agent=(user_agent or "")[:300])
    updated = ApplicationSignIn.objects.filter(user=user, application=application).update(**values)
    if updated:
        return
    try:
        with transaction.atomic():
            ApplicationSignIn.objects.create(
                user=user, application=application, first_signed_in_at=now, **values
            )
    except IntegrityError:  # a concurrent request made it first
        ApplicationSignIn.objects.filter(user=user, application=application).update(**values)


# --- Roles ------------------------------------------------------------------------------------


def _role_of(application: Application, code: str) -> Role:
    role = Role.objects.filter(application=application, code=code).first()
    if role is None:
        raise ValidationError(
            {"role": _("This application has no role with the code “%(code)s”.") % {"code": code}}
        )
    return role


def _describe(assignment: RoleAssignment) -> str:
    scope = assignment.scope.code if assignment.scope_id else "*"
    if assignment.scope_id and not assignment.include_subunits:
        scope += " (without sub-units)"
    return f"role={assignment.role.code} unit={scope}"


@transaction.atomic
def role_assign(
    *,
    application: Application,
    user: User,
    role_code: str,
    scope: Organization | None = None,
    valid_until: date | None = None,
    include_subunits: bool = True,
    by: User | None = None,
    client: Application | None = None,
) -> tuple[RoleAssignment, bool]:
    """Give ``user`` the role ``role_code`` of ``application`` (``application`` None: a
    portal-wide role), optionally only for ``scope`` (and its sub-units unless
    ``include_subunits`` is False), optionally until ``valid_until``. Returns (assignment,
    created). Assigning a role the user already holds there updates ``valid_until`` and
    ``include_subunits``."""
    role = _role_of(application, role_code)
    if not user.is_active:
        raise ValidationError({"user": _("This account is deactivated; it cannot get roles.")})
    if valid_until is not None and valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("The end date is in the past.")})
    assignment = (
        RoleAssignment.objects.select_for_update().filter(user=user, role=role, scope=scope).first()
    )
    created = assignment is None
    if created:
        assignment = RoleAssignment(
            user=user,
            role=role,
            scope=scope,
            source=RoleSource.APPLICATION if client is not None else RoleSource.MANUAL,
            granted_by=by,
            valid_until=valid_until,
            include_subunits=include_subunits,
        )
        changes = {"role": [None, role.code]}
    else:
        changes = {}
        before = assignment.valid_until.isoformat() if assignment.valid_until else None
        after = valid_until.isoformat() if valid_until else None
        if before != after:
            changes["valid_until"] = [before, after]
        if assignment.include_subunits != include_subunits:
            changes["include_subunits"] = [assignment.include_subunits, include_subunits]
        assignment.valid_until = valid_until
        assignment.include_subunits = include_subunits
    assignment.full_clean()
    assignment.save()
    authz.forget(user)
    if changes:
        audit_oidc_event(
            event="role_granted" if created else "role_updated",
            application=application,
            user=user,
            actor=by,
            client=client,
            details=_describe(assignment),
            changes=changes,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
        )
    if created:
        metrics.increment("sso_role_changes_total", change="granted")
    return assignment, created


@transaction.atomic
def role_remove(
    *,
    application: Application,
    user: User,
    role_code: str,
    scope: Organization | None = None,
    any_scope: bool = False,
    any_source: bool = False,
    by: User | None = None,
    client: Application | None = None,
) -> int:
    """Take the role ``role_code`` of ``application`` away from ``user``: the assignment for
    ``scope`` (None: the unrestricted one), or every assignment of the role when
    ``any_scope``. Unless ``any_source`` (the admin), assignments from the HR feed or a
    directory are not removed (they would return with the next sync): that is an error naming
    the source. Returns the number removed."""
    role = _role_of(application, role_code)
    assignments = RoleAssignment.objects.select_for_update(of=("self",)).filter(
        user=user, role=role
    )
    if not any_scope:
        assignments = assignments.filter(scope=scope)
    assignments = list(assignments.select_related("role", "scope").order_by("pk"))
    foreign = [] if any_source else [a for a in assignments if a.source not in REMOVABLE_SOURCES]
    if foreign:
        raise ValidationError(
            {
                "role": _("This role comes from “%(source)s”; change it there, not here.")
                % {"source": foreign[0].get_source_display()}
            }
        )
    for assignment in assignments:
        description = _describe(assignment)
        assignment.delete()
        audit_oidc_event(
            event="role_removed",
            application=application,
            user=user,
            actor=by,
            client=client,
            details=description,
            changes={"role": [role.code, None]},
            action=AuditAction.DELETE,
        )
        metrics.increment("sso_role_changes_total", change="removed")
    authz.forget(user)
    return len(assignments)
