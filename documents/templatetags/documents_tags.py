from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from core.dates import format_roc_date

register = template.Library()


@register.filter
def roc_date(value):
    """A date in the Minguo calendar (115/03/01) in Chinese, ISO (2026-03-01) in English."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not isinstance(value, date):
        return value
    if (get_language() or "").lower().startswith("zh"):
        return format_roc_date(value, style="short")
    return value.isoformat()


@register.filter
def roc_datetime(value):
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{roc_date(local.date())} {local:%H:%M}"
