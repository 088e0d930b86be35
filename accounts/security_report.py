"""The deployment measured against the ISMS checklist (``manage.py security_report`` and the
administrators' page *Security report* in the admin).

Each check reads the running settings or the database and gives a ``Finding``: ``pass``,
``warn`` (allowed, but below what the checklist recommends) or ``fail`` (a control missing).
The report holds no secrets: a setting's value is shown only where it is not one (a count, a
number of seconds, on/off).

Checks, in order: debug mode, HTTPS (redirect and secure cookies), HSTS, the secret key's
strength, allowed hosts, the trusted reverse proxies, the password policy, login lockout, the
second-factor policy and who still lacks one, session limits, backup freshness, the last
restore drill, and the content-security policy. The JSON form (``--format json``) is for
auditors: stable codes, English titles, UTC time.
"""

from __future__ import annotations

import ipaddress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.backup import app_version
from core.models import BackupRecord

from .mfa.selectors import _sensitive_role_filters
from .models import User

PASS, WARN, FAIL = "pass", "warn", "fail"
#: HSTS shorter than this (180 days) is a warning: browser preload lists ask for a year.
HSTS_MIN_SECONDS = 180 * 24 * 60 * 60
#: The newest successful backup older than this is a failure (the job runs daily).
BACKUP_MAX_AGE = timedelta(hours=26)
#: No successful restore drill within this is a failure (the drill runs weekly).
DRILL_MAX_AGE = timedelta(days=31)
#: Checklist minimums of the password policy.
PASSWORD_MIN_LENGTH = 12
LOCKOUT_MAX_FAILURES = 10
SESSION_MAX_SECONDS = 12 * 60 * 60
IDLE_MAX_SECONDS = 60 * 60


@dataclass(frozen=True)
class Finding:
    code: str
    title: str
    status: str
    value: str
    expected: str
    advice: str = ""


@dataclass
class Report:
    generated_at: datetime
    version: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        counts = {PASS: 0, WARN: 0, FAIL: 0}
        for finding in self.findings:
            counts[finding.status] += 1
        return counts

    @property
    def ok(self) -> bool:
        return not any(f.status == FAIL for f in self.findings)

    def as_dict(self) -> dict:
        return {
            "generated_at": self.generated_at.astimezone(UTC).isoformat(),
            "version": self.version,
            "summary": self.summary,
            "findings": [asdict(f) for f in self.findings],
        }


def _on(value: bool) -> str:
    return _("on") if value else _("off")


def _debug() -> Finding:
    return Finding(
        "debug",
        _("Debug mode"),
        FAIL if settings.DEBUG else PASS,
        _on(settings.DEBUG),
        _("off"),
        _("Set DJANGO_DEBUG=0: debug pages show settings and code to anyone."),
    )


