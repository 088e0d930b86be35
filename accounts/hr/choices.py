from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeKind(models.TextChoices):
    """What the HR sync does (or would do) for one employee."""

    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    MOVE = "move", _("Move to another unit")
    DEACTIVATE = "deactivate", _("Deactivate")
    REACTIVATE = "reactivate", _("Reactivate")
    UNCHANGED = "unchanged", _("Unchanged")
    OLDER = "older", _("Ignored: older than the account's HR record")
    PENDING = "pending", _("Ignored until its effective date")
    SUPERSEDED = "superseded", _("Ignored: a later row for the same employee")


# Kinds that write to the database.
WRITING_KINDS = frozenset(
    {
        ChangeKind.CREATE,
        ChangeKind.UPDATE,
        ChangeKind.MOVE,
        ChangeKind.DEACTIVATE,
        ChangeKind.REACTIVATE,
    }
)
SKIPPED_KINDS = frozenset({ChangeKind.OLDER, ChangeKind.PENDING, ChangeKind.SUPERSEDED})


class FeedFormat(models.TextChoices):
    AUTO = "auto", _("Detect from the name, content type or content")
    CSV = "csv", _("CSV with a header row")
    JSONL = "jsonl", _("JSON lines (one object per line)")
