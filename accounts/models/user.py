"""The person: one account per person, kept in step with the HR feed."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.i18n import bilingual

from ..choices import (
    EmploymentStatus,
)

mobile_validator = RegexValidator(
    regex=r"^\+?[0-9]{8,15}$",
    message=_("Enter a mobile number of 8 to 15 digits, optionally starting with +."),
)


class User(AbstractUser):
    """A person of the ministry. One account per person, kept in step with the HR feed.

    ``username`` is the login name; ``employee_number`` ties the account to HR and to the
    directories. ``is_active`` is driven by HR sync: leavers are deactivated, never deleted.
    """

    employee_number = models.CharField(
        _("employee number"), max_length=20, unique=True, null=True, blank=True
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    mobile = models.CharField(
        _("mobile"),
        max_length=16,
        blank=True,
        validators=[mobile_validator],
        help_text=_("Used for SMS notices."),
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        related_name="members",
        on_delete=models.PROTECT,
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    employment_status = models.CharField(
        _("employment status"),
        max_length=20,
        choices=EmploymentStatus.choices,
        default=EmploymentStatus.ACTIVE,
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    hr_effective_date = models.DateField(
        _("HR effective date"),
        null=True,
        blank=True,
        help_text=_("Effective date of the last HR record applied to this account."),
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]

    def __str__(self) -> str:
        name = self.display_name
        return f"{name} ({self.username})" if name != self.username else self.username

    @property
    def display_name(self) -> str:
        """The name in the active language (the other one when that is empty), else the
        Django full name, else the login name."""
        return bilingual(self.name_zh, self.name_en) or self.get_full_name() or self.username
