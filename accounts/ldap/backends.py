"""The authentication backend for LDAP/AD directories (one per agency).

One dispatching backend, ``DirectoryBackend``, is listed in AUTHENTICATION_BACKENDS (after
AxesStandaloneBackend and ModelBackend) when directories are configured. For each login it
picks the directory the login names (``name@agency``, ``AGENCY\\name`` or the ``directory``
credential of the login form's domain picker) and runs django-auth-ldap's LDAPBackend with that
directory's settings (an ``LDAPSettings`` built from the configuration, not from
``AUTH_LDAP_*`` names). Why one dispatcher rather than one backend class per directory: the
directory list is data (JSON), so backend classes would have to be generated and made
importable by dotted path, and every session would name a class that disappears when a
directory is removed; one stable path also keeps the login order simple to reason about.

When a directory cannot be used the login form shows a clear, translated message naming it
(the form asks ``login_error(request)`` after a failed ``authenticate``), the failure is
audited with its reason, and other backends are unaffected: local accounts
(ModelBackend, which runs first) still sign in.
"""

from __future__ import annotations

import contextvars
import functools
import logging

from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.http import client_ip

from ..choices import LoginMethod
from ..models import User
from .config import GROUP_TYPES, Directory, get_directories
from .connection import connection_options, error_detail, is_unreachable
from .errors import DirectoryRefusal
from .selectors import directory_for_login
from .services import (
    directory_login_failure_record,
    directory_user_groups_apply,
    directory_user_resolve,
)

logger = logging.getLogger(__name__)

# LDAP errors django-auth-ldap reports (through its ldap_error signal) during one login.
_ldap_errors: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "mol_ldap_errors", default=None
)

REQUEST_ATTR = "directory_login_error"

UNREACHABLE_MESSAGE = _(
    "The directory of %(agency)s cannot be reached. Try again later, or sign in with your "
    "local account."
)

MESSAGES = {
    "unreachable": UNREACHABLE_MESSAGE,
    "directory_error": UNREACHABLE_MESSAGE,
    "no_hr_account": _(
        "Your %(agency)s directory account is not linked to a portal account: no staff record "
        "has employee number %(number)s. Contact your personnel office."
    ),
    "no_employee_number": _(
        "Your %(agency)s directory account has no employee number, so it cannot be matched to "
        "a portal account. Contact the directory administrator of %(agency)s."
    ),
    "inactive": _("This account is deactivated. Contact your personnel office."),
    "invalid_data": _(
        "Your %(agency)s directory account could not be used to create a portal account. "
        "Contact the directory administrator of %(agency)s."
    ),
    "unknown_domain": _(
        "No directory is configured for “%(domain)s”. Sign in as name@agency with one of: "
        "%(domains)s."
    ),
}


def login_error(request) -> str | None:
    """The directory error of this login attempt (translated), if there was one."""
    return getattr(request, REQUEST_ATTR, None)


@functools.cache
def _backend_class():
    """django-auth-ldap's backend, subclassed to match users by employee number. Imported
    lazily: only a configured directory needs python-ldap."""
    from django_auth_ldap.backend import LDAPBackend, ldap_error, populate_user  # noqa: PLC0415 - optional (ldap extra)

    class _AgencyLDAPBackend(LDAPBackend):
        """LDAPBackend for one directory; its settings come from the Directory, and the
        Django user is found by employee number, never by user name."""

        def __init__(self, directory: Directory, login_name: str):
            self.directory = directory
            self.login_name = login_name
            self.settings = _ldap_settings(directory)

        def get_or_build_user(self, username, ldap_user):
            return directory_user_resolve(
                directory=self.directory, login_name=self.login_name, attrs=ldap_user.attrs
            )

    def _on_ldap_error(sender, context=None, exception=None, **kwargs):
        errors = _ldap_errors.get()
        if errors is not None:
            errors.append((context, exception))

    def _on_populate(sender, user=None, ldap_user=None, **kwargs):
        # Attribute values from the directory go through the model's validation.
        user.full_clean(exclude=["password"])

    ldap_error.connect(_on_ldap_error, sender=_AgencyLDAPBackend, weak=False)
    populate_user.connect(_on_populate, sender=_AgencyLDAPBackend, weak=False)
    return _AgencyLDAPBackend


