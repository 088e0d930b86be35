from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrganizationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    HEADQUARTERS = "headquarters", _("Ministry headquarters")
    DEPARTMENT = "department", _("Department")
    SUPPORT_OFFICE = "support_office", _("Support office")
    ADMINISTRATION = "administration", pgettext_lazy("organisation kind", "Administration")
    BUREAU = "bureau", _("Bureau")
    INSTITUTE = "institute", _("Institute")
    SECTION = "section", _("Section")
    LOCAL_OFFICE = "local_office", _("Local labour office")


class CountyKind(models.TextChoices):
    SPECIAL_MUNICIPALITY = "special_municipality", _("Special municipality")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGOUT = "logout", _("Logout")
    LOGIN_FAILED = "login_failed", _("Failed login")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    VIEW = "view", _("View personal data")
    OTHER = "other", _("Other")
