"""Template filters of the property pages and forms."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def money(value) -> str:
    """Whole dollars with thousands separators (1,234,567), whatever the page's language."""
    if value in (None, ""):
        return ""
    return f"{int(Decimal(value)):,}"


@register.filter
def area(value) -> str:
    if value in (None, ""):
        return ""
    return f"{Decimal(value):,.2f}"


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