def _https() -> Finding:
    parts = {
        "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
        "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
        "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    }
    missing = [name for name, value in parts.items() if not value]
    return Finding(
        "https",
        _("HTTPS only, secure cookies"),
        FAIL if missing else PASS,
        ", ".join(missing) + " " + _("off") if missing else _("on"),
        _("on"),
        _("Serve the portal over HTTPS and set DJANGO_HTTPS=1."),
    )


def _hsts() -> Finding:
    seconds = int(settings.SECURE_HSTS_SECONDS or 0)
    status = PASS if seconds >= HSTS_MIN_SECONDS else WARN if seconds > 0 else FAIL
    return Finding(
        "hsts",
        _("HTTP Strict Transport Security"),
        status,
        _("%(seconds)s seconds") % {"seconds": seconds},
        _("at least %(seconds)s seconds") % {"seconds": HSTS_MIN_SECONDS},
        _("Set SECURE_HSTS_SECONDS (default one year with HTTPS)."),
    )


def _secret_key() -> Finding:
    key = settings.SECRET_KEY or ""
    weak = len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure")
    return Finding(
        "secret_key",
        _("Secret key strength"),
        FAIL if weak else PASS,
        _("%(count)s characters") % {"count": len(key)},
        _("at least 50 random characters"),
        _("Generate a new SECRET_KEY; every session and signed link changes with it."),
    )


def _allowed_hosts() -> Finding:
    hosts = list(settings.ALLOWED_HOSTS)
    wildcard = "*" in hosts
    return Finding(
        "allowed_hosts",
        _("Allowed host names"),
        FAIL if wildcard or not hosts else PASS,
        ", ".join(hosts) or "—",
        _("the portal's own names, no wildcard"),
        _("List the portal's host names in ALLOWED_HOSTS."),
    )


def _trusted_proxies() -> Finding:
    proxies = list(settings.TRUSTED_PROXIES)
    too_wide = []
    for entry in proxies:
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if network.prefixlen < (8 if network.version == 4 else 32):
            too_wide.append(entry)
    if too_wide:
        status, value = FAIL, ", ".join(too_wide)
    elif settings.BEHIND_PROXY:
        status, value = PASS, ", ".join(proxies)
    else:
        status, value = PASS, _("none (clients connect directly)")
    return Finding(
        "trusted_proxies",
        _("Trusted reverse proxies"),
        status,
        value,
        _("only the reverse proxies' own addresses"),
        _("A network this wide lets any client forge its address in X-Forwarded-For."),
    )


def _password_min_length() -> int:
    for validator in settings.AUTH_PASSWORD_VALIDATORS:
        if validator["NAME"].endswith("MinimumLengthValidator"):
            return int(validator.get("OPTIONS", {}).get("min_length", 8))
    return 0


def _passwords() -> Finding:
    length = _password_min_length()
    names = {v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    common = "CommonPasswordValidator" in names
    status = PASS if length >= PASSWORD_MIN_LENGTH and common else WARN if length >= 8 else FAIL
    return Finding(
        "password_policy",
        _("Password policy"),
        status,
        _(
            "at least %(length)s characters; common passwords %(common)s; history "
            "%(history)s; expiry %(days)s days"
        )
        % {
            "length": length,
            "common": _("refused") if common else _("allowed"),
            "history": settings.PASSWORD_HISTORY_COUNT,
            "days": settings.PASSWORD_MAX_AGE_DAYS or "—",
        },
        _("at least %(length)s characters, common passwords refused")
        % {"length": PASSWORD_MIN_LENGTH},
        _("Raise PASSWORD_MIN_LENGTH."),
    )


def _lockout() -> Finding:
    limit = int(settings.AXES_FAILURE_LIMIT)
    return Finding(
        "lockout",
        _("Login lockout"),
        PASS if limit <= LOCKOUT_MAX_FAILURES else WARN,
        _("after %(count)s failures, %(minutes)s minutes")
        % {
            "count": limit,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        _("at most %(count)s failures") % {"count": LOCKOUT_MAX_FAILURES},
        _("Lower LOGIN_FAILURE_LIMIT."),
    )


def _without_second_factor() -> int:
    """Active people the policy requires a second factor of who have none confirmed (the
    policy's own filters, ``mfa.selectors``)."""
    direct, via_group = _sensitive_role_filters()
    needs = direct | via_group
    if settings.MFA_REQUIRED_FOR_ALL:
        needs = Q(pk__isnull=False)
    elif settings.MFA_REQUIRED_FOR_STAFF:
        needs |= Q(is_staff=True) | Q(is_superuser=True)
    enrolled = Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True))
    return User.objects.filter(needs, is_active=True).exclude(enrolled).count()


def _second_factor() -> Finding:
    missing = _without_second_factor()
    policy = settings.MFA_REQUIRED_FOR_ALL or settings.MFA_REQUIRED_FOR_STAFF
    if not policy:
        status = FAIL
    elif missing:
        status = WARN
    else:
        status = PASS
    scope = (
        _("everybody")
        if settings.MFA_REQUIRED_FOR_ALL
        else _("administrators and sensitive roles")
        if settings.MFA_REQUIRED_FOR_STAFF
        else _("sensitive roles only")
    )
    return Finding(
        "second_factor",
        _("Second factor"),
        status,
        _("required for %(scope)s; %(count)s of them not enrolled yet")
        % {"scope": scope, "count": missing},
        _("required for administrators, everyone enrolled"),
        _(
            "Keep MFA_REQUIRED_FOR_STAFF=1; people not enrolled are asked to enrol at their "
            "next login."
        ),
    )


def _sessions() -> Finding:
    age, idle = int(settings.SESSION_COOKIE_AGE), int(settings.SESSION_IDLE_TIMEOUT)
    ok = age <= SESSION_MAX_SECONDS and idle <= IDLE_MAX_SECONDS
    return Finding(
        "sessions",
        _("Session limits"),
        PASS if ok else WARN,
        _("%(age)s s at most, %(idle)s s idle") % {"age": age, "idle": idle},
        _("at most %(age)s s, %(idle)s s idle")
        % {"age": SESSION_MAX_SECONDS, "idle": IDLE_MAX_SECONDS},
        _("Lower SESSION_COOKIE_AGE or SESSION_IDLE_TIMEOUT."),
    )


def _newest(kind: str) -> BackupRecord | None:
    return BackupRecord.objects.filter(kind=kind, ok=True).order_by("-at").first()


def _age_finding(code: str, title: str, kind: str, limit: timedelta, advice: str, now) -> Finding:
    record = _newest(kind)
    if record is None:
        return Finding(code, title, FAIL, _("never"), "", advice)
    age = now - record.at
    return Finding(
        code,
        title,
        PASS if age <= limit else FAIL,
        record.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        _("within %(hours)s hours") % {"hours": int(limit.total_seconds() // 3600)},
        advice,
    )


def _csp() -> Finding:
    directives = (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("DIRECTIVES", {})
    scripts = directives.get("script-src") or directives.get("default-src") or []
    unsafe = sorted({str(s).strip("'") for s in scripts} & {"unsafe-inline", "unsafe-eval", "*"})
    if not scripts:
        status, value = FAIL, _("not set")
    elif unsafe:
        status, value = FAIL, ", ".join(unsafe)
    else:
        status, value = PASS, " ".join(str(s) for s in scripts)
    return Finding(
        "csp",
        _("Content-Security-Policy for scripts"),
        status,
        value,
        _("script-src without unsafe-inline or unsafe-eval"),
        _("Keep the portal's policy: it blocks injected scripts."),
    )


def security_report(*, now: datetime | None = None) -> Report:
    """Every check, in the checklist's order."""
    now = now or timezone.now()
    report = Report(generated_at=now, version=app_version())
    report.findings = [
        _debug(),
        _https(),
        _hsts(),
        _secret_key(),
        _allowed_hosts(),
        _trusted_proxies(),
        _passwords(),
        _lockout(),
        _second_factor(),
        _sessions(),
        _age_finding(
            "backup",
            _("Newest successful backup"),
            BackupRecord.Kind.BACKUP,
            BACKUP_MAX_AGE,
            _("Check the daily backup job (manage.py backup) and its log."),
            now,
        ),
        _age_finding(
            "restore_drill",
            _("Newest successful restore drill"),
            BackupRecord.Kind.DRILL,
            DRILL_MAX_AGE,
            _("Run manage.py restore_drill and read its result."),
            now,
        ),
        _csp(),
    ]
    return report
