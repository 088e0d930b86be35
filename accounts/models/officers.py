"""Heads and deputy heads of organisation units."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import (
    UnitOfficerKind,
    UnitOfficerSource,
)
from .user import User


class UnitOfficer(models.Model):
    """The head or a deputy head of an organisation unit.

    One head per unit (a database constraint); deputies are ordered by ``sort_order``. Rows
    from the HR feed (``source=hr``) are kept in step by HR sync; rows entered in the admin
    (``source=manual``) are never touched by it. Read through ``accounts.authz.unit_head`` and
    friends.
    """

    unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation unit"),
        related_name="officers",
        on_delete=models.CASCADE,
    )
    user = models.ForeignKey(
        User, verbose_name=_("user"), related_name="unit_offices", on_delete=models.CASCADE
    )
    kind = models.CharField(_("office"), max_length=10, choices=UnitOfficerKind.choices)
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=UnitOfficerSource.choices,
        default=UnitOfficerSource.MANUAL,
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("unit head or deputy")
        verbose_name_plural = _("unit heads and deputies")
        ordering = ["unit_id", "kind", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(kind=UnitOfficerKind.HEAD),
                name="accounts_unitofficer_one_head",
                violation_error_message=_("This unit already has a head."),
            ),
            models.UniqueConstraint(
                fields=["unit", "user", "kind"], name="accounts_unitofficer_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.get_kind_display()} {self.user}"
