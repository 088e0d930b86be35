"""Block lists of citizen-facing forms: one model shape, one matching rule.

An app that takes anonymous input keeps its own list (petitions and e-papers are moderated by
different people) as a concrete model of :class:`BlockRuleBase`, edited in the admin
(``core.admin.BlockRuleAdmin``), and asks :func:`matching_kind` before it saves anything. A rule
is an e-mail domain (its sub-domains are blocked too), a whole address, or an IP address or
network.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class BlockRuleKind(models.TextChoices):
    DOMAIN = "domain", _("E-mail domain")
    IP = "ip", _("IP address or network")
    EMAIL = "email", _("E-mail address")


class BlockRuleBase(TimeStampedModel):
    """Abstract: a concrete list adds its Meta (names, a unique (kind, value) constraint)."""

    kind = models.CharField(_("kind"), max_length=10, choices=BlockRuleKind.choices)
    value = models.CharField(
        _("value"),
        max_length=254,
        help_text=_(
            "An e-mail domain (example.com; sub-domains are blocked too), an e-mail address, "
            "or an IP address or network (203.0.113.0/24)."
        ),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["kind", "value"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self):
        self.value = (self.value or "").strip().lower()
        if self.kind == BlockRuleKind.IP:
            try:
                ipaddress.ip_network(self.value, strict=False)
            except ValueError as exc:
                raise ValidationError(
                    {"value": _("Enter an IP address or network, e.g. 203.0.113.0/24.")}
                ) from exc
        elif self.kind == BlockRuleKind.EMAIL and "@" not in self.value:
            raise ValidationError({"value": _("Enter a whole e-mail address.")})
        elif self.kind == BlockRuleKind.DOMAIN:
            self.value = self.value.lstrip("@")
            if "@" in self.value or "." not in self.value:
                raise ValidationError({"value": _("Enter a domain such as example.com.")})


def _ip_in(ip: str, network: str) -> bool:
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False


def matching_kind(
    rules: Iterable[BlockRuleBase], *, email: str = "", ip: str | None = None
) -> str | None:
    """The kind of the first rule that matches the address or the client's IP, or None.

    ``rules`` is the active rules of one list, e.g.
    ``Model.objects.filter(active=True).only("kind", "value")``."""
    email = (email or "").strip().lower()
    domain = email.rpartition("@")[2]
    for rule in rules:
        if rule.kind == BlockRuleKind.EMAIL and email and rule.value == email:
            return rule.kind
        if (
            rule.kind == BlockRuleKind.DOMAIN
            and domain
            and (domain == rule.value or domain.endswith("." + rule.value))
        ):
            return rule.kind
        if rule.kind == BlockRuleKind.IP and ip and _ip_in(ip, rule.value):
            return rule.kind
    return None
