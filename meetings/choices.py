from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SeriesKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry affairs meeting (部務會報)")
    EXECUTIVES = "executives", _("Executives' meeting (主管會報)")
    AD_HOC = "ad_hoc", _("Ad hoc meeting")


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("meeting status", "Draft")
    FILING = "filing", _("Open for filing")
    FILING_CLOSED = "filing_closed", _("Closed for filing")
    HELD = "held", pgettext_lazy("meeting status", "Held")
    MINUTES = "minutes", _("Minutes published")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Not filed")
    FILED = "filed", pgettext_lazy("report status", "Filed")


class LateChangeStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("request status", "Pending")
    GRANTED = "granted", pgettext_lazy("request status", "Granted")
    REFUSED = "refused", pgettext_lazy("request status", "Refused")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Tracked (列管中)")
    CLOSING = "closing", _("Closure awaiting approval")
    CLOSED = "closed", _("Closed (解除列管)")


class Proposal(models.TextChoices):
    CLOSE = "close", _("Close (解除列管)")
    KEEP = "keep", _("Keep tracking (繼續列管)")


class DecisionApproval(models.TextChoices):
    NONE = "none", _("No approval needed")
    PENDING = "pending", pgettext_lazy("approval", "Awaiting approval")
    APPROVED = "approved", pgettext_lazy("approval", "Approved")
    RETURNED = "returned", pgettext_lazy("approval", "Returned")


class CaseReminderKind(models.TextChoices):
    BEFORE = "before", _("Due soon")
    OVERDUE = "overdue", pgettext_lazy("case", "Overdue")


class SearchKind(models.TextChoices):
    AGENDA = "agenda", _("Agenda item")
    MATERIAL = "material", _("Unit material")
    ATTACHMENT = "attachment", _("Attachment")
    DIRECTIVE = "directive", _("Directive")
    PROGRESS = "progress", _("Progress note")


class BookJobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job status", "Queued")
    RUNNING = "running", pgettext_lazy("job status", "Running")
    DONE = "done", pgettext_lazy("job status", "Done")
    FAILED = "failed", pgettext_lazy("job status", "Failed")
