"""The audit trail: logins, logouts, failed logins and changes to models that opt in.

A model opts in with ``core.audit.register(Model, masked=[...], exclude=[...])``, usually in
its app's ``ready()``. Field values are snapshotted when an instance is loaded, and on save
only the fields that changed are written, as ``{field: [before, after]}``, with the fields
named in ``masked`` passed through ``core.masking``. The request (user, IP, user agent) comes
from ``core.middleware.RequestContextMiddleware`` through a context variable, so services and
tasks need not pass it around.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from .choices import AuditAction
from .http import client_ip
from .masking import mask_value
from .services import audit_record

# Fields never written to the audit log in clear or masked form.
ALWAYS_EXCLUDED = {"password", "last_login", "updated_at", "created_at"}


@dataclass
class AuditOptions:
    masked: frozenset[str] = field(default_factory=frozenset)
    exclude: frozenset[str] = field(default_factory=frozenset)


_registry: dict[type, AuditOptions] = {}


def register(model, *, masked=(), exclude=()):
    """Opt ``model`` in to change auditing."""
    _registry[model] = AuditOptions(masked=frozenset(masked), exclude=frozenset(exclude))
    uid = f"core.audit.{model._meta.label}"
    post_init.connect(_snapshot, sender=model, dispatch_uid=uid + ".init", weak=False)
    post_save.connect(_on_save, sender=model, dispatch_uid=uid + ".save", weak=False)
    post_delete.connect(_on_delete, sender=model, dispatch_uid=uid + ".delete", weak=False)
    return model


def is_registered(model) -> bool:
    return model in _registry


def _audited_fields(instance):
    options = _registry[type(instance)]
    for f in instance._meta.concrete_fields:
        if f.name in ALWAYS_EXCLUDED or f.name in options.exclude:
            continue
        yield f


def _value(instance, f):
    value = getattr(instance, f.attname)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _snapshot(sender, instance, **kwargs):
    if type(instance) not in _registry:
        return
    deferred = instance.get_deferred_fields()
    instance._audit_snapshot = {
        f.name: _value(instance, f) for f in _audited_fields(instance) if f.attname not in deferred
    }


def _shown(options: AuditOptions, name: str, value):
    if name in options.masked:
        return mask_value(name, value)
    return value


def _on_save(sender, instance, created, **kwargs):
    options = _registry[type(instance)]
    before = {} if created else getattr(instance, "_audit_snapshot", {})
    changes = {}
    for f in _audited_fields(instance):
        after = _value(instance, f)
        if created:
            if after in (None, ""):
                continue
            changes[f.name] = [None, _shown(options, f.name, after)]
        elif f.name in before and before[f.name] != after:
            changes[f.name] = [
                _shown(options, f.name, before[f.name]),
                _shown(options, f.name, after),
            ]
    if not created and not changes:
        return
    audit_record(
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=instance,
        changes=changes,
    )
    _snapshot(sender, instance)


def _on_delete(sender, instance, **kwargs):
    audit_record(action=AuditAction.DELETE, obj=instance)


def _request_meta(request):
    if request is None:
        return None, ""
    return client_ip(request), request.META.get("HTTP_USER_AGENT", "")[:300]


@receiver(user_logged_in, dispatch_uid="core.audit.login")
def _on_login(sender, request, user, **kwargs):
    ip, agent = _request_meta(request)
    backend = getattr(user, "backend", "") or ""
    audit_record(
        action=AuditAction.LOGIN,
        actor=user,
        obj=user,
        message=backend.rsplit(".", 1)[-1],
        ip_address=ip,
        user_agent=agent,
    )


@receiver(user_logged_out, dispatch_uid="core.audit.logout")
def _on_logout(sender, request, user, **kwargs):
    ip, agent = _request_meta(request)
    audit_record(action=AuditAction.LOGOUT, actor=user, obj=user, ip_address=ip, user_agent=agent)


@receiver(user_login_failed, dispatch_uid="core.audit.login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    ip, agent = _request_meta(request)
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        actor=None,
        actor_repr=username,
        message=f"username={username}",
        ip_address=ip,
        user_agent=agent,
    )
