from django import template

from core.localdates import local_date, local_datetime

register = template.Library()


@register.filter
def roc_date(value):
    """A date in the Minguo calendar (115/03/01) in Chinese, ISO (2026-03-01) in English: the
    one rule of ``core.localdates``."""
    return local_date(value)


@register.filter
def roc_datetime(value):
    return local_datetime(value)
