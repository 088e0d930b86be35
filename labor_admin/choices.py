from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DeadlineKind(models.TextChoices):
    CALENDAR = "calendar", _("Calendar days")
    WORKING = "working", _("Working days")


class FieldKind(models.TextChoices):
    TEXT = "text", pgettext_lazy("field kind", "Text")
    NUMBER = "number", pgettext_lazy("field kind", "Number")
    MONEY = "money", pgettext_lazy("field kind", "Amount of money")
    DATE = "date", pgettext_lazy("field kind", "Date")
    CHOICE = "choice", pgettext_lazy("field kind", "Choice")
    COUNTY = "county", pgettext_lazy("field kind", "County/city")
    INDUSTRY = "industry", pgettext_lazy("field kind", "Industry")
    BUSINESS_ID = "business_id", pgettext_lazy("field kind", "Business ID")


class ActorRole(models.TextChoices):
    """Who may make a transition: a role of this app held in the case's unit."""

    CLERK = "labor_admin.clerk", _("Case officer")
    SUPERVISOR = "labor_admin.supervisor", _("Supervisor")


class CaseSource(models.TextChoices):
    PAGE = "page", pgettext_lazy("case source", "Intake form")
    API = "api", pgettext_lazy("case source", "API")
    IMPORT = "import", pgettext_lazy("case source", "CSV import")
    DEMO = "demo", pgettext_lazy("case source", "Demo data")
