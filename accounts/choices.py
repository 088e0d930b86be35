from django.db import models
from django.utils.translation import gettext_lazy as _


class EmploymentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ON_LEAVE = "on_leave", _("On leave")
    LEFT = "left", _("Left")


class RoleSource(models.TextChoices):
    MANUAL = "manual", _("Assigned by an administrator")
    APPLICATION = "application", _("Assigned by the application's administrator")
    DIRECTORY = "directory", _("From a directory group")
    HR = "hr", _("From the HR feed")


class HRSyncStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    APPLIED = "applied", _("Applied")
    DRY_RUN = "dry_run", _("Dry run")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Failed")


class LoginMethod(models.TextChoices):
    PASSWORD = "password", _("Local password")
    LDAP = "ldap", _("Directory (LDAP/AD)")
    CERTIFICATE = "certificate", _("Client certificate")
    OIDC = "oidc", _("Single sign-on")


def method_for_backend(backend: str) -> str:
    """The login method recorded for a session, from the backend that authenticated it."""
    name = (backend or "").lower()
    if "certificate" in name:
        return LoginMethod.CERTIFICATE
    if "ldap" in name:
        return LoginMethod.LDAP
    return LoginMethod.PASSWORD


class UnitOfficerKind(models.TextChoices):
    HEAD = "head", _("Head of unit")
    DEPUTY = "deputy", _("Deputy head")


class UnitOfficerSource(models.TextChoices):
    HR = "hr", _("From the HR feed")
    MANUAL = "manual", _("Entered by an administrator")