def _ldap_settings(directory: Directory):
    """django-auth-ldap settings for one directory. The prefix names no real setting, so only
    these values apply (never a stray AUTH_LDAP_* one)."""
    import ldap  # noqa: PLC0415 - optional (ldap extra)
    from django_auth_ldap import config as ldap_config  # noqa: PLC0415 - optional (ldap extra)

    group_class = getattr(ldap_config, _group_type_class(directory))
    values = {
        "SERVER_URI": directory.server_uri,
        "BIND_DN": directory.bind_dn,
        "BIND_PASSWORD": directory.bind_password,
        "START_TLS": directory.start_tls,
        "CONNECTION_OPTIONS": connection_options(directory),
        "USER_SEARCH": ldap_config.LDAPSearch(
            directory.user_search_base, ldap.SCOPE_SUBTREE, directory.user_search_filter
        ),
        "USER_ATTR_MAP": directory.user_attribute_map,
        "ALWAYS_UPDATE_USER": directory.update_user,
        # The user-DN cache is keyed by login name alone: shared between directories, so off.
        "CACHE_TIMEOUT": 0,
        "MIRROR_GROUPS": None,
        "FIND_GROUP_PERMS": False,
    }
    if directory.has_groups:
        values["GROUP_SEARCH"] = ldap_config.LDAPSearch(
            directory.group_search_base, ldap.SCOPE_SUBTREE, directory.group_filter
        )
        values["GROUP_TYPE"] = group_class(name_attr=directory.group_name_attribute)
    return ldap_config.LDAPSettings(f"MOL_LDAP_DIRECTORY_{directory.key.upper()}_", values)


def _group_type_class(directory: Directory) -> str:
    return GROUP_TYPES[directory.group_type][0]


class DirectoryBackend(BaseBackend):
    """Sign in with an agency directory account. See the module docstring."""

    def authenticate(self, request, username=None, password=None, directory=None, **kwargs):
        if not username or not password or not get_directories():
            return None
        target = directory_for_login(username, directory)
        if target is None:
            return None  # a plain name: local accounts only
        if target.directory is None:
            self._unknown_domain(request, username, target.domain)
            return None
        return self._authenticate(request, username, password, target.directory, target.name)

    def get_user(self, user_id):
        user = User._default_manager.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None

    # --- internals ---------------------------------------------------------------------------

    def _authenticate(self, request, username, password, directory: Directory, name: str):
        if not name:
            return None
        errors: list = []
        token = _ldap_errors.set(errors)
        try:
            backend = _backend_class()(directory, name)
            user = backend.authenticate(request, username=name, password=password)
        except DirectoryRefusal as exc:
            self._fail(request, username, directory, exc.reason, exc.detail, **exc.params)
            return None
        except ValidationError as exc:
            detail = "; ".join(exc.messages)[:200]
            self._fail(request, username, directory, "invalid_data", detail)
            return None
        finally:
            _ldap_errors.reset(token)
        if user is None:
            if errors:
                context, exception = errors[-1]
                reason = "unreachable" if is_unreachable(exception) else "directory_error"
                self._fail(request, username, directory, reason, _describe(context, exception))
            else:
                # Unknown name or wrong password: the form's own message says so.
                self._fail(request, username, directory, "invalid_credentials", show=False)
            return None
        if not user.is_active:
            self._fail(request, username, directory, "inactive", user=user)
            return None
        self._mirror_groups(user, directory)
        user.login_method = LoginMethod.LDAP
        user.directory_key = directory.key
        return user

    def _mirror_groups(self, user, directory: Directory) -> None:
        """Refresh the user's groups in this directory and their roles. A failure here is
        logged and does not stop the login: the scheduled sync will catch up."""
        if not directory.has_groups:
            return
        import ldap  # noqa: PLC0415 - optional (ldap extra)

        ldap_user = user.ldap_user
        group_type = ldap_user.settings.GROUP_TYPE
        try:
            infos = list(group_type.user_groups(ldap_user, ldap_user.settings.GROUP_SEARCH))
        except ldap.LDAPError as exc:
            logger.warning("groups of %s in %s not read: %s", user, directory.key, exc)
            return
        groups = [(info[0], group_type.group_name_from_info(info) or "") for info in infos]
        directory_user_groups_apply(user=user, directory=directory, groups=groups)

    def _unknown_domain(self, request, username, domain):
        if User._default_manager.filter(username__iexact=username).exists():
            return  # a local account whose name has an @: ModelBackend answered already
        domains = ", ".join(sorted({d.domain.split(".", 1)[0] for d in get_directories()}))
        self._fail(request, username, None, "unknown_domain", domain=domain, domains=domains)

    def _fail(
        self,
        request,
        username,
        directory: Directory | None,
        reason,
        detail="",
        *,
        user=None,
        show=True,
        **params,
    ):
        is_http = isinstance(request, HttpRequest)
        directory_login_failure_record(
            username=username,
            directory=directory.key if directory else "-",
            reason=reason,
            detail=detail or (f"domain {params['domain']}" if "domain" in params else ""),
            user=user,
            ip_address=client_ip(request) if is_http else None,
        )
        if not show or not is_http:
            return
        params.setdefault("agency", directory.label() if directory else "")
        params.setdefault("number", "")
        if reason not in MESSAGES:
            return
        message = str(MESSAGES[reason]) % params
        setattr(request, REQUEST_ATTR, message)


def _describe(context, exception) -> str:
    return f"{type(exception).__name__} {context or ''}: {error_detail(exception)}"[:300]
